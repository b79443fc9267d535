"""`toi-atlas add <arXiv id | DOI | URL>`: one new entry from the work's own record.

Order matters: everything that can be checked offline (the identifier, the target
file, the --toi/--end-story ids, whether the work is already in the corpus) is
checked before the first network call, and nothing is written unless the whole
entry was built. The file is appended to atomically and its existing bytes are
left exactly as they were.

The record comes from a server we do not control, so every value is vetted for its
field before it becomes BibTeX (`vet`): invisible characters are removed, a bad
optional value (a pdf link, a DOI found in a page, a page range) is dropped with a
warning, and a bad essential one (title, authors, url, the journal or proceedings an
entry type needs) refuses the add with exit 2, as a usage error does: the input
cannot be used as it is. The entry must then
read back with exactly the fields and values we meant to write, or nothing is written.
Exit 1 is left for a failed lookup, a duplicate, an unwritable file and our own bugs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person
from pybtex.exceptions import PybtexError

from .bibtext import bibtex_title, canonical_rank, entry_to_bibtex, escape_latex
from .diagnostics import Span
from .exits import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .identity import Facts, facts_of_work, find_same, make_key
from .identity import unique_key as free_key
from .load import PERSON_FIELDS, RawEntry, RawField, parse_text
from .model import Corpus, Work, build_work, latex_to_unicode
from .net import Client, NetError, Policy
from .normalise import did_you_mean, one_of
from .options import add_root
from .pipeline import Paths, load_and_check
from .sources import (
    Endpoints,
    Identifier,
    IdKind,
    Name,
    Record,
    Venue,
    parse_identifier,
    resolve,
)
from .taxonomy import SECTION_WORD, Taxonomy
from .untrusted import (
    braces_balanced,
    clean_text,
    is_arxiv_id,
    is_doi,
    is_primary_class,
    is_url,
    plausible_year,
    shown,
    terminal_safe,
)
from .wording import counted
from .write import atomic_write

DEFAULT_FILE = "bib/after-2023.bib"
# Volume, issue and pages are short tokens (`33`, `3`, `e1234--e1240`); longer is junk.
MAX_DETAIL = 40
OPTION_OF = {"tois": "--toi", "endstories": "--end-story", "agendas": "--agenda"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Look the work up in its own record (arXiv API, DOI negotiation or Crossref, "
        "the page's meta tags) and append a canonical entry to a file in bib/."
    )
    parser.epilog = (
        "Environment: TOI_ATLAS_MAILTO (contact address sent in the User-Agent), "
        "TOI_ATLAS_TIMEOUT, TOI_ATLAS_RETRIES, TOI_ATLAS_BACKOFF (seconds), "
        "TOI_ATLAS_ARXIV_API, TOI_ATLAS_DOI_RESOLVER, TOI_ATLAS_CROSSREF_API (base URLs), "
        "TOI_ATLAS_ARXIV_INTERVAL (seconds between arXiv calls, default 3), "
        "TOI_ATLAS_DEADLINE (seconds one request may take in all, default 120), "
        "TOI_ATLAS_MAX_BYTES (largest answer read, default 10 MiB)."
    )
    parser.add_argument("identifier", help="arXiv id (2211.00593), DOI (10.NNNN/x) or URL")
    parser.add_argument(
        "--toi",
        action="append",
        default=[],
        metavar="ID:STANCE",
        help="theory of impact the work argues about, with its stance (repeat or comma-separate)",
    )
    parser.add_argument(
        "--end-story",
        dest="end_story",
        action="append",
        default=[],
        metavar="ID[:STANCE]",
        help="end story the work relies on or attacks (repeat or comma-separate)",
    )
    parser.add_argument(
        "--agenda",
        action="append",
        default=[],
        metavar="ID[:STANCE]",
        help="alternative agenda the work argues for or against (repeat or comma-separate)",
    )
    parser.add_argument("--stance", help="default stance for tags given without one")
    parser.add_argument(
        "--file",
        default=DEFAULT_FILE,
        help=f"the .bib file in bib/ to append to (default: {DEFAULT_FILE})",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the entry, write nothing")
    add_root(parser)


def _say(message: str) -> None:
    # Messages quote what a server sent: never let it reach the terminal raw.
    print(f"toi-atlas add: {terminal_safe(message)}", file=sys.stderr)


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

_ENTRY_TYPE = {
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
    entry_type, venue_field = _ENTRY_TYPE[record.venue_kind]
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


# --- vetting the record -----------------------------------------------------------


@dataclass(frozen=True)
class Vetted:
    """A record whose every field passed its check, what was dropped, what refuses it."""

    record: Record
    warnings: tuple[str, ...] = ()
    refusals: tuple[str, ...] = ()


class _Vetting:
    """Collects the warnings and refusals of one record's fields."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[str] = []
        self.refusals: list[str] = []

    def text(self, field: str, value: str, *, essential: bool, limit: int = 0) -> str:
        """Invisible characters removed; "" (dropped) or refused if not a BibTeX value."""
        clean, removed = clean_text(value)
        if removed:
            self.warnings.append(
                f"removed invisible or control characters ({', '.join(removed)}) from the {field}"
            )
        problem = ""
        if not braces_balanced(clean):
            problem = "has unbalanced braces"
        elif limit and len(clean) > limit:
            problem = f"is longer than {limit} characters"
        if not problem:
            return clean
        if essential:
            self.refusals.append(f"the {field} {shown(clean)} ({self.source}) {problem}")
        else:
            self.warnings.append(
                f"dropped the {field} {shown(clean)}: it {problem}; the entry is written without it"
            )
        return ""

    def ident(self, field: str, value: str | None, ok: bool, form: str) -> str | None:
        """An identifier or link as sent, or None (dropped, with a warning) if not `form`."""
        if value is None or ok:
            return value
        self.warnings.append(
            f"dropped the {field} {shown(value)}: not {form}; the entry is written without it"
        )
        return None

    def name(self, name: Name) -> Name | None:
        refused = len(self.refusals)
        family = self.text("author", name.family, essential=True)
        given = self.text("author", name.given, essential=True)
        if family:
            return self._one_person(Name(family, given, name.literal))
        if len(self.refusals) == refused:  # nothing left of it, rather than refused
            self.warnings.append(
                f"dropped the author {shown(name.family + ' ' + name.given)}: no name is left"
            )
        return None

    def _one_person(self, name: Name) -> Name:
        """`name`, or the same text as one literal name if BibTeX would read it otherwise.

        `Tom and Jerry` would be two people and `a, b, c, d` too many commas.
        """
        written = bibtex_name(name)
        try:
            one = len(split_name_list(written)) == 1 and bool(Person(written))
        except PybtexError:
            one = False
        if one or name.literal:
            return name
        text = f"{name.given} {name.family}".strip()
        self.warnings.append(
            f"wrote the author {shown(text)} as one name in braces: as it came, BibTeX "
            "would not read it as one person"
        )
        return Name(text, literal=True)


def vet(record: Record, this_year: int) -> Vetted:
    """Check every field of a fetched record for its form before it becomes BibTeX.

    Text loses invisible characters (with a warning) and must have balanced braces;
    identifiers, links and dates must be of their field's exact form. Optional values
    that fail are dropped with a warning; title, authors, venue and url refuse the add.
    """
    v = _Vetting(record.source)
    title = v.text("title", record.title, essential=True)
    if not title and not v.refusals:
        v.refusals.append(f"the source ({record.source}) gave no usable title")
    authors = tuple(n for n in (v.name(a) for a in record.authors) if n is not None)
    venue_field = _ENTRY_TYPE[record.venue_kind][1]
    # A journal, proceedings or publisher makes the entry type; a site name is extra.
    typed = record.venue_kind not in (Venue.SITE, Venue.NONE)
    if not is_url(record.url):
        v.refusals.append(f"the url {shown(record.url)} ({record.source}) is not an http(s) URL")
    arxiv = v.ident("arXiv id", record.arxiv, is_arxiv_id(record.arxiv or ""), "an arXiv id")
    primary = record.primaryclass if arxiv else None
    year, month = record.year, record.month
    if year is not None and not plausible_year(year, this_year):
        v.warnings.append(f"dropped the year {year}: not a plausible year; add `year` by hand")
        year, month = None, None
    if month is not None and not 1 <= month <= 12:
        v.warnings.append(f"dropped the month {month}: not a month")
        month = None
    vetted = replace(
        record,
        title=title,
        authors=authors,
        venue=v.text(venue_field, record.venue, essential=typed),
        publisher=v.text("publisher", record.publisher, essential=typed),
        volume=v.text("volume", record.volume, essential=False, limit=MAX_DETAIL),
        number=v.text("number", record.number, essential=False, limit=MAX_DETAIL),
        pages=v.text("pages", record.pages, essential=False, limit=MAX_DETAIL),
        year=year,
        month=month,
        doi=v.ident("DOI", record.doi, is_doi(record.doi or ""), "a DOI (10.NNNN/suffix)"),
        arxiv=arxiv,
        primaryclass=v.ident(
            "arXiv category", primary, is_primary_class(primary or ""), "an arXiv category"
        ),
        pdf=v.ident("pdf link", record.pdf, is_url(record.pdf or ""), "an http(s) URL"),
        warnings=(),
    )
    return Vetted(vetted, (*record.warnings, *v.warnings), tuple(v.refusals))


# --- duplicates --------------------------------------------------------------------


def known_by_identifier(ident: Identifier, works: list[Work]) -> tuple[Work, str] | None:
    """The work already in the corpus under this identifier, before any network call."""
    if ident.kind is IdKind.ARXIV:
        facts = Facts(arxiv=ident.value)
    else:
        facts = Facts(doi=ident.value) if ident.kind is IdKind.DOI else Facts(url=ident.value)
    return known_work_facts(facts, works)


def known_work(candidate: Work, works: list[Work]) -> tuple[Work, str] | None:
    """The work already in the corpus that `identity.same_work` calls the same."""
    return known_work_facts(facts_of_work(candidate), works)


def known_work_facts(facts: Facts, works: list[Work]) -> tuple[Work, str] | None:
    found = find_same(facts, ((facts_of_work(w), w) for w in works))
    return (found[0], found[1].evidence) if found else None


def _refuse_duplicate(found: tuple[Work, str]) -> int:
    work, what = found
    _say(
        f"already in the corpus: `{work.key}` at {work.span.file}:{work.span.line} "
        f"has the same {what}"
    )
    return EXIT_FINDINGS


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


# --- writing -----------------------------------------------------------------------


def appended(existing: bytes, entry: str) -> tuple[bytes, int]:
    """`existing` + one blank line + `entry`, in the file's own line ending; and its line."""
    nl = b"\r\n" if b"\r\n" in existing else b"\n"
    body = entry.replace("\n", nl.decode()).encode("utf-8")
    if not existing:
        sep = b""
    elif existing.endswith(nl + nl):
        sep = b""  # already a blank line at the end
    elif existing.endswith(nl):
        sep = nl
    else:
        sep = nl + nl
    line = existing.count(b"\n") + sep.count(b"\n") + 1
    return existing + sep + body, line


def _target(root: Path, name: str) -> Path | None:
    path = Path(name) if Path(name).is_absolute() else root / name
    bib = (root / "bib").resolve()
    resolved = path.resolve()
    if resolved.suffix != ".bib" or resolved.parent != bib:
        return None
    return resolved


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


# --- the command -------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    try:
        ident = parse_identifier(args.identifier)
    except ValueError as exc:
        _say(str(exc))
        return EXIT_USAGE
    root: Path = args.root
    paths = Paths(root)
    target = _target(root, args.file)
    if target is None:
        _say(f"--file must name a .bib file directly in {paths.display(paths.bib)}/")
        return EXIT_USAGE
    loaded = load_and_check(paths)
    if loaded.corpus is None or any(d.code.startswith("TOI0") for d in loaded.diagnostics):
        _say(f"{paths.display(paths.taxonomy)} is broken; run `toi-atlas check` first")
        return EXIT_FINDINGS
    corpus = loaded.corpus
    tags, errors = _tags(args, corpus.taxonomy)
    if errors:
        for error in errors:
            _say(error)
        return EXIT_USAGE
    works = [*corpus.works.values(), *corpus.duplicates]
    found = known_by_identifier(ident, works)
    if found:
        return _refuse_duplicate(found)
    try:
        policy = Policy.from_env()
        endpoints = Endpoints.from_env()
    except ValueError as exc:
        _say(str(exc))
        return EXIT_USAGE
    with Client(policy, intervals=endpoints.intervals()) as client:
        try:
            record = resolve(ident, client, endpoints)
        except NetError as exc:
            _say(f"could not get the metadata of {ident.kind} {ident.value}: {exc}")
            return EXIT_FINDINGS
    return _write(record, tags, corpus, paths, target, works, dry_run=args.dry_run)


def _tags(args: argparse.Namespace, taxonomy: Taxonomy) -> tuple[Tags, list[str]]:
    tois, errors = parse_tags(args.toi, "tois", taxonomy)
    endstories, more = parse_tags(args.end_story, "endstories", taxonomy)
    agendas, most = parse_tags(args.agenda, "agendas", taxonomy)
    errors += more + most
    if args.stance is not None and args.stance not in taxonomy.stances:
        hint = one_of(args.stance, taxonomy.stances, "stances")
        errors.append(f"unknown stance `{args.stance}`: {hint}")
    return Tags(tuple(tois), tuple(endstories), tuple(agendas), args.stance), errors


def _write(
    record: Record,
    tags: Tags,
    corpus: Corpus,
    paths: Paths,
    target: Path,
    works: list[Work],
    *,
    dry_run: bool,
) -> int:
    shown_target = paths.display(target)
    today = dt.date.today()
    vetted = vet(record, today.year)
    for warning in vetted.warnings:
        _say(f"warning: {warning}")
    if vetted.refusals:
        for refusal in vetted.refusals:
            _say(refusal)
        _say(
            "nothing written: add this work by hand (CONTRIBUTING.md), taking each field "
            "from the work itself"
        )
        return EXIT_USAGE
    record = vetted.record
    taken = {w.key.lower() for w in works}
    key = unique_key(key_stem(record), taken)
    raw = build_entry(record, key, tags, today, shown_target)
    found = known_work(build_work(raw, corpus.taxonomy), works)
    if found:
        return _refuse_duplicate(found)
    text = entry_to_bibtex(raw)
    problem = read_back_problem(text, raw)
    if problem:
        _say(f"internal error: the entry for `{key}` was not written, {problem}; please report")
        return EXIT_FINDINGS
    sys.stdout.write(text)
    for gap in missing(record):
        _say(f"note: {gap}")
    if dry_run:
        _say(f"dry run: `{key}` would be appended to {shown_target}; nothing written")
        return EXIT_OK
    try:
        existing = target.read_bytes() if target.exists() else b""
        data, line = appended(existing, text)
        atomic_write(target, data)  # keeps the file's permissions
    except OSError as exc:
        _say(f"cannot write {shown_target}: {exc.strerror or exc}; nothing written")
        return EXIT_FINDINGS
    _say(f"added `{key}` ({record.source}) at {shown_target}:{line}")
    if not tags:
        _say("no --toi, --end-story or --agenda: `toi-atlas check` will report what is missing")
    else:
        _say("next: write its `summary`, then run `toi-atlas check`")
    return EXIT_OK
