"""`toi-atlas fmt`: rewrite .bib files in one canonical layout, so diffs stay clean.

The command: its options, then one call (bibformat.format_files) that returns the
exit code. What the layout is, and why nothing is lost, is described in bibformat.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..entries.bibformat import Request, format_files
from ..options import add_format, add_root


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", type=Path, help=".bib files (default: all of bib/)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; print a diff and exit 1 if any file would change",
    )
    add_root(parser)
    add_format(parser, "how to print findings: text (default), github annotations, json")


def run(args: argparse.Namespace) -> int:
    return format_files(Request(args.root, tuple(args.files), args.check, args.format))
