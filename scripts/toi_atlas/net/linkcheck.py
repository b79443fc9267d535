"""Checking links: is every url/pdf/code link in the corpus still alive? The work of
`toi-atlas links`.

Each distinct URL is checked once, concurrently, but never more than `per_host` at a
time against one host so we stay polite. HEAD first (cheap); if HEAD fails with any
4xx/5xx we ask again with GET, because many servers refuse or mishandle HEAD (405,
403, 501, or a plain 404 that GET does not give). Redirects are followed; permanent
ones (301, 308) come with the URL to write instead. Live results are cached on disk
for `--max-age` hours so reruns are cheap; dead ones are always checked again,
since the next run is usually the one that verifies a fix.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path

import requests

from ..diagnostics import Diagnostic, Span
from ..exits import EXIT_FINDINGS, EXIT_USAGE
from ..model.corpus import Corpus
from ..model.identity import is_safe_url
from ..output import LOG, report
from ..pipeline import Paths, load_and_check
from ..wording import counted
from ..write.files import atomic_write
from .client import Client, NetError, Policy, host_of

LINK_FIELDS = ("url", "pdf", "code")
# A link check needs an answer, not patience: one retry, shorter waits than `add`.
LINK_POLICY = Policy(connect_timeout=10.0, read_timeout=20.0, retries=1, retry_after_cap=30.0)
HEAD_FALLBACK = 400  # any HEAD status from here up is asked again with GET
PERMANENT = frozenset({301, 308})
CACHE_VERSION = 1


class State(StrEnum):
    OK = "ok"
    DEAD = "dead"
    UNCHECKED = "unchecked"  # rate-limited (429): neither alive nor dead


@dataclass(frozen=True)
class LinkRef:
    """One place a URL is written: which work, which field, which line."""

    url: str
    key: str
    field: str
    span: Span


@dataclass(frozen=True)
class LinkResult:
    url: str
    state: State
    status: int | None = None
    final_url: str | None = None  # where redirects ended, if anywhere else
    suggestion: str | None = None  # where permanent redirects lead: write this instead
    error: str | None = None
    checked: float = 0.0  # epoch seconds
    cached: bool = False

    @property
    def detail(self) -> str:
        if self.error:
            return self.error
        return f"HTTP {self.status}" if self.status is not None else "no answer"


def collect(corpus: Corpus) -> list[LinkRef]:
    refs = []
    for work in [*corpus.works.values(), *corpus.duplicates]:
        for name in LINK_FIELDS:
            value = (work.raw.get(name) or "").strip()
            if value and is_safe_url(value):  # unsafe ones are TOI114, not our business
                refs.append(
                    LinkRef(value, work.key, name, Span(work.span.file, work.raw.line_of(name)))
                )
    return refs


# --- checking ----------------------------------------------------------------------


class HostLimiter:
    """At most `limit` requests in flight per host, whatever the pool size."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    def slot(self, url: str) -> threading.BoundedSemaphore:
        with self._lock:
            host = host_of(url)
            if host not in self._slots:
                self._slots[host] = threading.BoundedSemaphore(self.limit)
            return self._slots[host]


def _redirects(url: str, response: requests.Response) -> tuple[str | None, str | None]:
    """(final URL if it moved, URL reached through the leading permanent redirects)."""
    final = response.url if response.url != url else None
    hops = [*response.history, response]
    suggestion = None
    for hop, after in itertools.pairwise(hops):
        if hop.status_code not in PERMANENT:
            break
        suggestion = after.url
    return final, suggestion if suggestion != url else None


def check_url(client: Client, url: str, now: Callable[[], float] = time.time) -> LinkResult:
    try:
        response = client.request("HEAD", url)
        response.close()
        if response.status_code >= HEAD_FALLBACK:
            # stream=True: we want the status line, not a download of the body.
            response = client.request("GET", url, stream=True)
            response.close()
    except NetError as exc:
        return LinkResult(url, State.DEAD, error=str(exc), checked=now())
    status = response.status_code
    final, suggestion = _redirects(url, response)
    state = State.DEAD if status >= 400 else State.OK
    if status == 429:
        state = State.UNCHECKED  # rate-limited: says nothing about the link
    return LinkResult(url, state, status, final, suggestion, checked=now())


def check_all(
    client: Client, urls: Iterable[str], *, workers: int = 8, per_host: int = 2
) -> dict[str, LinkResult]:
    limiter = HostLimiter(per_host)

    def one(url: str) -> LinkResult:
        with limiter.slot(url):
            return check_url(client, url)

    unique = sorted(set(urls))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return dict(zip(unique, pool.map(one, unique), strict=True))


# --- cache -------------------------------------------------------------------------


def load_cache(path: Path, max_age_hours: float, now: float) -> dict[str, LinkResult]:
    """Fresh live results from an earlier run; a missing or malformed cache is empty."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return {}
    rows = data.get("results")
    out: dict[str, LinkResult] = {}
    for url, row in rows.items() if isinstance(rows, dict) else []:
        try:
            result = LinkResult(
                url=url,
                state=State(row["state"]),
                status=row.get("status"),
                final_url=row.get("final_url"),
                suggestion=row.get("suggestion"),
                checked=float(row["checked"]),
                cached=True,
            )
        except (KeyError, TypeError, ValueError):
            continue
        if result.state is State.OK and now - result.checked <= max_age_hours * 3600:
            out[url] = result
    return out


def save_cache(path: Path, results: dict[str, LinkResult]) -> None:
    rows = {
        url: {k: v for k, v in asdict(r).items() if k not in ("url", "cached", "error")}
        for url, r in sorted(results.items())
        if r.state is State.OK
    }
    text = json.dumps({"version": CACHE_VERSION, "results": rows}, sort_keys=True, indent=2)
    atomic_write(path, (text + "\n").encode("utf-8"))


# --- findings ---------------------------------------------------------------------


def finding(ref: LinkRef, result: LinkResult) -> Diagnostic | None:
    """What a link's result says about the place it is written, if anything."""
    head = f"`{ref.key}` {ref.field} {ref.url}"
    if result.state is State.DEAD:
        code, message = "TOI821", f"{head} is dead: {result.detail}"
    elif result.state is State.UNCHECKED:
        code, message = "TOI824", f"{head} could not be checked: {result.detail} (rate-limited)"
    elif result.suggestion:
        code, message = "TOI822", f"{head} moved permanently; write {result.suggestion}"
    elif result.final_url:
        code, message = "TOI823", f"{head} redirects to {result.final_url}"
    else:
        return None
    data = {
        "key": ref.key,
        "field": ref.field,
        "url": ref.url,
        "status": result.status,
        "final_url": result.final_url,
        "suggestion": result.suggestion,
        "error": result.error,
    }
    return Diagnostic(code, ref.span, message, data=data)


def findings(refs: list[LinkRef], results: dict[str, LinkResult]) -> list[Diagnostic]:
    found = (finding(ref, results[ref.url]) for ref in refs)
    return [d for d in found if d is not None]


# --- the steps ----------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What `toi-atlas links` was asked, as plain values."""

    root: Path
    format: str = "text"
    max_age: float = 24.0  # hours a live result is reused
    cache: Path | None = None  # default: ROOT/.toi-atlas/links.json
    timeout: float | None = None
    workers: int = 8
    per_host: int = 2


def check_links(req: Request) -> int:
    """Check every link (cached live ones excepted); report the findings; the exit code."""
    if req.max_age < 0 or req.workers < 1 or req.per_host < 1 or (req.timeout or 1) <= 0:
        LOG.error("toi-atlas links: --max-age must be >= 0, the others positive")
        return EXIT_USAGE
    paths = Paths(req.root)
    loaded = load_and_check(paths)
    if loaded.corpus is None:
        LOG.error("toi-atlas links: could not read bib/")
        return EXIT_FINDINGS
    refs = collect(loaded.corpus)
    cache_path: Path = req.cache or paths.cache / "links.json"
    now = time.time()
    cached = load_cache(cache_path, req.max_age, now) if req.max_age > 0 else {}
    todo = sorted({r.url for r in refs} - set(cached))
    try:
        policy = Policy.from_env(LINK_POLICY)
    except ValueError as exc:
        LOG.error(f"toi-atlas links: {exc}")
        return EXIT_USAGE
    if req.timeout:
        policy = replace(policy, connect_timeout=req.timeout, read_timeout=req.timeout)
    with Client(policy) as client:
        LOG.debug(f"checking {counted(len(todo), 'link')}, {len(cached)} live ones from cache")
        fresh = check_all(client, todo, workers=req.workers, per_host=req.per_host)
    for url, result in sorted(fresh.items()):
        LOG.debug(f"{url}: {result.state.value} ({result.detail})")
    results = {**cached, **fresh}
    save_cache(cache_path, results)
    diags = findings(refs, results)
    code = report(diags, req.format)
    if req.format != "json":
        dead = sum(d.code == "TOI821" for d in diags)
        moved = sum(d.code == "TOI822" for d in diags)
        LOG.info(
            f"checked {counted(len(results), 'link')} ({len(cached)} from cache): "
            f"{dead} dead, {moved} moved"
        )
    return code
