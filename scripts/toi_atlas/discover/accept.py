"""`toi-atlas accept KEY --toi ID:STANCE ...`: a queued candidate into bib/, as `add` does.

The candidate's record (from the queue) goes through `add`'s own writer: the tags are
checked against the taxonomy, the record vetted field by field, the work refused if
the corpus already has it (identity's rule), the entry written in canonical form with
`added` set, read back, and appended atomically; on any refusal bib/ is untouched.
Only then does the candidate leave the queue. Exit codes are add's.
"""

from __future__ import annotations

import argparse

from ..commands import add
from ..entries.addwork import Request, request_tags, target_file, write_record
from ..exits import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from ..options import add_root
from ..output import LOG
from ..pipeline import Paths
from .command import load_inputs
from .queue import QUEUE_DIR, QueueError, read_queue, without


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        f"Add a candidate from {QUEUE_DIR}/queue.json to bib/ with the tags you give "
        "(checked, canonical, `added` set, as `toi-atlas add` writes), and take it off the queue."
    )
    parser.add_argument("key", help="the candidate's key in the queue")
    parser.add_argument(
        "--toi",
        "--tois",
        dest="toi",
        action="append",
        default=[],
        metavar="ID:STANCE",
        help="theory of impact the work argues about, with its stance (repeat or comma-separate)",
    )
    parser.add_argument(
        "--end-story",
        "--endstories",
        dest="end_story",
        action="append",
        default=[],
        metavar="ID[:STANCE]",
        help="end story the work relies on or attacks (repeat or comma-separate)",
    )
    parser.add_argument(
        "--agenda",
        "--agendas",
        dest="agenda",
        action="append",
        default=[],
        metavar="ID[:STANCE]",
        help="alternative agenda the work argues for or against (repeat or comma-separate)",
    )
    parser.add_argument("--stance", help="default stance for tags given without one")
    parser.add_argument(
        "--file",
        default=add.DEFAULT_FILE,
        help=f"the .bib file in bib/ to append to (default: {add.DEFAULT_FILE})",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the entry, write nothing")
    add_root(parser)


def _say(message: str) -> None:
    LOG.info(f"toi-atlas accept: {message}")  # the log channel makes it terminal-safe


def run(args: argparse.Namespace) -> int:
    paths = Paths(args.root)
    try:
        items, _ = read_queue(paths.root)
    except QueueError as exc:
        _say(str(exc))
        return EXIT_FINDINGS
    item = next((i for i in items if i.key == args.key), None)
    if item is None:
        _say(f"`{args.key}` is not in {QUEUE_DIR}/queue.json (see {QUEUE_DIR}/queue.md)")
        return EXIT_USAGE
    target = target_file(paths.root, args.file)
    if target is None:
        _say(f"--file must name a .bib file directly in {paths.display(paths.bib)}/")
        return EXIT_USAGE
    inputs = load_inputs(paths, "accept")
    if inputs is None or inputs.loaded.corpus is None:
        return EXIT_FINDINGS
    corpus = inputs.loaded.corpus
    req = Request(
        identifier=args.key,
        root=args.root,
        file=args.file,
        toi=tuple(args.toi),
        end_story=tuple(args.end_story),
        agenda=tuple(args.agenda),
        stance=args.stance,
        dry_run=args.dry_run,
    )
    tags, errors = request_tags(req, corpus.taxonomy)
    if errors:
        for error in errors:
            _say(error)
        return EXIT_USAGE
    works = [*corpus.works.values(), *corpus.duplicates]
    code = write_record(item.record, tags, corpus, paths, target, works, dry_run=args.dry_run)
    if code != EXIT_OK or args.dry_run:
        return code
    try:
        without(paths.root, item.key)
    except (QueueError, OSError) as exc:
        _say(f"added, but {QUEUE_DIR}/ could not be updated ({exc}); discover leaves it out anyway")
    return EXIT_OK
