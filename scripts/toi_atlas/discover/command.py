"""`toi-atlas discover`: ask the services, rank what they name, write the triage queue.

Exit codes: 0 the queue was written (failed requests are listed in the summary and the
report), 1 nothing could be asked or answered, or the corpus or a discovery file is
broken, 2 a usage error (a bad environment variable). `--evaluate` only measures the
tag suggestions on the corpus (leave-one-out) and prints the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, has_errors, render
from ..exits import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from ..net.client import Client, Policy, user_agent
from ..options import add_root
from ..output import LOG
from ..pipeline import Paths, Result, load_and_check
from ..read.discovery import (
    DISCOVERY_FILE,
    REJECTED_FILE,
    Rejected,
    Search,
    load_rejected,
    load_searches,
)
from ..wording import counted
from .apis import Services, from_arxiv, from_openalex, from_s2
from .candidates import Pool
from .fetch import Fetcher, Outcome, summary
from .queue import QUEUE_DIR, make_queue, write_queue
from .rank import rank
from .suggest import evaluate, evaluation_lines

SOURCES = ("openalex", "s2", "arxiv")
DAY = 86400.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Find works that cite or are cited by the corpus (OpenAlex, Semantic Scholar) "
        f"and works the arXiv searches in bib/{DISCOVERY_FILE} find; rank them and write "
        f"the triage queue into {QUEUE_DIR}/ (queue.md, queue.bib, queue.json)."
    )
    parser.epilog = (
        "Environment: TOI_ATLAS_MAILTO (contact address: OpenAlex's polite pool and the "
        "User-Agent), TOI_ATLAS_OPENALEX_API, TOI_ATLAS_S2_API, TOI_ATLAS_ARXIV_API (base "
        "URLs), TOI_ATLAS_OPENALEX_INTERVAL, TOI_ATLAS_S2_INTERVAL, TOI_ATLAS_ARXIV_INTERVAL "
        "(seconds between calls), and add's TOI_ATLAS_TIMEOUT, _RETRIES, _RETRY_AFTER_CAP, "
        "_DEADLINE (one request), _MAX_BYTES."
    )
    parser.add_argument(
        "--source",
        action="append",
        choices=SOURCES,
        help="ask only this service (repeat; default: all three)",
    )
    parser.add_argument("--limit", type=int, default=50, help="candidates in the queue (50)")
    parser.add_argument(
        "--max-pages", type=int, default=3, help="pages read of any one list (default 3)"
    )
    parser.add_argument(
        "--per-query", type=int, default=50, help="newest results read per arXiv query (50)"
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=900.0,
        help="seconds the whole run may take asking; later requests are skipped (900)",
    )
    parser.add_argument(
        "--max-age",
        type=float,
        default=6.0,
        help="days an answer in .toi-atlas/discover/ is reused without asking again (6; 0: never)",
    )
    parser.add_argument("--since", type=int, help="leave out works published before this year")
    parser.add_argument(
        "--evaluate",
        action="store_true",
        help="only measure the tag suggestions on the corpus (leave-one-out) and print them",
    )
    add_root(parser)


def _say(message: str) -> None:
    LOG.info(f"toi-atlas discover: {message}")  # the log channel makes it terminal-safe


@dataclass
class Inputs:
    loaded: Result
    searches: list[Search] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def load_inputs(paths: Paths, command: str) -> Inputs | None:
    """The checked corpus and both discovery files; None (reported) if any is broken."""
    loaded = load_and_check(paths)
    corpus = loaded.corpus
    if corpus is None or any(d.code.startswith("TOI0") for d in loaded.diagnostics):
        LOG.error(
            f"toi-atlas {command}: {paths.display(paths.taxonomy)} is broken; "
            "run `toi-atlas check` first"
        )
        return None
    shown = paths.display(paths.bib)
    searches, diags = load_searches(
        paths.bib / DISCOVERY_FILE, f"{shown}/{DISCOVERY_FILE}", corpus.taxonomy
    )
    rejected, more = load_rejected(paths.bib / REJECTED_FILE, f"{shown}/{REJECTED_FILE}")
    found: list[Diagnostic] = diags + more
    if has_errors(found):
        sys.stdout.write(render(found, "text"))
        return None
    return Inputs(loaded, searches, rejected)


def run(args: argparse.Namespace) -> int:
    paths = Paths(args.root)
    inputs = load_inputs(paths, "discover")
    if inputs is None:
        return EXIT_FINDINGS
    corpus = inputs.loaded.corpus
    assert corpus is not None  # load_inputs returns None otherwise
    if args.evaluate:
        for line in evaluation_lines(evaluate(corpus)):
            print(line)
        return EXIT_OK
    try:
        policy = Policy.from_env()
        services = Services.from_env()
    except ValueError as exc:
        _say(str(exc))
        return EXIT_USAGE
    if not services.mailto:
        _say("TOI_ATLAS_MAILTO is not set: OpenAlex answers us outside its polite pool")
    works = [*corpus.works.values(), *corpus.duplicates]
    pool = Pool(works, inputs.rejected)
    sources = set(args.source or SOURCES)
    client = Client(
        policy, intervals=services.intervals(), agent=user_agent(services.mailto or None)
    )
    with client:
        fetcher = Fetcher(
            client,
            cache=paths.cache / "discover",
            max_age=args.max_age * DAY,
            deadline=args.deadline,
        )
        known = [w for w in corpus.works.values() if w.doi or w.arxiv]
        if "openalex" in sources:
            for candidate in from_openalex(fetcher, services, known, args.max_pages):
                pool.add(candidate)
        if "s2" in sources:
            for candidate in from_s2(fetcher, services, known, args.max_pages):
                pool.add(candidate)
        if "arxiv" in sources:
            queries = {s.topic: s.queries for s in inputs.searches}
            for candidate in from_arxiv(fetcher, services, queries, args.per_query):
                pool.add(candidate)
    candidates = [c for c in pool.items if args.since is None or (c.year or 0) >= args.since]
    today = dt.date.today()
    ranked = rank(candidates, corpus, inputs.loaded.claims, today.year)
    queued, unusable = make_queue(ranked, {w.key for w in works}, today, args.limit)
    lines = summary(fetcher.log)
    for why, n in sorted(pool.left_out.items()):
        lines.append(f"left out: {counted(n, 'answer')} naming a work {why}")
    if unusable:
        lines.append(f"left out: {counted(unusable, 'candidate')} whose record add would refuse")
    lines.append(
        f"{counted(len(candidates), 'candidate')} found; the queue holds the best {len(queued)}"
    )
    for line in lines:
        _say(line)
    answered = [a for a in fetcher.log if a.outcome in (Outcome.FETCHED, Outcome.CACHED)]
    if fetcher.log and not answered:
        _say(f"no service answered: {QUEUE_DIR}/ is left as it was")
        return EXIT_FINDINGS
    write_queue(paths.root, queued, lines)
    _say(f"wrote {QUEUE_DIR}/queue.md, queue.bib and queue.json")
    return EXIT_OK
