"""The corpus as frozen data, and the questions asked of it: identity, dates, the argument,
the debate on a topic, CSL items.
"""
