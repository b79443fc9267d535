"""Every request discovery makes: through net.Client, cached on disk, within one deadline.

net.Client already keeps a minimum interval per host, honours Retry-After on 429/503,
caps body size and bounds each request. What a run of many requests adds:

- an overall deadline: a request that would start after it is not made, and none
  may run past it (its own deadline is cut to what is left);
- a host that refused us (rate limit beyond the cap, offline) is asked nothing more
  in this run, rather than once per atlas work;
- an on-disk cache of answers that parsed, keyed by URL and parameters (not the
  contact address), so a rerun within `max_age` asks nothing again;
- a log of what was asked and how it went, for the summary.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

from ..net.client import Client, Failure, NetError, host_of
from ..wording import counted
from ..write.files import atomic_write

T = TypeVar("T")
CACHE_FORMAT = 1
# Left out of the cache key: who asks does not change the answer.
_NOT_KEYED = frozenset({"mailto"})


class Outcome:
    FETCHED = "fetched"
    CACHED = "cached"
    NOT_FOUND = "not found"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Asked:
    source: str  # the service, as the summary names it
    what: str  # what we wanted from it, in words
    url: str
    outcome: str
    detail: str = ""


class Fetcher:
    def __init__(
        self,
        client: Client,
        *,
        cache: Path | None,
        max_age: float,
        deadline: float,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.cache = cache
        self.max_age = max_age
        self.clock = clock
        self.now = now
        self.end = clock() + deadline
        self.log: list[Asked] = []
        self.down: dict[str, str] = {}  # host -> why we stopped asking it

    def get(
        self,
        source: str,
        what: str,
        url: str,
        params: Mapping[str, str],
        parse: Callable[[bytes, str], T],
        *,
        accept: str = "application/json",
    ) -> T | None:
        """The parsed answer, from the cache or the server; None (logged) if none."""
        shown = f"{url}?{urlencode(sorted(params.items()))}" if params else url
        cached = self._cached(url, params)
        if cached is not None:
            try:
                value = parse(cached, url)
            except NetError:
                pass  # a cache entry from an older parser: ask again
            else:
                self.log.append(Asked(source, what, shown, Outcome.CACHED))
                return value
        host = host_of(url)
        left = self.end - self.clock()
        if host in self.down or left <= 0:
            why = self.down.get(host) or "the overall deadline had passed"
            self.log.append(Asked(source, what, shown, Outcome.SKIPPED, why))
            return None
        # net.Client reads its policy per request: no single request outlasts the run.
        policy = self.client.policy
        self.client.policy = replace(policy, deadline=min(policy.deadline, left))
        try:
            got = self.client.fetch(url, accept=accept, params=params)
            value = parse(got.body, got.url)
        except NetError as exc:
            self._failed(source, what, shown, host, exc)
            return None
        finally:
            self.client.policy = policy
        self._store(url, params, got.body)
        self.log.append(Asked(source, what, shown, Outcome.FETCHED))
        return value

    def _failed(self, source: str, what: str, shown: str, host: str, exc: NetError) -> None:
        if exc.failure is Failure.NOT_FOUND:
            self.log.append(Asked(source, what, shown, Outcome.NOT_FOUND))
            return
        if exc.failure in (Failure.RATE_LIMITED, Failure.OFFLINE):
            self.down[host] = f"{host} failed earlier in this run ({exc.failure})"
        self.log.append(Asked(source, what, shown, Outcome.FAILED, str(exc)))

    # --- the cache ---------------------------------------------------------------

    def _path(self, url: str, params: Mapping[str, str]) -> Path | None:
        if self.cache is None:
            return None
        keyed = sorted((k, v) for k, v in params.items() if k not in _NOT_KEYED)
        digest = hashlib.sha256(json.dumps([url, keyed]).encode()).hexdigest()
        return self.cache / f"{digest[:32]}.json"

    def _cached(self, url: str, params: Mapping[str, str]) -> bytes | None:
        path = self._path(url, params)
        if path is None or self.max_age <= 0:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing or damaged: ask again
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return None
        fetched, body = data.get("fetched"), data.get("body")
        if not isinstance(fetched, int | float) or not isinstance(body, str):
            return None
        if self.now() - fetched > self.max_age:
            return None
        return body.encode("utf-8")

    def _store(self, url: str, params: Mapping[str, str], body: bytes) -> None:
        path = self._path(url, params)
        if path is None:
            return
        record = {
            "format": CACHE_FORMAT,
            "url": url,
            "fetched": self.now(),
            "body": body.decode("utf-8", errors="replace"),
        }
        with contextlib.suppress(OSError):  # only a slower rerun
            atomic_write(path, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))


def summary(log: list[Asked]) -> list[str]:
    """Lines for the terminal and the report: counts per service, then every failure."""
    lines = []
    by_source: dict[str, dict[str, int]] = {}
    for asked in log:
        counts = by_source.setdefault(asked.source, {})
        counts[asked.outcome] = counts.get(asked.outcome, 0) + 1
    for source in sorted(by_source):
        counts = by_source[source]
        parts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        lines.append(f"{source}: {sum(counts.values())} asked ({parts})")
    skipped: dict[str, int] = {}
    for asked in log:
        if asked.outcome == Outcome.FAILED:
            lines.append(f"failed: {asked.source}, {asked.what}: {asked.detail}")
        elif asked.outcome == Outcome.SKIPPED:
            skipped[asked.detail] = skipped.get(asked.detail, 0) + 1
    for why, n in sorted(skipped.items()):
        lines.append(f"not asked: {counted(n, 'request')}, {why}")
    return lines
