"""Command line: `toi-atlas check|build|explain`. Thin: parse, call, return an exit code.

Exit codes: 0 clean, 1 findings (errors, or warnings with --strict), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--root",
        type=Path,
        default=Path.cwd(),
        help="project folder holding bib/ and docs/ (default: current folder)",
    )
    p.add_argument(
        "--format",
        choices=("text", "github", "json"),
        default="text",
        help="how to print findings: text (default), github annotations, json",
    )
    p.add_argument(
        "--strict", action="store_true", help="treat warnings as errors (exit 1 on any finding)"
    )


def _report(args: argparse.Namespace, diags: list) -> int:
    from .diagnostics import has_errors, render, summary_line

    out = render(diags, args.format)
    if out:
        sys.stdout.write(out)
    if args.format != "json":
        print(summary_line(diags), file=sys.stderr)
    failed = has_errors(diags) or (args.strict and bool(diags))
    return EXIT_FINDINGS if failed else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .diagnostics import explain
    from .pipeline import Paths, load_and_check

    if args.explain:
        text = explain(args.explain)
        if text is None:
            print(f"unknown code {args.explain}", file=sys.stderr)
            return EXIT_USAGE
        sys.stdout.write(text)
        return EXIT_OK
    paths = Paths(args.root)
    files = [Path(f) for f in args.files] if args.files else None
    result = load_and_check(paths, files, balance=args.balance)
    if args.format == "text" and result.corpus is not None:
        print(
            f"checked {result.entries_read} entries in "
            f"{len({w.span.file for w in result.corpus.works.values()})} files",
            file=sys.stderr,
        )
    return _report(args, result.diagnostics)


def cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import Paths, build

    result = build(Paths(args.root))
    code = _report(args, result.diagnostics)
    if result.stats is not None and args.format == "text":
        s = result.stats
        print(
            f"generated {len(result.corpus.works) if result.corpus else 0} work pages into "
            f"docs/atlas: {s.written} written, {s.unchanged} unchanged, {s.deleted} removed",
            file=sys.stderr,
        )
    if result.stats is None and code == EXIT_OK:
        return EXIT_FINDINGS  # an error stopped the build before anything was written
    return code


def cmd_add(args: argparse.Namespace) -> int:
    from . import add

    return add.run(args)


def cmd_links(args: argparse.Namespace) -> int:
    from . import links

    return links.run(args)


def cmd_fmt(args: argparse.Namespace) -> int:
    from .fmt import run

    return run(args)


def cmd_import(args: argparse.Namespace) -> int:
    from .importer import run

    return run(args)


def cmd_bench(args: argparse.Namespace) -> int:
    from . import bench

    return bench.run(args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": cmd_check,
    "build": cmd_build,
    "add": cmd_add,
    "fmt": cmd_fmt,
    "import": cmd_import,
    "links": cmd_links,
    "bench": cmd_bench,
}


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="toi-atlas",
        description="Validate the ToI Atlas bibliography and generate the site's pages.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("check", help="report every defect in bib/ (file:line CODE message)")
    _add_common(p)
    p.add_argument("files", nargs="*", help="only these .bib files (default: all of bib/)")
    p.add_argument("--explain", metavar="CODE", help="print what a checker code means")
    p.add_argument(
        "--balance",
        action="store_true",
        help="also report theories of impact and end stories with only one side (TOI501)",
    )
    p = sub.add_parser("build", help="check, then write Markdown and data into docs/atlas/")
    _add_common(p)
    # These modules bring their own options; their heavy imports happen only in run().
    from . import add, bench, fmt, importer, links

    p = sub.add_parser("add", help="add a work to bib/ from its arXiv id, DOI or URL")
    add.add_arguments(p)
    p = sub.add_parser("fmt", help="rewrite bib/*.bib in canonical form (--check: only report)")
    fmt.add_arguments(p)
    p = sub.add_parser("import", help="add a .bib export (Zotero, JabRef, Scholar) to bib/")
    importer.add_arguments(p)
    p = sub.add_parser("links", help="check every url, pdf and code link in bib/")
    links.add_arguments(p)
    p = sub.add_parser("bench", help="time and measure builds of synthetic 100-10,000-work corpora")
    bench.add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return COMMANDS[args.command](args)
    except OSError as exc:  # unreadable file, full disk, permissions: say so plainly
        print(f"toi-atlas: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return EXIT_FINDINGS
