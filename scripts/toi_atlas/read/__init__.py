"""Reading the inputs: .bib files (with line numbers), the vocabulary, claims, reading
lists, site settings.
"""
