"""Everything that talks to the network: the HTTP client, metadata sources, the link
checker.
"""
