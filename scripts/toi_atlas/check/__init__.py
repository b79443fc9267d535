"""The checker: every defect in the corpus, as Diagnostics."""
