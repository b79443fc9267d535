"""Writing outputs safely: generated files, the build manifest, work pages into a built
site, canonical BibTeX.
"""
