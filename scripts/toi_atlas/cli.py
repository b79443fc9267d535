"""Command line: `toi-atlas COMMAND`. Thin: parse, call, return an exit code.

Exit codes (exits.py): 0 clean, 1 findings (errors, or warnings with --strict), 2 usage
(for `add`, also a fetched record it cannot use as it is).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Collection
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from .exits import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .options import add_format, add_root, add_verbosity
from .wording import counted

if TYPE_CHECKING:
    from .write.files import WriteStats

# What `toi-atlas --help` lists, in this order.
HELP = {
    "check": "report every defect in bib/ (file:line CODE message)",
    "build": "check, then write Markdown and data into docs/atlas/",
    "site": "after mkdocs build (or zensical build): put the work pages into the site",
    "serve": "build, serve the site with live reload and rebuild when bib/ changes",
    "add": "add a work to bib/ from its arXiv id, DOI or URL",
    "fmt": "rewrite bib/*.bib in canonical form (--check: only report)",
    "import": "add a .bib export (Zotero, JabRef, Scholar) to bib/",
    "links": "check every url, pdf and code link in bib/",
    "discover": "find new works tied to the corpus and write a ranked triage queue",
    "accept": "add a candidate from the discovery queue to bib/ (as add does)",
    "reject": "keep a candidate from the discovery queue out for good",
}
# Subcommands whose module declares their options (`add_arguments(parser)`) and does
# the work (`run(args) -> int`). These modules pull in requests, citeproc and the
# like, so each is imported only when its subcommand is on the command line.
MODULES = {
    "add": "commands.add",
    "fmt": "commands.fmt",
    "import": "commands.importer",
    "links": "commands.links",
}
MODULES |= {"discover": "discover.command", "accept": "discover.accept"}
MODULES |= {"reject": "discover.reject"}


def _add_common(p: argparse.ArgumentParser) -> None:
    add_root(p, holding="bib/ and docs/")
    add_format(p, "how to print findings: text (default), github annotations, json")
    p.add_argument(
        "--strict", action="store_true", help="treat warnings as errors (exit 1 on any finding)"
    )


def _report(args: argparse.Namespace, diags: list) -> int:
    from .diagnostics import summary_line
    from .output import LOG, report

    code = report(diags, args.format, strict=args.strict)
    if args.format != "json":
        LOG.info(summary_line(diags))
    return code


def cmd_check(args: argparse.Namespace) -> int:
    from .diagnostics import explain
    from .output import LOG
    from .pipeline import Paths, load_and_check

    if args.explain:
        text = explain(args.explain)
        if text is None:
            LOG.error(f"unknown code {args.explain}")
            return EXIT_USAGE
        sys.stdout.write(text)
        return EXIT_OK
    paths = Paths(args.root)
    files = [Path(f) for f in args.files] if args.files else None
    result = load_and_check(paths, files, balance=args.balance)
    if args.format == "text" and result.corpus is not None:
        LOG.info(
            f"checked {counted(result.entries_read, 'entry', 'entries')} in "
            + counted(len({w.span.file for w in result.corpus.works.values()}), "file")
        )
    return _report(args, result.diagnostics)


def cmd_build(args: argparse.Namespace, early: Callable[[WriteStats], None] | None = None) -> int:
    """`early`: the preview's, see pipeline.build."""
    from .output import LOG
    from .pipeline import Paths, build

    result = build(Paths(args.root), force=args.force, early=early)
    code = _report(args, result.diagnostics)
    if result.stats is not None and args.format == "text":
        s = result.stats
        works = result.works
        if result.skipped:
            LOG.info(
                f"docs/atlas is up to date ({counted(works, 'work page')}, "
                f"{counted(s.unchanged, 'file')}): "
                "nothing changed since the last build (--force renders anyway)"
            )
        else:
            w = result.work_pages
            converted = (
                f"; work pages: {w.written:,} written, {w.unchanged:,} unchanged" if w else ""
            )
            LOG.info(
                f"generated {counted(works, 'work')}: docs/atlas {s.written:,} written, "
                f"{s.unchanged:,} unchanged, {s.deleted:,} removed{converted} "
                "(`toi-atlas site` puts them into the built site)"
            )
    if result.stats is None and code == EXIT_OK:
        return EXIT_FINDINGS  # an error stopped the build before anything was written
    return code


def cmd_site(args: argparse.Namespace) -> int:
    from .pipeline import Paths
    from .write.fill import ShellError, fill_diagnostic, fill_site

    paths = Paths(args.root)
    site = Path(args.site_dir) if args.site_dir else paths.site
    try:
        stats = fill_site(site, paths.work_pages)
    except (ShellError, ValueError) as exc:  # ValueError: a damaged fragment (bad JSON)
        return _report(args, [fill_diagnostic(site, str(exc))])
    if args.format == "text":
        index = " and ".join(stats.search_files) or "no search index"
        print(
            f"put {counted(stats.pages, 'work page')} into {site} ({stats.written} written, "
            f"{stats.removed} removed); updated {index}",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .commands.preview import serve
    from .pipeline import Paths

    # Each rebuild reports as `toi-atlas build` does; `serve` only needs to know it worked.
    return serve(Paths(args.root), args.dev_addr, lambda early: cmd_build(args, early) == EXIT_OK)


def _module(command: str) -> ModuleType:
    return importlib.import_module(f"{__package__}.{MODULES[command]}")


def cmd_module(args: argparse.Namespace) -> int:
    """A subcommand whose module does the work: add, fmt, import, links."""
    run: Callable[[argparse.Namespace], int] = _module(args.command).run
    return run(args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": cmd_check,
    "build": cmd_build,
    "site": cmd_site,
    "serve": cmd_serve,
    **dict.fromkeys(MODULES, cmd_module),
}


def make_parser(commands: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the subcommands in `commands` (default: all) get their options.

    `main` asks for the one subcommand on its command line, so `toi-atlas check`
    never imports what `add` or `links` need.
    """
    parser = argparse.ArgumentParser(
        prog="toi-atlas",
        description="Validate the ToI Atlas bibliography and generate the site's pages.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("check", help=HELP["check"])
    _add_common(p)
    p.add_argument("files", nargs="*", help="only these .bib files (default: all of bib/)")
    p.add_argument("--explain", metavar="CODE", help="print what a checker code means")
    p.add_argument(
        "--balance",
        action="store_true",
        help="also report theories of impact and end stories with only one side (TOI501)",
    )
    p = sub.add_parser("build", help=HELP["build"])
    _add_common(p)
    p.add_argument(
        "--force",
        action="store_true",
        help="render every page even if nothing changed since the last build",
    )
    p = sub.add_parser("site", help=HELP["site"])
    _add_common(p)
    p.add_argument(
        "--site-dir", metavar="DIR", help="the built site (default: site/ beside mkdocs.yml)"
    )
    p = sub.add_parser("serve", help=HELP["serve"])
    add_root(p, holding="bib/, docs/ and mkdocs.yml")
    p.add_argument(
        "--dev-addr",
        metavar="IP:PORT",
        default="127.0.0.1:8000",
        help="where the preview listens (default: 127.0.0.1:8000)",
    )
    p.set_defaults(format="text", strict=False, force=False)  # each rebuild is a plain build
    for name in MODULES:
        p = sub.add_parser(name, help=HELP[name])
        if commands is None or name in commands:
            _module(name).add_arguments(p)
    for p in sub.choices.values():
        add_verbosity(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = make_parser(argv[:1])
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    from .output import LOG, set_verbosity

    set_verbosity(args.verbosity)
    try:
        return COMMANDS[args.command](args)
    except OSError as exc:  # unreadable file, full disk, permissions: say so plainly
        LOG.error(f"toi-atlas: {exc.strerror or exc}: {exc.filename or ''}")
        return EXIT_FINDINGS
