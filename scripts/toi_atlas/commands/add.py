"""`toi-atlas add <arXiv id | DOI | URL>`: one new entry from the work's own record.

The command: its options, then one call (addwork.add_work) that returns the exit code.
"""

from __future__ import annotations

import argparse

from ..entries.addwork import Request, add_work
from ..options import add_root

DEFAULT_FILE = "bib/after-2023.bib"


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
    add_entry_arguments(parser)


def add_entry_arguments(parser: argparse.ArgumentParser, *, plural: bool = False) -> None:
    """The options of a new entry, shared with `accept`: its tags, the file it goes to,
    --dry-run and --root. `plural` also accepts `--tois`, `--endstories`, `--agendas`."""
    parser.add_argument(
        "--toi",
        *(["--tois"] if plural else []),
        action="append",
        default=[],
        metavar="ID:STANCE",
        help="theory of impact the work argues about, with its stance (repeat or comma-separate)",
    )
    parser.add_argument(
        "--end-story",
        *(["--endstories"] if plural else []),
        dest="end_story",
        action="append",
        default=[],
        metavar="ID[:STANCE]",
        help="end story the work relies on or attacks (repeat or comma-separate)",
    )
    parser.add_argument(
        "--agenda",
        *(["--agendas"] if plural else []),
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


def request(args: argparse.Namespace, identifier: str) -> Request:
    """The options of `add_entry_arguments` as one request for `identifier`."""
    return Request(
        identifier=identifier,
        root=args.root,
        file=args.file,
        toi=tuple(args.toi),
        end_story=tuple(args.end_story),
        agenda=tuple(args.agenda),
        stance=args.stance,
        dry_run=args.dry_run,
    )


def run(args: argparse.Namespace) -> int:
    return add_work(request(args, args.identifier))
