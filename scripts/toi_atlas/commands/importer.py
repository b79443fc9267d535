"""`toi-atlas import FILE`: a reference manager's export into bib/.

The command: its options, then one call (bibimport.import_file) that returns the
exit code. What happens to each entry is described in bibimport.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..entries.bibimport import Request, import_file
from ..options import add_format, add_root


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", type=Path, help="a .bib export from Zotero, JabRef, Google Scholar, ..."
    )
    parser.add_argument("--into", type=Path, help="append to this file (default: bib/imported.bib)")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="report and print what would be appended; write nothing",
    )
    add_root(parser)
    add_format(parser, "how to print findings: text (default), github annotations, json")


def run(args: argparse.Namespace) -> int:
    request = Request(args.file, args.root, args.into, args.dry_run, args.format)
    return import_file(request)
