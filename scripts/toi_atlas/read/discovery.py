"""The curators' two discovery files in bib/, read with line numbers.

`bib/discovery.yaml` holds the arXiv searches, one list per theory of impact or end
story; `bib/rejected.yaml` the works a curator turned down, so that discovery never
proposes them again. Both are hand-edited (reject appends to the second), so every
defect becomes a Diagnostic at its line (TOI801-TOI803), all of them at once.
A missing file means no searches and no rejections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..diagnostics import Diagnostic, Span
from ..model.identity import DOI_RE, Facts, norm_arxiv, norm_doi
from ..model.normalise import did_you_mean
from .taxonomy import Taxonomy
from .yamlnodes import get, line_of, text, top_level_list

DISCOVERY_FILE = "discovery.yaml"
REJECTED_FILE = "rejected.yaml"
HINT = "see docs/discovery.md"
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Search:
    """The arXiv searches (`search_query` strings) for one topic."""

    topic: str
    queries: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Rejected:
    key: str
    title: str
    doi: str | None
    arxiv: str | None
    line: int

    @property
    def facts(self) -> Facts:
        return Facts(title=self.title, doi=self.doi, arxiv=self.arxiv)


def load_searches(
    path: Path, display: str, taxonomy: Taxonomy
) -> tuple[list[Search], list[Diagnostic]]:
    """bib/discovery.yaml: `searches:`, each with a `topic` and its `arxiv` queries."""
    if not path.is_file():
        return [], []
    diags: list[Diagnostic] = []

    def bad(line: int, message: str, code: str = "TOI801") -> None:
        diags.append(Diagnostic(code, Span(display, line), message, HINT))

    nodes, problem = top_level_list(path, "searches", "searches")
    if problem:
        bad(*problem)
        return [], diags
    searches: list[Search] = []
    seen: set[str] = set()
    topics = {**taxonomy.tois, **taxonomy.endstories}
    for node in nodes:
        line = line_of(node)
        topic, queries = text(get(node, "topic")), get(node, "arxiv")
        if not topic:
            bad(line, "a search needs a `topic` (a theory of impact or end story id)")
            continue
        if topic not in topics:
            hint = did_you_mean(topic, topics)
            bad(line, f"unknown topic `{topic}`{': ' + hint if hint else ''}", "TOI802")
            continue
        if topic in seen:
            bad(line, f"topic `{topic}` has two lists of searches; merge them")
            continue
        seen.add(topic)
        if not isinstance(queries, yaml.SequenceNode) or not queries.value:
            bad(line, f"the searches for `{topic}` need an `arxiv:` list of queries")
            continue
        kept = []
        for item in queries.value:
            query = text(item) if isinstance(item, yaml.ScalarNode) else ""
            if not query:
                bad(line_of(item), "an arXiv query must be a non-empty line of text")
            else:
                kept.append(query)
        searches.append(Search(topic, tuple(kept), line))
    return searches, diags


def load_rejected(path: Path, display: str) -> tuple[list[Rejected], list[Diagnostic]]:
    """bib/rejected.yaml: `rejected:`, each with a `key`, a `title`, a DOI or arXiv id."""
    if not path.is_file():
        return [], []
    diags: list[Diagnostic] = []

    def bad(line: int, message: str) -> None:
        diags.append(Diagnostic("TOI803", Span(display, line), message, HINT))

    nodes, problem = top_level_list(path, "rejected", "rejected works")
    if problem:
        bad(*problem)
        return [], diags
    out: list[Rejected] = []
    for node in nodes:
        line = line_of(node)
        if not isinstance(node, yaml.MappingNode):
            bad(line, "a rejected work needs `key`, `title` and a `doi` or `arxiv`")
            continue
        key, title = text(get(node, "key")), text(get(node, "title"))
        doi, arxiv = text(get(node, "doi")) or None, text(get(node, "arxiv")) or None
        date = text(get(node, "date"))
        problems = []
        if not key or not title:
            problems.append("needs a `key` and a `title`")
        if doi is not None and not DOI_RE.match(norm_doi(doi)):
            problems.append(f"`doi` {doi!r} is not a DOI (10.NNNN/suffix)")
        if arxiv is not None and not _ARXIV_ID.match(norm_arxiv(arxiv)):
            problems.append(f"`arxiv` {arxiv!r} is not an arXiv id")
        if date and not _DATE.match(date):
            problems.append(f"`date` {date!r} is not YYYY-MM-DD")
        if problems:
            bad(line, "this rejected work " + "; ".join(problems))
            continue
        out.append(Rejected(key, title, doi, arxiv, line))
    return out, diags


def check_files(bib: Path, display: str, taxonomy: Taxonomy) -> list[Diagnostic]:
    """Every finding in both files, for `toi-atlas check`; `display` is bib/'s shown path."""
    _, diags = load_searches(bib / DISCOVERY_FILE, f"{display}/{DISCOVERY_FILE}", taxonomy)
    _, more = load_rejected(bib / REJECTED_FILE, f"{display}/{REJECTED_FILE}")
    return diags + more
