"""What every renderer gets: the corpus, the site settings and the citation memo."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..model.claimtree import ClaimTree, build_tree
from ..model.corpus import Corpus
from ..read.claims import Claim
from ..read.readinglists import ReadingList
from ..read.site import Site
from .citations import CitationCache


@dataclass(frozen=True)
class Context:
    corpus: Corpus
    site: Site = field(default_factory=Site)
    citations: CitationCache = field(default_factory=lambda: CitationCache(None))
    reading_lists: tuple[ReadingList, ...] = ()
    claims: tuple[Claim, ...] = ()

    @cached_property
    def tree(self) -> ClaimTree:
        """The argument, built once for all pages and exports that show it."""
        return build_tree(self.claims)
