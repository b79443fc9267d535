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
from ..entries.addwork import request_tags, target_file, write_record
from ..exits import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from ..output import LOG
from ..pipeline import Paths
from .command import load_inputs
from .queue import QUEUE_DIR, NotQueued, QueueError, queued, without


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        f"Add a candidate from {QUEUE_DIR}/queue.json to bib/ with the tags you give "
        "(checked, canonical, `added` set, as `toi-atlas add` writes), and take it off the queue."
    )
    parser.add_argument("key", help="the candidate's key in the queue")
    add.add_entry_arguments(parser, plural=True)


def _say(message: str) -> None:
    LOG.info(f"toi-atlas accept: {message}")  # the log channel makes it terminal-safe


def run(args: argparse.Namespace) -> int:
    paths = Paths(args.root)
    try:
        item = queued(paths.root, args.key)
    except QueueError as exc:
        _say(str(exc))
        return EXIT_USAGE if isinstance(exc, NotQueued) else EXIT_FINDINGS
    target = target_file(paths.root, args.file)
    if target is None:
        _say(f"--file must name a .bib file directly in {paths.display(paths.bib)}/")
        return EXIT_USAGE
    inputs = load_inputs(paths, "accept")
    if inputs is None or inputs.loaded.corpus is None:
        return EXIT_FINDINGS
    corpus = inputs.loaded.corpus
    tags, errors = request_tags(add.request(args, args.key), corpus.taxonomy)
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
