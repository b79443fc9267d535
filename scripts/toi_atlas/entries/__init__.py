"""Adding and rewriting entries in bib/: vetting fetched records, building, appending,
importing, formatting.
"""
