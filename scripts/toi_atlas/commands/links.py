"""`toi-atlas links`: is every url/pdf/code link in the corpus still alive?

The command: its options, then one call (linkcheck.check_links) that returns the
exit code. How links are checked and cached is described in linkcheck.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..net.linkcheck import Request, check_links
from ..options import add_format, add_root


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Check every url, pdf and code link in bib/: dead links fail (exit 1), "
        "permanent redirects come with the URL to write instead."
    )
    add_root(parser)
    add_format(parser, "text (default), github annotations, or json")
    parser.add_argument(
        "--max-age",
        type=float,
        default=24.0,
        metavar="HOURS",
        help="reuse live results younger than this (default: 24; 0 checks everything)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="cache file (default: ROOT/.toi-atlas/links.json)",
    )
    parser.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="read timeout per request (default: 20)"
    )
    parser.add_argument("--workers", type=int, default=8, help="requests in flight (default: 8)")
    parser.add_argument(
        "--per-host", type=int, default=2, help="requests in flight per host (default: 2)"
    )


def run(args: argparse.Namespace) -> int:
    request = Request(
        root=args.root,
        format=args.format,
        max_age=args.max_age,
        cache=args.cache,
        timeout=args.timeout,
        workers=args.workers,
        per_host=args.per_host,
    )
    return check_links(request)
