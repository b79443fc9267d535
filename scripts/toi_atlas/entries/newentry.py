"""A fetched `Record` as a new BibTeX entry: fields, key, tags, and the read-back check.

Plain Unicode from the record becomes BibTeX text (bibtext.escape_latex and
bibtex_title, names as `Last, First`); the key follows `identity.make_key`; tags
given on the command line are checked against the taxonomy. `read_back_problem`
is the last guard: the text must read back as exactly the entry we meant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person

from ..diagnostics import Span
from ..model.corpus import latex_to_unicode
from ..model.identity import Facts, make_key
from ..model.identity import unique_key as free_key
from ..model.normalise import did_you_mean, one_of
from ..model.untrusted import (
    shown,
)
from ..net.sources import (
    Name,
    Record,
    Venue,
)
from ..read.load import PERSON_FIELDS, RawEntry, RawField, parse_text
from ..read.taxonomy import SECTION_WORD, Taxonomy
from ..wording import counted
from ..write.bibtext import bibtex_title, canonical_rank, entry_to_bibtex, escape_latex

OPTION_OF = {"tois": "--toi", "endstories": "--end-story", "agendas": "--agenda"}


# --- names --------------------------------------------------------------------


def bibtex_name(name: Name) -> str:
    if name.literal:
        return "{" + escape_latex(name.family) + "}"  # braces keep an organisation whole
    family, given = escape_latex(name.family), escape_latex(name.given)
    return f"{family}, {given}" if given else family


def author_field(names: tuple[Name, ...]) -> str:
    # Every name, however many: the site shortens long lists itself, and a list cut to
    # "and others" loses names no export can bring back.
    return " and ".join(bibtex_name(n) for n in names)


# --- keys --------------------------------------------------------------------------


def key_stem(record: Record) -> str:
    """lastnameYEARfirstword, as in `nanda2022longlist` (the rule is `identity.make_key`)."""
    title = latex_to_unicode(record.title) if record.title_math else record.title
    names = tuple(
        "{" + n.family + "}" if n.literal else f"{n.family}, {n.given}" for n in record.authors
    )
    venue = record.venue or (record.publisher if record.venue_kind is Venue.BOOK else "")
    return make_key(Facts(title=title, names=names, year=record.year, venue=venue))


def unique_key(stem: str, taken: set[str]) -> str:
    """The stem, else stem + b, c, ... (case-insensitive: TOI106 refuses case twins)."""
    return free_key(stem, {k.casefold() for k in taken})


# --- the entry ---------------------------------------------------------------------

ENTRY_TYPE = {
    Venue.JOURNAL: ("article", "journal"),
    Venue.CONFERENCE: ("inproceedings", "booktitle"),
    Venue.CHAPTER: ("incollection", "booktitle"),
    Venue.BOOK: ("book", "publisher"),
    Venue.SITE: ("misc", "howpublished"),
    Venue.NONE: ("misc", "howpublished"),
}
_MONTHS = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)


@dataclass(frozen=True)
class Tags:
    tois: tuple[str, ...] = ()
    endstories: tuple[str, ...] = ()
    agendas: tuple[str, ...] = ()
    stance: str | None = None

    def __bool__(self) -> bool:
        return bool(self.tois or self.endstories or self.agendas)


def build_entry(record: Record, key: str, tags: Tags, added: dt.date, file: str) -> RawEntry:
    entry_type, venue_field = ENTRY_TYPE[record.venue_kind]
    venue = record.venue or (record.publisher if record.venue_kind is Venue.BOOK else "")
    if entry_type == "book" and not venue:
        entry_type, venue_field = "misc", "howpublished"
    values: dict[str, str] = {
        "author": author_field(record.authors),
        "title": bibtex_title(record.title, math=record.title_math),
        venue_field: escape_latex(venue),
        "volume": escape_latex(record.volume),
        "number": escape_latex(record.number),
        "pages": escape_latex(record.pages),
        "year": str(record.year or ""),
        "month": _MONTHS[record.month - 1] if record.month else "",  # written as the macro
        "doi": record.doi or "",
        "eprint": record.arxiv or "",
        "archiveprefix": "arXiv" if record.arxiv else "",
        "primaryclass": (record.primaryclass or "") if record.arxiv else "",
        "url": record.url,
        "pdf": record.pdf or "",
        "kind": record.kind,
        "tois": ", ".join(tags.tois),
        "endstories": ", ".join(tags.endstories),
        "agendas": ", ".join(tags.agendas),
        "stance": tags.stance or "",
        "added": added.isoformat(),
        # The record add read is the check: say which one and when (shown on the page).
        "checked": f"{added.isoformat()}: {record.source} record, read by toi-atlas add",
    }
    fields = {n: RawField(n, v, 1) for n, v in values.items() if v}
    persons = {n: _persons(fields[n].value) for n in PERSON_FIELDS if n in fields}
    return RawEntry(key, entry_type, fields, persons, Span(file, 1))


def _persons(value: str) -> list[Person]:
    return [Person(n) for n in split_name_list(value)]


def missing(record: Record) -> list[str]:
    """What the source did not say; the checker would report it, we say it first."""
    gaps = []
    if not record.authors and record.kind != "webpage":
        gaps.append("no author found: add `author` by hand")
    if record.year is None:
        gaps.append("no date found: add `year` (and `month`) by hand")
    return gaps


# --- tags --------------------------------------------------------------------------


def parse_tags(values: list[str], section: str, taxonomy: Taxonomy) -> tuple[list[str], list[str]]:
    """Comma-separated `id[:stance]` items -> (items, errors with a did-you-mean)."""
    items, errors = [], []
    for raw in (p.strip() for v in values for p in v.split(",")):
        if not raw:
            continue
        topic, sep, stance = (s.strip() for s in raw.partition(":"))
        if topic not in taxonomy.section(section):
            errors.append(_unknown_topic(topic, section, taxonomy))
        if sep and stance not in taxonomy.stances:
            hint = one_of(stance, taxonomy.stances, "stances")
            errors.append(f"unknown stance `{stance}` on `{topic}`: {hint}")
        items.append(f"{topic}:{stance}" if sep else topic)
    return items, errors


def _unknown_topic(topic: str, section: str, taxonomy: Taxonomy) -> str:
    message = f"unknown {SECTION_WORD[section]} `{topic}`"
    if topic in taxonomy.renamed:
        return f"{message}: it was renamed to `{taxonomy.renamed[topic]}`"
    for other in ("tois", "endstories", "agendas"):
        if topic in taxonomy.section(other):
            return f"{message}: it is declared under `{other}`; use {OPTION_OF[other]}"
    hint = did_you_mean(topic, taxonomy.section(section))
    return f"{message}: {hint or 'see the allowed values page'}"


# --- reading back ------------------------------------------------------------------


def read_back_problem(text: str, raw: RawEntry) -> str | None:
    """What differs when `text` is read back, or None if it is exactly `raw`.

    The same key, type, field names and values, and nothing else: a value that
    closed its braces early would add fields or leave text outside the entry.
    """
    entries, diags = parse_text(text, "<new entry>")
    if diags or len(entries) != 1:
        why = diags[0].message if diags else counted(len(entries), "entry", "entries")
        return f"it does not read back as one entry ({why})"
    got = entries[0]
    if (got.key, got.entry_type) != (raw.key, raw.entry_type):
        return f"it reads back as @{got.entry_type}{{{got.key}}}"
    want = {n: " ".join(f.value.split()) for n, f in raw.fields.items()}
    have = {n: f.value for n, f in got.fields.items()}
    if "month" in have:
        have["month"] = have["month"].lower()  # pybtex expands the macro `apr` to `April`
    for name in sorted(want.keys() | have.keys(), key=canonical_rank):  # the first one written
        if want.get(name) != have.get(name):
            return (
                f"`{name}` reads back as {shown(have.get(name, '(nothing)'))} "
                f"instead of {shown(want.get(name, '(nothing)'))}"
            )
    if entry_to_bibtex(got) != text:
        return "text outside the entry reads back"
    return None
