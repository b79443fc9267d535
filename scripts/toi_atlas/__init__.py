"""ToI Atlas: validate a tagged BibTeX corpus and generate a static site from it."""

__version__ = "0.1.0"
