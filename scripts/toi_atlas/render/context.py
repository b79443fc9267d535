"""What every renderer gets, as plain data: the corpus, the site settings, reading lists,
claims and each work's "cite as" texts (formatted by the pipeline before rendering), and
the works' pieces of whole-corpus outputs kept from the last build (pieces.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ..model.claimtree import ClaimTree, build_tree
from ..model.corpus import Corpus, Work, custom_field_names
from ..read.claims import Claim
from ..read.readinglists import ReadingList
from ..read.site import Site
from ..write.bibtext import entry_to_bibtex
from .pieces import Pieces, work_digests


@dataclass(frozen=True)
class Context:
    corpus: Corpus
    site: Site = field(default_factory=Site)
    reading_lists: tuple[ReadingList, ...] = ()
    claims: tuple[Claim, ...] = ()
    # {work key: {style label: HTML}}; a work without an entry shows no "cite as" lines.
    cite_as: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # The last build's pieces, from the pipeline; without them, pieces for this build only.
    kept_pieces: Pieces | None = None
    # {work key: BibTeX without our fields}, filled by `bibtex` as works are asked for.
    _bibtex: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def tree(self) -> ClaimTree:
        """The argument, built once for all pages and exports that show it."""
        return build_tree(self.claims)

    @cached_property
    def pieces(self) -> Pieces:
        if self.kept_pieces is not None:
            return self.kept_pieces
        return Pieces(None, "", work_digests(self.corpus.works.values()))

    @cached_property
    def _strip(self) -> frozenset[str]:
        return custom_field_names(self.corpus.taxonomy)

    def bibtex(self, work: Work) -> str:
        """The work's entry without our fields (tags, summary...), made once per build for
        its page, its cite file and all-clean.bib."""
        text = self._bibtex.get(work.key)
        if text is None:
            text = self._bibtex[work.key] = entry_to_bibtex(work.raw, strip=self._strip)
        return text
