"""Adding one work from its own record: the steps of `toi-atlas add`, in order.

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

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from ..exits import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from ..model.corpus import Corpus, Work, build_work
from ..model.identity import Facts, facts_of_work, find_same
from ..model.normalise import one_of
from ..net.client import Client, NetError, Policy
from ..net.sources import (
    Endpoints,
    Identifier,
    IdKind,
    Record,
    parse_identifier,
    resolve,
)
from ..output import LOG
from ..pipeline import Paths, load_and_check
from ..read.taxonomy import Taxonomy
from ..write.bibtext import entry_to_bibtex
from ..write.files import atomic_write
from .bibappend import append_entries
from .newentry import (
    Tags,
    build_entry,
    key_stem,
    missing,
    parse_tags,
    read_back_problem,
    unique_key,
)
from .vetting import vet

_SAY = "toi-atlas add: "  # every message names the command: add runs in scripts and CI


@dataclass(frozen=True)
class Request:
    """What `toi-atlas add` was asked, as plain values."""

    identifier: str
    root: Path
    file: str  # the .bib file in bib/ to append to
    toi: tuple[str, ...] = ()
    end_story: tuple[str, ...] = ()
    agenda: tuple[str, ...] = ()
    stance: str | None = None
    dry_run: bool = False


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
    LOG.error(
        f"{_SAY}already in the corpus: `{work.key}` at {work.span.file}:{work.span.line} "
        f"has the same {what}"
    )
    return EXIT_FINDINGS


# --- writing -----------------------------------------------------------------------


def target_file(root: Path, name: str) -> Path | None:
    """The .bib file `name` directly in root/bib/, or None (add and accept refuse others)."""
    path = Path(name) if Path(name).is_absolute() else root / name
    bib = (root / "bib").resolve()
    resolved = path.resolve()
    if resolved.suffix != ".bib" or resolved.parent != bib:
        return None
    return resolved


# --- the steps ---------------------------------------------------------------------


def add_work(req: Request) -> int:
    try:
        ident = parse_identifier(req.identifier)
    except ValueError as exc:
        LOG.error(f"{_SAY}{exc}")
        return EXIT_USAGE
    root: Path = req.root
    paths = Paths(root)
    target = target_file(root, req.file)
    if target is None:
        LOG.error(f"{_SAY}--file must name a .bib file directly in {paths.display(paths.bib)}/")
        return EXIT_USAGE
    loaded = load_and_check(paths)
    if loaded.corpus is None or any(d.code.startswith("TOI0") for d in loaded.diagnostics):
        LOG.error(f"{_SAY}{paths.display(paths.taxonomy)} is broken; run `toi-atlas check` first")
        return EXIT_FINDINGS
    corpus = loaded.corpus
    tags, errors = request_tags(req, corpus.taxonomy)
    if errors:
        for error in errors:
            LOG.error(f"{_SAY}{error}")
        return EXIT_USAGE
    works = [*corpus.works.values(), *corpus.duplicates]
    found = known_by_identifier(ident, works)
    if found:
        return _refuse_duplicate(found)
    try:
        policy = Policy.from_env()
        endpoints = Endpoints.from_env()
    except ValueError as exc:
        LOG.error(f"{_SAY}{exc}")
        return EXIT_USAGE
    with Client(policy, intervals=endpoints.intervals()) as client:
        try:
            record = resolve(ident, client, endpoints)
        except NetError as exc:
            LOG.error(f"{_SAY}could not get the metadata of {ident.kind} {ident.value}: {exc}")
            return EXIT_FINDINGS
    return write_record(record, tags, corpus, paths, target, works, dry_run=req.dry_run)


def request_tags(req: Request, taxonomy: Taxonomy) -> tuple[Tags, list[str]]:
    """The tags a request asks for, and what is wrong with them."""
    tois, errors = parse_tags(list(req.toi), "tois", taxonomy)
    endstories, more = parse_tags(list(req.end_story), "endstories", taxonomy)
    agendas, most = parse_tags(list(req.agenda), "agendas", taxonomy)
    errors += more + most
    if req.stance is not None and req.stance not in taxonomy.stances:
        hint = one_of(req.stance, taxonomy.stances, "stances")
        errors.append(f"unknown stance `{req.stance}`: {hint}")
    return Tags(tuple(tois), tuple(endstories), tuple(agendas), req.stance), errors


def write_record(
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
        LOG.warning(f"{_SAY}warning: {warning}")
    if vetted.refusals:
        for refusal in vetted.refusals:
            LOG.error(f"{_SAY}{refusal}")
        LOG.error(
            f"{_SAY}nothing written: add this work by hand (CONTRIBUTING.md), taking each field "
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
        LOG.error(
            f"{_SAY}internal error: the entry for `{key}` was not written, {problem}; please report"
        )
        return EXIT_FINDINGS
    sys.stdout.write(text)
    for gap in missing(record):
        LOG.info(f"{_SAY}note: {gap}")
    if dry_run:
        LOG.info(f"{_SAY}dry run: `{key}` would be appended to {shown_target}; nothing written")
        return EXIT_OK
    try:
        existing = target.read_bytes() if target.exists() else b""
        data, line = append_entries(existing, [text])
        atomic_write(target, data)  # keeps the file's permissions
    except OSError as exc:
        LOG.error(f"{_SAY}cannot write {shown_target}: {exc.strerror or exc}; nothing written")
        return EXIT_FINDINGS
    LOG.info(f"{_SAY}added `{key}` ({record.source}) at {shown_target}:{line}")
    if not tags:
        LOG.info(
            f"{_SAY}no --toi, --end-story or --agenda: "
            "`toi-atlas check` will report what is missing"
        )
    else:
        LOG.info(f"{_SAY}next: write its `summary`, then run `toi-atlas check`")
    return EXIT_OK
