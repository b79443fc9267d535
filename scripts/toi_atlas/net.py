"""The HTTP client: the one place that talks to the network (link checks reuse it).

Everything a polite, robust client needs lives here so callers only say *what* to
fetch: a descriptive User-Agent with a contact address (Crossref and arXiv ask for
one), connect and read timeouts, retries with exponential backoff on connection
errors and 5xx, `Retry-After` honoured on 429/503 up to a cap, a minimum interval
between calls to hosts that ask for one (arXiv: one request every 3 seconds), a cap
on body size, and one exception type whose message says plainly what went wrong.

We retry ourselves instead of mounting urllib3's `Retry` because we want the
cap on `Retry-After`, our own messages and an injectable `sleep` for fast tests.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import requests

from . import __version__

PROJECT_URL = "https://github.com/toi-atlas/toi-atlas"
CONTACT = "toi-atlas@users.noreply.github.com"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
# Statuses whose Retry-After header we honour (RFC 9110 §10.2.3 names 503 and 3xx;
# RFC 6585 adds 429).
RETRY_AFTER_STATUS = frozenset({429, 503})


def user_agent(contact: str | None = None) -> str:
    """`toi-atlas/VERSION (+URL; mailto:...)`, the form Crossref's etiquette asks for."""
    mail = contact or os.environ.get("TOI_ATLAS_MAILTO") or CONTACT
    return f"toi-atlas/{__version__} (+{PROJECT_URL}; mailto:{mail})"


class Failure(StrEnum):
    OFFLINE = "offline"  # DNS or connection failure
    TIMEOUT = "timeout"
    NOT_FOUND = "not-found"
    HTTP = "http"  # any other 4xx/5xx
    RATE_LIMITED = "rate-limited"  # asked to wait longer than we are willing to
    TOO_LARGE = "too-large"
    BAD_CONTENT = "bad-content"  # the answer arrived but says nothing usable


class NetError(Exception):
    """A fetch that failed, with a message meant for the person at the terminal."""

    def __init__(self, failure: Failure, message: str, *, url: str, status: int | None = None):
        super().__init__(message)
        self.failure = failure
        self.url = url
        self.status = status


@dataclass(frozen=True)
class Policy:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 3  # extra attempts after the first
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    retry_after_cap: float = 60.0  # never wait longer than this for one retry
    max_bytes: int = 10 * 1024 * 1024  # metadata pages are small; refuse to read a video

    @classmethod
    def from_env(
        cls, base: Policy | None = None, environ: Mapping[str, str] | None = None
    ) -> Policy:
        """`base` with TOI_ATLAS_TIMEOUT, _CONNECT_TIMEOUT, _RETRIES, _BACKOFF overrides."""
        env = os.environ if environ is None else environ
        names = {
            "TOI_ATLAS_TIMEOUT": "read_timeout",
            "TOI_ATLAS_CONNECT_TIMEOUT": "connect_timeout",
            "TOI_ATLAS_RETRIES": "retries",
            "TOI_ATLAS_BACKOFF": "backoff",
            "TOI_ATLAS_RETRY_AFTER_CAP": "retry_after_cap",
        }
        changes: dict[str, Any] = {}
        for var, attr in names.items():
            raw = env.get(var, "").strip()
            if not raw:
                continue
            try:
                value = int(raw) if attr == "retries" else float(raw)
            except ValueError as exc:
                raise ValueError(f"{var}={raw!r} is not a number") from exc
            if value < 0:
                raise ValueError(f"{var}={raw!r} must not be negative")
            changes[attr] = value
        return replace(base or cls(), **changes)

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    media_type: str  # lower-case, without parameters
    charset: str | None
    body: bytes

    def text(self) -> str:
        if self.charset:
            return self.body.decode(self.charset, errors="replace")
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            # No declared charset and not UTF-8: Windows-1252 is what such pages
            # nearly always are (and what browsers assume for ISO-8859-1 labels).
            return self.body.decode("cp1252", errors="replace")


def host_of(url: str) -> str:
    """The key for per-host limits: host and port as written, lower-cased."""
    return urlsplit(url).netloc.lower()


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP date; None if unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]{1,9}", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT by definition
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _causes(exc: BaseException) -> Iterator[object]:
    """The exception and everything it wraps (requests -> urllib3 -> socket)."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if id(item) in seen or item is None:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, BaseException):
            todo += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]


def _is_dns_failure(exc: BaseException) -> bool:
    return any(
        isinstance(c, socket.gaierror) or type(c).__name__ == "NameResolutionError"
        for c in _causes(exc)
    )


def _transport_error(
    exc: requests.RequestException, url: str, policy: Policy, tries: int
) -> NetError:
    host = urlsplit(url).hostname or url
    times = f" ({tries} attempts)" if tries > 1 else ""
    if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.ConnectTimeout):
        return NetError(
            Failure.TIMEOUT,
            f"{host} did not answer within {policy.read_timeout:g} s{times}",
            url=url,
        )
    if _is_dns_failure(exc):
        return NetError(
            Failure.OFFLINE,
            f"cannot look up {host}: are you offline, or is the name misspelt?{times}",
            url=url,
        )
    if isinstance(exc, requests.ConnectTimeout):
        reason = f"no connection within {policy.connect_timeout:g} s"
    elif isinstance(exc, requests.ConnectionError):
        reason = "connection refused or dropped"
    else:
        reason = type(exc).__name__
    return NetError(
        Failure.OFFLINE, f"cannot reach {host}: {reason}; are you offline?{times}", url=url
    )


class Client:
    """A requests session per thread, with our policy around every request."""

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        intervals: Mapping[str, float] | None = None,
        agent: str | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or Policy()
        self.intervals = {host.lower(): s for host, s in (intervals or {}).items()}
        self.agent = agent or user_agent()
        self.sleep = sleep or time.sleep
        self.clock = clock
        self._local = threading.local()
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._sessions: list[requests.Session] = []

    @property
    def session(self) -> requests.Session:
        # requests does not promise that one Session is thread-safe; one per thread is.
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = self.agent
            session.max_redirects = 10
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait_turn(self, host: str) -> None:
        """Keep `intervals[host]` seconds between the starts of two requests to `host`."""
        interval = self.intervals.get(host)
        if not interval:
            return
        with self._lock:  # reserve a slot, then sleep outside the lock
            now = self.clock()
            start = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = start + interval
        if start > now:
            self.sleep(start - now)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> requests.Response:
        """Send with retries. HTTP errors come back as responses; transport errors raise."""
        policy, host = self.policy, host_of(url)
        attempts = policy.retries + 1
        for attempt in range(attempts):
            self._wait_turn(host)
            try:
                response = self.session.request(
                    method,
                    url,
                    headers=dict(headers or {}),
                    params=dict(params or {}),
                    timeout=policy.timeout,
                    allow_redirects=True,
                    stream=stream,
                )
            except requests.TooManyRedirects as exc:
                raise NetError(Failure.HTTP, f"{url} redirects in a loop", url=url) from exc
            except requests.RequestException as exc:
                if attempt + 1 < attempts:
                    self.sleep(policy.backoff * 2**attempt)
                    continue
                raise _transport_error(exc, url, policy, attempts) from exc
            if response.status_code not in RETRYABLE_STATUS or attempt + 1 == attempts:
                return response
            delay = policy.backoff * 2**attempt
            if response.status_code in RETRY_AFTER_STATUS:
                asked = retry_after_seconds(response.headers.get("Retry-After"))
                if asked is not None and asked > policy.retry_after_cap:
                    response.close()
                    raise NetError(
                        Failure.RATE_LIMITED,
                        f"{urlsplit(url).hostname} asks us to wait {asked:.0f} s "
                        f"(HTTP {response.status_code}); try again later",
                        url=url,
                        status=response.status_code,
                    )
                delay = asked if asked is not None else delay
            response.close()
            self.sleep(min(delay, policy.retry_after_cap))
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def fetch(self, url: str, *, accept: str, params: Mapping[str, str] | None = None) -> Fetched:
        """GET a document; any HTTP error or an oversized body raises NetError."""
        response = self.request("GET", url, headers={"Accept": accept}, params=params, stream=True)
        with response:
            status = response.status_code
            if status == 404 or status == 410:
                raise NetError(
                    Failure.NOT_FOUND,
                    f"{response.url} not found (HTTP {status})",
                    url=url,
                    status=status,
                )
            if status >= 400:
                raise NetError(
                    Failure.HTTP,
                    f"{response.url} answered HTTP {status} {response.reason or ''}".rstrip(),
                    url=url,
                    status=status,
                )
            body = self._read(response, url)
        media, charset = _content_type(response.headers.get("Content-Type", ""))
        return Fetched(response.url, status, media, charset, body)

    def _read(self, response: requests.Response, url: str) -> bytes:
        limit = self.policy.max_bytes
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise NetError(
                        Failure.TOO_LARGE, f"{url} is larger than {limit // 1024} KiB", url=url
                    )
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise _transport_error(exc, url, self.policy, 1) from exc
        return b"".join(chunks)


def _content_type(header: str) -> tuple[str, str | None]:
    media, _, rest = header.partition(";")
    charset = None
    for param in rest.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower() or None
    if charset is not None:
        try:
            codecs.lookup(charset)
        except LookupError:
            charset = None  # an unknown label: fall back to UTF-8 rather than crash
    return media.strip().lower(), charset
