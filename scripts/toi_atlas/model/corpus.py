"""The corpus as frozen data: works, their tags and typed edges, plus backlinks.

Building the model never fails and never judges: values that do not parse are
kept as None next to the raw entry, and `validate.py` says what is wrong. That
keeps "what the data is" apart from "what is wrong with it".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from pylatexenc.latex2text import LatexNodes2Text

from ..diagnostics import Span
from ..read.load import RawEntry
from ..read.taxonomy import TOPIC_SECTIONS, Taxonomy
from . import bidi
from .carried import Carried
from .identity import arxiv_eprint, arxiv_from_url

# Our fields; everything else is standard BibTeX and goes into exports as is.
TAG_FIELDS = tuple(TOPIC_SECTIONS)  # tois, endstories, agendas
META_FIELDS = ("stance", "kind", "summary", "added", "modified", "readingtime", "checked")
MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
MONTH_NAMES = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}

_LATEX_SPECIAL = re.compile(r"[\\$~]|--|``|''")
# The LaTeX that names and titles usually hold: accents, named letters, escaped
# specials, dashes, quotes, ties and braces. A value made only of these is converted
# token by token, each distinct token once by pylatexenc (so it stays the authority on
# what a macro means); anything else (math, commands with arguments) goes to
# pylatexenc whole. A property test holds both ways to the same text.
_LATEX_TOKEN = re.compile(
    r"""
    \\[`'^"~=.](?:[A-Za-z]|\{[A-Za-z]\}|\{\\[ij]\}|\\[ij](?![A-Za-z])\s*)  # \'e \'{e} \'{\i}
    | \\[uvHckrdbt](?:\{[A-Za-z]\}|\s+[A-Za-z])                     # \v{c} \v c
    | \\(?:ss|o|O|ae|AE|oe|OE|l|L|aa|AA|i|j)(?![A-Za-z])(?:\{\}|\s*)  # \ss \o{}
    | \\[&%$\#_{}]                                                  # \& \%
    | ---|--|``|''|~
    | [^\\$%~`'{}-]+|[{}`'-]                                            # plain text
    """,
    re.VERBOSE,
)
_latex = LatexNodes2Text()
# A `%` not escaped by a backslash. BibTeX keeps it as text inside a field, but LaTeX
# (and so pylatexenc) reads it as a comment and drops the rest of the line: "90% of
# heads" became "90". In a field value we read it as a percent sign, like `\%`.
_BARE_PERCENT = re.compile(r"(?<!\\)((?:\\\\)*)%")


@lru_cache(maxsize=4096)
def _latex_token(token: str) -> str:
    return str(_latex.latex_to_text(token))


def _latex_tokens(value: str) -> str | None:
    """`value` converted token by token, or None when it holds other LaTeX."""
    if "!`" in value or "?`" in value:
        return None  # Spanish ligatures (¡ ¿) span two tokens
    out: list[str] = []
    pos = 0
    for match in _LATEX_TOKEN.finditer(value):
        if match.start() != pos:
            return None
        token = match.group()
        if token[0] == "{" or token[0] == "}":
            pass  # case-protecting braces only
        elif token[0] in "\\-`'~":
            out.append(_latex_token(token))
        else:
            out.append(token)
        pos = match.end()
    return "".join(out) if pos == len(value) else None


@lru_cache(maxsize=65536)
def latex_to_unicode(value: str) -> str:
    """LaTeX field text to plain Unicode (accents, dashes, `\\&`, case braces).

    pylatexenc does the real work. It costs about a millisecond per value, which is
    seconds at 10,000 works, so plain values only lose their braces and common
    accented names are converted token by token (see `_LATEX_TOKEN`).
    """
    return _to_unicode(value, fast=True)


def latex_to_unicode_slow(value: str) -> str:
    """pylatexenc on the whole value: the reference `latex_to_unicode` is tested against."""
    return _to_unicode(value, fast=False)


def _to_unicode(value: str, *, fast: bool) -> str:
    if not _LATEX_SPECIAL.search(value):
        text = value.replace("{", "").replace("}", "")
    else:
        value = _BARE_PERCENT.sub(r"\1\\%", value)
        tokens = _latex_tokens(value) if fast else None
        text = tokens if tokens is not None else _latex.latex_to_text(value)
    # Balanced, so an override the checker refused (TOI130) still cannot run past the
    # value into whatever the page shows after it.
    return bidi.contain(" ".join(unicodedata.normalize("NFC", text).split()))


def slugify_key(key: str) -> str:
    """Page name for a key: lower case so case-only twins collide visibly (TOI106)."""
    return re.sub(r"[^a-z0-9_.-]", "-", key.lower())


@dataclass(frozen=True)
class TopicTag:
    topic: str
    stance: str | None  # explicit `:stance`, else the entry default, else None
    explicit: bool
    field: str  # tois | endstories | agendas
    line: int


@dataclass(frozen=True)
class Edge:
    source: str
    type: str
    target: str
    scope: str | None
    span: Span


@dataclass(frozen=True)
class ListItem:
    """One comma-separated item of a tag or edge field, for syntax checks."""

    field: str
    text: str
    line: int


@dataclass(frozen=True)
class MetadataCheck:
    """`checked = {2026-12-03: arXiv abstract page; NeurIPS proceedings}`: the day a
    curator compared the entry's facts with these records, shown on the work page."""

    date: str
    sources: tuple[str, ...]


CHECKED_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*:\s*(\S.*)$", re.S)


def parse_checked(value: str | None) -> MetadataCheck | None:
    """None for a missing or malformed value (the checker reports the latter, TOI133)."""
    match = CHECKED_RE.match(" ".join((value or "").split()))
    if not match:
        return None
    sources = tuple(s.strip() for s in match.group(2).split(";") if s.strip())
    return MetadataCheck(match.group(1), sources) if sources else None


@dataclass(frozen=True)
class Work:
    key: str
    slug: str
    entry_type: str
    kind: str
    kind_explicit: bool
    title: str
    authors: tuple[str, ...]
    editors: tuple[str, ...]
    surname: str  # first author's (or editor's) last name, for "Shah 2022" credits
    more_authors: bool  # the list ended in `and others`
    year: int | None
    month: int | None
    venue: str
    url: str | None
    doi: str | None
    arxiv: str | None
    pdf: str | None
    code: str | None
    summary: str
    default_stance: str | None
    added: str | None
    modified: str | None
    checked: MetadataCheck | None
    readingtime: int | None
    tags: tuple[TopicTag, ...]
    edges: tuple[Edge, ...]
    items: tuple[ListItem, ...]
    raw: RawEntry

    @property
    def span(self) -> Span:
        return self.raw.span

    def stance_on(self, topic: str) -> str | None:
        for tag in self.tags:
            if tag.topic == topic:
                return tag.stance
        return None

    @property
    def credit(self) -> str:
        """Short credit for lists of edges: `Shah 2022`, `Olah et al. 2020`."""
        return " ".join(p for p in (self.surname, str(self.year or "")) if p)

    @property
    def author_line(self) -> str:
        names = self.authors or self.editors
        if not names:
            return ""
        if len(names) > 3 or self.more_authors:
            return ", ".join(names[:3]) + " et al."
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]


@dataclass(frozen=True)
class Corpus:
    taxonomy: Taxonomy
    works: dict[str, Work]  # first entry per key, in file order
    duplicates: list[Work]  # later entries whose key was already taken
    incoming: dict[str, list[Edge]] = field(default_factory=dict)

    def sorted_works(self) -> list[Work]:
        return list(self._newest_first)

    @cached_property
    def _newest_first(self) -> tuple[Work, ...]:
        return tuple(sorted(self.works.values(), key=lambda w: (-(w.year or 0), w.key.lower())))

    @cached_property
    def _by_topic(self) -> dict[str, list[Work]]:
        # One pass instead of one per topic: pages ask for every topic's works.
        index: dict[str, list[Work]] = defaultdict(list)
        for w in self._newest_first:
            for topic in dict.fromkeys(t.topic for t in w.tags):
                index[topic].append(w)
        return index

    def works_on(self, topic: str) -> list[tuple[Work, str | None]]:
        """Works tagged with `topic`, newest first, with their stance on it."""
        return [(w, w.stance_on(topic)) for w in self._by_topic.get(topic, ())]

    def works_with_stance(self, stance: str) -> list[tuple[Work, list[str]]]:
        out = []
        for w in self._newest_first:
            topics = [t.topic for t in w.tags if t.stance == stance]
            if topics:
                out.append((w, topics))
        return out


def _person_name(person: object) -> str:
    parts = [
        *getattr(person, "first_names", []),
        *getattr(person, "middle_names", []),
        *getattr(person, "prelast_names", []),
        *getattr(person, "last_names", []),
        *getattr(person, "lineage_names", []),
    ]
    return latex_to_unicode(" ".join(parts)) if parts else latex_to_unicode(str(person))


def _is_others(people: list[object]) -> bool:
    """BibTeX's `and others` parses as a person whose only name is `others`."""
    return bool(people) and str(people[-1]).strip().lower() == "others"


def _names(raw: RawEntry, role: str) -> tuple[str, ...]:
    people = raw.persons.get(role, [])
    if _is_others(people):
        people = people[:-1]
    return tuple(_person_name(p) for p in people)


def _surname(raw: RawEntry) -> str:
    people = raw.persons.get("author") or raw.persons.get("editor") or []
    if not people:
        return ""
    last = " ".join([*people[0].prelast_names, *people[0].last_names])
    more = " et al." if len(people) > 1 else ""  # `and others` counts as more
    return latex_to_unicode(last) + more if last else ""


def _split_items(raw: RawEntry, name: str) -> list[ListItem]:
    value = raw.get(name)
    if value is None or not value.strip():
        return []
    line = raw.line_of(name)
    return [ListItem(name, part.strip(), line) for part in value.split(",")]


def _int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    # ASCII digits only, and short: str.isdigit() accepts "²", and int() refuses
    # strings of more than 4,300 digits with an exception.
    return int(value) if re.fullmatch(r"[0-9]{1,9}", value) else None


def _month(value: str | None) -> int | None:
    if value is None:
        return None
    v = value.strip().lower()
    number = _int_or_none(v)
    if number is not None:
        return number if 1 <= number <= 12 else None
    return MONTHS.get(v[:3]) if (v[:3] in MONTHS and (len(v) == 3 or v in MONTH_NAMES)) else None


def _arxiv(raw: RawEntry) -> str | None:
    archive = raw.get("archiveprefix") or raw.get("eprinttype")
    return arxiv_eprint(raw.get("eprint"), archive) or arxiv_from_url(raw.get("url"))


def _venue(raw: RawEntry, arxiv: str | None) -> str:
    for name in (
        "journal",
        "journaltitle",
        "booktitle",
        "howpublished",
        "publisher",
        "institution",
        "school",
        "organization",
    ):
        value = raw.get(name)
        if value and value.strip():
            return latex_to_unicode(value)
    return "arXiv" if arxiv else ""


def _derive_kind(raw: RawEntry, arxiv: str | None) -> str:
    t = raw.entry_type
    if t in ("article", "inproceedings", "incollection", "conference"):
        return "paper"
    if t in ("techreport", "report", "phdthesis", "mastersthesis", "thesis"):
        return "report"
    if t in ("book", "inbook"):
        return "book"
    return "preprint" if arxiv else "webpage"


def build_work(raw: RawEntry, taxonomy: Taxonomy) -> Work:
    items: list[ListItem] = []
    default_stance = (raw.get("stance") or "").strip() or None
    tags: list[TopicTag] = []
    for fname in TAG_FIELDS:
        for item in _split_items(raw, fname):
            items.append(item)
            topic, sep, stance = item.text.partition(":")
            topic, stance = topic.strip(), stance.strip()
            tags.append(
                TopicTag(topic, stance if sep else default_stance, bool(sep), fname, item.line)
            )
    edges: list[Edge] = []
    for etype in taxonomy.edgetypes:
        for item in _split_items(raw, etype):
            items.append(item)
            target, sep, scope = item.text.partition("@")
            edges.append(
                Edge(
                    raw.key,
                    etype,
                    target.strip(),
                    scope.strip() if sep else None,
                    Span(raw.span.file, item.line),
                )
            )
    arxiv = _arxiv(raw)
    kind_raw = (raw.get("kind") or "").strip()
    doi = (raw.get("doi") or "").strip() or None
    return Work(
        key=raw.key,
        slug=slugify_key(raw.key),
        entry_type=raw.entry_type,
        kind=kind_raw or _derive_kind(raw, arxiv),
        kind_explicit=bool(kind_raw),
        title=latex_to_unicode(raw.get("title") or ""),
        authors=_names(raw, "author"),
        editors=_names(raw, "editor"),
        more_authors=_is_others(
            (raw.persons.get("author") or raw.persons.get("editor") or [])[-1:]
        ),
        surname=_surname(raw),
        year=_int_or_none(raw.get("year")),
        month=_month(raw.get("month")),
        venue=_venue(raw, arxiv),
        url=(raw.get("url") or "").strip() or None,
        doi=doi,
        arxiv=arxiv,
        pdf=(raw.get("pdf") or "").strip() or None,
        code=(raw.get("code") or "").strip() or None,
        summary=latex_to_unicode(raw.get("summary") or ""),
        default_stance=default_stance,
        added=(raw.get("added") or "").strip() or None,
        modified=(raw.get("modified") or "").strip() or None,
        checked=parse_checked(raw.get("checked")),
        readingtime=_int_or_none(raw.get("readingtime")),
        tags=tuple(tags),
        edges=tuple(edges),
        items=tuple(items),
        raw=raw,
    )


# The works of unchanged entries, carried from the last build in this process
# (`build_work` is pure; see carried.py).
_WORKS: Carried[RawEntry, Work] = Carried()


def build_corpus(entries: list[RawEntry], taxonomy: Taxonomy) -> Corpus:
    works: dict[str, Work] = {}
    duplicates: list[Work] = []
    made = _WORKS.each(entries, lambda raw: build_work(raw, taxonomy), context=taxonomy)
    for raw, work in zip(entries, made, strict=True):
        if raw.key in works:
            duplicates.append(work)
        else:
            works[raw.key] = work
    incoming: dict[str, list[Edge]] = defaultdict(list)
    for work in works.values():
        for edge in work.edges:
            incoming[edge.target].append(edge)
    return Corpus(taxonomy, works, duplicates, dict(incoming))


def custom_field_names(taxonomy: Taxonomy) -> frozenset[str]:
    """Fields that are ours, stripped from the BibTeX readers copy."""
    return frozenset((*TAG_FIELDS, *META_FIELDS, *taxonomy.edgetypes))


def main_stance(work: Work) -> str:
    """The stance a work takes most often (its default stance on ties)."""
    counts = Counter(t.stance for t in work.tags if t.stance)
    if not counts:
        return work.default_stance or "none"
    best = max(counts.values())
    tied = sorted(s for s, c in counts.items() if c == best)
    return work.default_stance if work.default_stance in tied else tied[0]
