"""Command-line options that several subcommands share, so each is spelt once."""

from __future__ import annotations

import argparse
from pathlib import Path

FORMATS = ("text", "github", "json")


def add_root(parser: argparse.ArgumentParser, holding: str = "bib/") -> None:
    """`--root`: the project folder, the current one unless said otherwise."""
    parser.add_argument(
        "--root",
        type=Path,
        default=Path.cwd(),
        help=f"project folder holding {holding} (default: current folder)",
    )


def add_format(parser: argparse.ArgumentParser, help: str) -> None:
    """`--format text|github|json`: how findings are printed."""
    parser.add_argument("--format", choices=FORMATS, default="text", help=help)


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    """`-q` / `-v`: how much the log channel (stderr) says; findings are not affected."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-q",
        "--quiet",
        action="store_const",
        const=-1,
        dest="verbosity",
        default=0,
        help="print only warnings and errors on stderr",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_const",
        const=1,
        dest="verbosity",
        help="print more detail on stderr",
    )
