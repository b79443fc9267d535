"""The checker: one pure function per concern, `Corpus -> Iterable[Diagnostic]`.

Each check reads the model and yields findings; none raises, prints or exits.
`cli.py` alone turns the list into an exit status.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator

from ..diagnostics import Diagnostic, Span
from ..model import bidi
from ..model.carried import Carried
from ..model.chronology import before, first_appeared, stated
from ..model.corpus import Corpus, Work
from ..model.identity import (
    ARXIV_RE,
    DOI_RE,
    KEY_RE,
    Facts,
    Index,
    arxiv_from_url,
    facts_of_work,
    is_safe_url,
)
from ..model.normalise import did_you_mean, one_of
from ..read.taxonomy import SECTION_WORD, TOPIC_SECTIONS, Taxonomy

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# C0 and C1 control characters other than tab and line ends: never meant in a field,
# usually left by a paste or a wrong encoding, and XML (the feed, the graph) cannot
# carry most of them.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Extra fields each entry type needs beyond title, year and url (BibTeX's own rules,
# trimmed to what a reader of the site needs to find the work).
REQUIRED_BY_TYPE: dict[str, tuple[str, ...]] = {
    "article": ("journal",),
    "inproceedings": ("booktitle",),
    "incollection": ("booktitle",),
    "book": ("publisher",),
    "techreport": ("institution",),
    "phdthesis": ("school",),
    "mastersthesis": ("school",),
}
UNKNOWN_CODE = {"tois": "TOI201", "endstories": "TOI202", "agendas": "TOI204"}


def _d(code: str, work: Work, field: str | None, message: str, hint: str = "") -> Diagnostic:
    line = work.raw.line_of(field) if field else work.span.line
    return Diagnostic(code, Span(work.span.file, line), message, hint)


def check_keys(corpus: Corpus) -> Iterator[Diagnostic]:
    everyone = [*corpus.works.values(), *corpus.duplicates]
    for work in everyone:
        if not KEY_RE.match(work.key):
            shown = work.key.encode("unicode_escape").decode("ascii")[:60]
            yield _d(
                "TOI105",
                work,
                None,
                f"key `{shown}` is not allowed",
                "use lower-case letters, digits and - _ . : + (e.g. nanda2022longlist)",
            )
    for dup in corpus.duplicates:
        first = corpus.works[dup.key]
        yield _d(
            "TOI102",
            dup,
            None,
            f"key `{dup.key}` already used at {first.span.file}:{first.span.line}",
            "rename one key; if both are the same work, delete one entry",
        )
    by_slug: dict[str, Work] = {}
    for work in corpus.works.values():
        other = by_slug.setdefault(work.slug, work)
        if other is not work:
            yield _d(
                "TOI106",
                work,
                None,
                f"key `{work.key}` differs only by case from `{other.key}` "
                f"({other.span.file}:{other.span.line})",
                "rename one of them; page names are case-insensitive on many systems",
            )


def check_fields(corpus: Corpus) -> Iterator[Diagnostic]:
    next_year = dt.date.today().year + 1
    for work in corpus.works.values():
        raw = work.raw
        needed = ["title", "year", "url", *REQUIRED_BY_TYPE.get(raw.entry_type, ())]
        if work.kind not in ("webpage",) and "editor" not in raw.fields:
            needed.insert(0, "author")
        for name in needed:
            if not (raw.get(name) or "").strip():
                yield _d(
                    "TOI110",
                    work,
                    None,
                    f"@{raw.entry_type} `{work.key}` has no `{name}`",
                    f"add `{name} = {{...}}`",
                )
        year = raw.get("year")
        if year is not None and not (work.year and 1900 <= work.year <= next_year):
            yield _d(
                "TOI111",
                work,
                "year",
                f"year `{year.strip()}` is not a plausible year",
                "write a four-digit year, e.g. year = {2023}",
            )
        month = raw.get("month")
        if month is not None and work.month is None:
            yield _d(
                "TOI118",
                work,
                "month",
                f"month `{month.strip()}` is not a month",
                "write month = jun (no braces) or a number 1-12",
            )
        for name in ("added", "modified"):
            value = raw.get(name)
            if value is not None and not _is_iso_date(value.strip()):
                yield _d(
                    "TOI112",
                    work,
                    name,
                    f"`{name}` = `{value.strip()}` is not YYYY-MM-DD",
                    "for example added = {2026-11-25}",
                )
        if raw.get("added") is None:
            yield _d(
                "TOI122",
                work,
                None,
                f"`{work.key}` has no `added` date",
                "add added = {YYYY-MM-DD}, the day it entered the corpus",
            )
        rt = raw.get("readingtime")
        if rt is not None and not (work.readingtime and 1 <= work.readingtime <= 1000):
            yield _d(
                "TOI113",
                work,
                "readingtime",
                f"readingtime `{rt.strip()}` is not minutes",
                "a whole number of minutes, e.g. readingtime = {25}",
            )
        for name in ("url", "pdf", "code"):
            value = raw.get(name)
            if value is not None and not is_safe_url(value.strip()):
                yield _d(
                    "TOI114",
                    work,
                    name,
                    f"`{name}` is not an absolute http(s) URL",
                    "write https://...; other schemes are refused",
                )
        if work.doi is not None and not DOI_RE.match(work.doi):
            yield _d(
                "TOI115",
                work,
                "doi",
                f"DOI `{work.doi}` is malformed",
                "write only 10.NNNN/suffix, without https://doi.org/",
            )
        eprint = raw.get("eprint")
        if eprint is not None and work.arxiv == eprint.strip():
            if not ARXIV_RE.match(work.arxiv):
                yield _d(
                    "TOI116",
                    work,
                    "eprint",
                    f"arXiv id `{work.arxiv}` is malformed",
                    "e.g. eprint = {2211.00593}, without 'arXiv:' or a version",
                )
            url_id = arxiv_from_url(work.url)
            if url_id and url_id != work.arxiv:
                yield _d(
                    "TOI117",
                    work,
                    "url",
                    f"url points at arXiv {url_id} but eprint is {work.arxiv}",
                    "make url and eprint name the same paper",
                )
        for name, field in raw.fields.items():
            control = CONTROL_RE.search(field.value)
            if control:
                yield _d(
                    "TOI123",
                    work,
                    name,
                    f"`{name}` contains control character U+{ord(control.group()):04X}",
                    "delete it; it is usually left by a paste or a wrong encoding",
                )
        if not work.summary:
            yield _d(
                "TOI120",
                work,
                None,
                f"`{work.key}` has no summary",
                "add summary = {...}: what it claims and why it matters, in our words",
            )


def check_date(corpus: Corpus) -> Iterator[Diagnostic]:
    """biblatex's `date`: a year, year-month or full date, or a range of them (`a/b`)."""
    for work in corpus.works.values():
        value = work.raw.get("date")
        if value is not None and not all(
            part == "" or _is_partial_date(part) for part in value.strip().split("/", 1)
        ):
            yield _d(
                "TOI112",
                work,
                "date",
                f"`date` = `{value.strip()}` is not YYYY, YYYY-MM, YYYY-MM-DD or a range a/b",
                "for example date = {2023-05-02}",
            )


def _is_partial_date(value: str) -> bool:
    if re.fullmatch(r"\d{4}", value):
        return True
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        return True
    return _is_iso_date(value)


def check_checked(corpus: Corpus) -> Iterator[Diagnostic]:
    """`checked` must say when and against what the metadata was compared."""
    for work in corpus.works.values():
        value = work.raw.get("checked")
        if value is None:
            continue
        if work.checked is None or not _is_iso_date(work.checked.date):
            yield _d(
                "TOI133",
                work,
                "checked",
                f"`checked` = `{' '.join(value.split())[:80]}` is not `YYYY-MM-DD: source`",
                "for example checked = {2026-12-03: arXiv abstract page}",
            )


def _is_iso_date(value: str) -> bool:
    if not DATE_RE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def check_tags(corpus: Corpus) -> Iterator[Diagnostic]:
    tax = corpus.taxonomy
    every_topic = {t.id: name for name in TOPIC_SECTIONS for t in tax.section(name).values()}
    for work in corpus.works.values():
        yield from _check_items(work)
        if work.default_stance and work.default_stance not in tax.stances:
            yield _d(
                "TOI203",
                work,
                "stance",
                f"unknown stance `{work.default_stance}`",
                one_of(work.default_stance, tax.stances, "stances"),
            )
        if work.kind_explicit and work.kind not in tax.kinds:
            yield _d(
                "TOI205",
                work,
                "kind",
                f"unknown kind `{work.kind}`",
                one_of(work.kind, tax.kinds, "kinds"),
            )
        seen: set[str] = set()
        for tag in work.tags:
            span = Span(work.span.file, tag.line)
            if not tag.topic:
                continue  # reported by _check_items
            if tag.topic in seen:
                yield Diagnostic(
                    "TOI207", span, f"`{tag.topic}` is tagged twice", "keep one occurrence"
                )
            seen.add(tag.topic)
            section = tax.section(tag.field)
            if tag.topic not in section:
                yield Diagnostic(
                    UNKNOWN_CODE[tag.field],
                    span,
                    f"unknown {SECTION_WORD[tag.field]} `{tag.topic}` in `{tag.field}`",
                    _topic_hint(tag.topic, tag.field, tax, every_topic),
                )
            if tag.stance is None:
                yield Diagnostic(
                    "TOI206",
                    span,
                    f"no stance for `{tag.topic}`",
                    f"write `{tag.topic}:critiques` or add a default `stance = {{...}}`",
                )
            elif tag.explicit and tag.stance not in tax.stances:
                yield Diagnostic(
                    "TOI203",
                    span,
                    f"unknown stance `{tag.stance}` on `{tag.topic}`",
                    one_of(tag.stance, tax.stances, "stances"),
                )
        if not work.tags:
            yield _d(
                "TOI121",
                work,
                None,
                f"`{work.key}` names no topic",
                "add tois = {...}, endstories = {...} or agendas = {...}",
            )


def _topic_hint(topic: str, field: str, tax: Taxonomy, every_topic: dict[str, str]) -> str:
    if topic in tax.renamed:
        return f"`{topic}` was renamed to `{tax.renamed[topic]}`"
    if topic in every_topic:
        return f"`{topic}` is declared under `{every_topic[topic]}`; move it to that field"
    return did_you_mean(topic, tax.section(field)) or f"see the allowed values for `{field}`"


def _check_items(work: Work) -> Iterator[Diagnostic]:
    for item in work.items:
        sep = "@" if item.field not in TOPIC_SECTIONS else ":"
        head, _, tail = item.text.partition(sep)
        bad = (
            not item.text
            or not head.strip()
            or sep in tail
            or (sep == "@" and _ and not tail.strip())
        )
        if not bad and item.field in TOPIC_SECTIONS:
            bad = not ID_RE.match(head.strip())
        if bad:
            shown = item.text or "(empty)"
            yield Diagnostic(
                "TOI119",
                Span(work.span.file, item.line),
                f"cannot read item `{shown}` in `{item.field}`",
                "items are comma-separated: id or id:stance for tags, key or key@topic for edges",
            )


def check_edges(corpus: Corpus) -> Iterator[Diagnostic]:
    tax = corpus.taxonomy
    for work in corpus.works.values():
        seen: set[tuple[str, str, str | None]] = set()
        for edge in work.edges:
            if not edge.target:
                continue  # reported as TOI119
            ident = (edge.type, edge.target, edge.scope)
            if ident in seen:
                yield Diagnostic(
                    "TOI304",
                    edge.span,
                    f"edge `{edge.type} {edge.target}` is declared twice",
                    "keep one",
                )
            seen.add(ident)
            if edge.target == work.key:
                yield Diagnostic(
                    "TOI303",
                    edge.span,
                    f"`{work.key}` {edge.type} itself",
                    "point the edge at another work",
                )
            elif edge.target not in corpus.works:
                yield Diagnostic(
                    "TOI301",
                    edge.span,
                    f"`{edge.type}` points at `{edge.target}`, which is not in bib/",
                    did_you_mean(edge.target, corpus.works)
                    or "add that work first, or fix the key",
                )
            if edge.scope is not None and edge.scope and tax.topic(edge.scope) is None:
                every = [t.id for t in tax.all_topics()]
                yield Diagnostic(
                    "TOI302",
                    edge.span,
                    f"edge scoped to unknown topic `{edge.scope}`",
                    did_you_mean(edge.scope, every)
                    or "scope with a theory of impact, end story or agenda id",
                )


def check_edge_order(corpus: Corpus) -> Iterator[Diagnostic]:
    """An edge says the work itself names or answers its target, so the target must
    already exist: a work cannot rebut, support, extend or reply to a later one."""
    for work in corpus.works.values():
        written = stated(work)
        if written is None:
            continue  # no plausible year: TOI110 or TOI111
        for edge in work.edges:
            target = corpus.works.get(edge.target)
            if target is None or target is work:
                continue  # TOI301 or TOI303
            appeared = first_appeared(target)
            if appeared is not None and before(written, appeared):
                yield Diagnostic(
                    "TOI305",
                    edge.span,
                    f"`{work.key}` ({written}) {edge.type} `{target.key}`, "
                    f"which appeared later ({appeared})",
                    "an edge means the work names its target; if the later work cites this "
                    "one, declare the edge there, or record this work as evidence on a claim "
                    "in bib/claims.yaml (supported_by, disputed_by); else fix the dates",
                )


# Each work's identity facts, carried from the last check in this process: the
# preview's builds reuse the works of unchanged files (model/carried.py), and making the
# facts of 10,000 works took most of a second.
_FACTS: Carried[Work, Facts] = Carried()


def check_duplicates(corpus: Corpus) -> Iterator[Diagnostic]:
    """Same work under two keys, by `identity.same_work`: certain (error) or likely (warning)."""
    seen: Index[Work] = Index()
    works = list(corpus.works.values())
    for work, facts in zip(works, _FACTS.each(works, facts_of_work), strict=True):
        found = seen.find(facts)
        seen.add(facts, work)
        if found is None:
            continue
        first, reason = found
        where = f"({first.span.file}:{first.span.line})"
        if reason.certain:
            yield _d(
                "TOI401",
                work,
                None,
                f"`{work.key}` has the {reason} as `{first.key}` {where}",
                "keep one entry and move its tags and edges over",
            )
        else:
            yield _d(
                "TOI402",
                work,
                "title",
                f"`{work.key}` has the same title and an author with `{first.key}` {where}",
                "if they are one work, merge them",
            )


def check_balance(corpus: Corpus) -> Iterator[Diagnostic]:
    """Each ToI and end story needs both sides, or its page is not a debate."""
    tax = corpus.taxonomy
    stances: dict[str, set[str | None]] = {}
    for work in corpus.works.values():
        for tag in work.tags:
            stances.setdefault(tag.topic, set()).add(tag.stance)
    for name in ("tois", "endstories"):
        for term in tax.section(name).values():
            sides = [tax.stance_with_role(role) for role in ("for", "against")]
            missing = [s for s in sides if s is not None and s not in stances.get(term.id, ())]
            if missing:
                yield Diagnostic(
                    "TOI501",
                    Span(tax.path, term.line),
                    f"no work {' or '.join(missing)} `{term.id}`",
                    f"tag a work with `{term.id}:{missing[0]}`",
                )


# Zero-width characters: invisible, so two keys or titles that look the same differ.
# Only a warning: U+200C and U+200D are needed in some scripts and emoji.
ZERO_WIDTH_RE = re.compile("[\u200b-\u200d\u2060\ufeff]")
# Beyond these, a field is almost certainly a paste of the wrong thing (the whole
# abstract, a page of text). Our longest title has 119 characters and our longest
# summary 491; docs/data-model.md states the limits.
MAX_CHARS = {"title": 300, "summary": 1000}


def check_text(corpus: Corpus) -> Iterator[Diagnostic]:
    """Text that would mislead a reader: bidi controls, invisible characters, walls of text."""
    for work in corpus.works.values():
        for name, field in work.raw.fields.items():
            bad = bidi.first_unbalanced(field.value)
            if bad is not None:
                point = f"U+{ord(bad.char):04X}"
                yield _d(
                    "TOI130",
                    work,
                    name,
                    f"`{name}` has {point} "
                    + ("never closed" if bad.unclosed else "closing nothing"),
                    "delete the bidi control characters; right-to-left text needs none",
                )
        for name in ("title", *corpus.taxonomy.edgetypes):
            zero = ZERO_WIDTH_RE.search(work.raw.get(name) or "")
            if zero:
                yield _d(
                    "TOI131",
                    work,
                    name,
                    f"`{name}` contains invisible U+{ord(zero.group()):04X}",
                    "delete it: it makes text that looks the same compare different",
                )
        for name, text in (("title", work.title), ("summary", work.summary)):
            size, limit = len(text), MAX_CHARS[name]
            if size > limit:
                yield _d(
                    "TOI132",
                    work,
                    name,
                    f"`{name}` is {size:,} characters long (more than {limit:,})",
                    "is this the whole abstract or a wrong paste? keep only the "
                    + ("title" if name == "title" else "one to three sentences in our words"),
                )


CHECKS: tuple[Callable[[Corpus], Iterable[Diagnostic]], ...] = (
    check_keys,
    check_fields,
    check_date,
    check_checked,
    check_text,
    check_tags,
    check_edges,
    check_edge_order,
    check_duplicates,
)


def validate(corpus: Corpus, *, balance: bool = False) -> list[Diagnostic]:
    """Every finding. `balance` adds TOI501, a property of a whole corpus, not of one entry."""
    out: list[Diagnostic] = []
    for check in (*CHECKS, check_balance) if balance else CHECKS:
        out.extend(check(corpus))
    return out
