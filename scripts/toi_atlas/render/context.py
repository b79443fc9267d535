"""What every renderer gets, as plain data: the corpus, the site settings, reading lists,
claims and each work's "cite as" texts (formatted by the pipeline before rendering)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ..model.claimtree import ClaimTree, build_tree
from ..model.corpus import Corpus
from ..read.claims import Claim
from ..read.readinglists import ReadingList
from ..read.site import Site


@dataclass(frozen=True)
class Context:
    corpus: Corpus
    site: Site = field(default_factory=Site)
    reading_lists: tuple[ReadingList, ...] = ()
    claims: tuple[Claim, ...] = ()
    # {work key: {style label: HTML}}; a work without an entry shows no "cite as" lines.
    cite_as: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @cached_property
    def tree(self) -> ClaimTree:
        """The argument, built once for all pages and exports that show it."""
        return build_tree(self.claims)
