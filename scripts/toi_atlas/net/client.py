"""The HTTP client: the one place that talks to the network (link checks reuse it).

Everything a polite, robust client needs lives here so callers only say *what* to
fetch: a descriptive User-Agent with a contact address (Crossref and arXiv ask for
one), connect and read timeouts, retries with exponential backoff on connection
errors and 5xx, `Retry-After` honoured on 429/503 up to a cap, a minimum interval
between calls to hosts that ask for one (arXiv: one request every 3 seconds), a cap
on body size, an overall deadline per request, and one exception type whose message
says plainly what went wrong.

We retry ourselves instead of mounting urllib3's `Retry` because we want the
cap on `Retry-After`, our own messages and an injectable `sleep` for fast tests.

Timeouts apply to each read, so a server that sends a byte every few seconds never
trips them. The deadline does: a watchdog timer shuts the request's socket down
when it passes, which ends a blocked read at once, in the headers or the body.
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
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .. import __version__

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
    # Seconds for one request from its first attempt to its last byte, retries and
    # waits included: a server that drips bytes stays within every read timeout.
    deadline: float = 120.0

    @classmethod
    def from_env(
        cls, base: Policy | None = None, environ: Mapping[str, str] | None = None
    ) -> Policy:
        """`base` with TOI_ATLAS_TIMEOUT, _CONNECT_TIMEOUT, _RETRIES, _BACKOFF, _DEADLINE,
        _MAX_BYTES overrides."""
        env = os.environ if environ is None else environ
        names = {
            "TOI_ATLAS_TIMEOUT": "read_timeout",
            "TOI_ATLAS_CONNECT_TIMEOUT": "connect_timeout",
            "TOI_ATLAS_RETRIES": "retries",
            "TOI_ATLAS_BACKOFF": "backoff",
            "TOI_ATLAS_RETRY_AFTER_CAP": "retry_after_cap",
            "TOI_ATLAS_DEADLINE": "deadline",
            "TOI_ATLAS_MAX_BYTES": "max_bytes",
        }
        changes: dict[str, Any] = {}
        for var, attr in names.items():
            raw = env.get(var, "").strip()
            if not raw:
                continue
            try:
                value = int(raw) if attr in ("retries", "max_bytes") else float(raw)
            except ValueError as exc:
                raise ValueError(f"{var}={raw!r} is not a number") from exc
            if value < 0:
                raise ValueError(f"{var}={raw!r} must not be negative")
            if value == 0 and attr in ("deadline", "max_bytes"):
                raise ValueError(f"{var}={raw!r} must be more than 0")
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
        return self.decode()[0]

    def decode(self) -> tuple[str, str | None]:
        """The body as text, and what was wrong with its bytes (None if nothing).

        Bytes the encoding cannot read become U+FFFD, as in a browser; the second
        item says so, so that a title with a hole in it is never written unnoticed.
        """
        if self.charset:
            return _decode(self.body, self.charset, f"declared {self.charset}")
        try:
            return self.body.decode("utf-8"), None
        except UnicodeDecodeError:
            # No declared charset and not UTF-8: Windows-1252 is what such pages
            # nearly always are (and what browsers assume for ISO-8859-1 labels).
            return _decode(self.body, "cp1252", "not UTF-8, read as Windows-1252")


def _decode(body: bytes, charset: str, how: str) -> tuple[str, str | None]:
    try:
        return body.decode(charset), None
    except UnicodeDecodeError as exc:
        bad = "".join(f"\\x{b:02x}" for b in body[exc.start : exc.end])
        return body.decode(charset, errors="replace"), (
            f"{how}, but the bytes at offset {exc.start} ({bad}) and maybe more are "
            f"not {charset}; they became U+FFFD: check the entry's text"
        )


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


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return False
    return isinstance(exc, requests.Timeout | urllib3.exceptions.ReadTimeoutError | TimeoutError)


def _transport_error(exc: BaseException, url: str, policy: Policy, tries: int) -> NetError:
    host = urlsplit(url).hostname or url
    times = f" ({tries} attempts)" if tries > 1 else ""
    if _is_timeout(exc):
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
    elif isinstance(exc, requests.ConnectionError | urllib3.exceptions.HTTPError | OSError):
        reason = "connection refused or dropped"
    else:
        reason = type(exc).__name__
    return NetError(
        Failure.OFFLINE, f"cannot reach {host}: {reason}; are you offline?{times}", url=url
    )


def size_text(n: int) -> str:
    """`512 bytes`, `98 KiB`, `9.54 MiB`."""
    if n < 1024:
        return f"{n} byte{'s' if n != 1 else ''}"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KiB"
    return f"{n / (1024 * 1024):.3g} MiB"


# --- the deadline ------------------------------------------------------------------

# The watchdog of the request this thread is making, for the connection classes
# below, which urllib3 creates without any reference to our Client.
_CURRENT = threading.local()


def _shut(sock: object) -> None:
    """End every blocked read on `sock` at once (the reader sees the end of the stream).

    The plain socket's shutdown, also for TLS sockets: ssl.SSLSocket.shutdown would
    unwrap the TLS layer under the feet of the reading thread.
    """
    try:
        if isinstance(sock, socket.socket):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: nothing left to interrupt


class _Watchdog:
    """One request's deadline: a timer that shuts its socket down when it passes."""

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.seconds = seconds
        self.clock = clock
        self.end = clock() + seconds
        self.expired = False
        self._sock: object | None = None
        self._stopped = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def left(self) -> float:
        return self.end - self.clock()

    def over(self) -> bool:
        return self.expired or self.left() <= 0

    def watch(self, sock: object) -> None:
        with self._lock:
            self._sock = sock
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self.expired = True
            if self._sock is not None:
                _shut(self._sock)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
        self._timer.cancel()


def _watch_current(sock: object) -> None:
    watchdog: _Watchdog | None = getattr(_CURRENT, "watchdog", None)
    if watchdog is not None and sock is not None:
        watchdog.watch(sock)


class _WatchedConnection(HTTPConnection):
    """Hands its socket to the request's watchdog before waiting for the answer."""

    # urllib3 narrows http.client's return type the same way (and ignores it too).
    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]
        _watch_current(self.sock)
        return super().getresponse()


class _WatchedTLSConnection(HTTPSConnection):
    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]
        _watch_current(self.sock)
        return super().getresponse()


class _Pool(HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedTLSConnection


_POOLS = {"http": _Pool, "https": _TLSPool}


class _Adapter(HTTPAdapter):
    """requests' adapter with connections the watchdog can interrupt."""

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools have their own classes
            manager.pool_classes_by_scheme = _POOLS
        return manager


def _content_length(headers: Mapping[str, str]) -> int | None:
    value = headers.get("Content-Length", "").strip()
    return int(value) if value.isdigit() else None


# --- the client --------------------------------------------------------------------


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
            for prefix in ("http://", "https://"):
                session.mount(prefix, _Adapter())
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

    @contextmanager
    def _deadline(self) -> Iterator[_Watchdog]:
        """The watchdog of this thread's request; a new one unless a fetch started one."""
        current: _Watchdog | None = getattr(_CURRENT, "watchdog", None)
        if current is not None:
            yield current
            return
        watchdog = _Watchdog(self.policy.deadline, self.clock)
        _CURRENT.watchdog = watchdog
        watchdog.start()
        try:
            yield watchdog
        finally:
            watchdog.stop()
            _CURRENT.watchdog = None

    def _gave_up(self, url: str, what: str) -> NetError:
        return NetError(
            Failure.TIMEOUT,
            f"gave up after {self.policy.deadline:g} s: {what} (TOI_ATLAS_DEADLINE sets the limit)",
            url=url,
        )

    def _pause(self, seconds: float, url: str, watchdog: _Watchdog, tries: int) -> None:
        """Sleep before a retry, unless the retry would start after the deadline."""
        if seconds >= watchdog.left():
            host = urlsplit(url).netloc
            raise self._gave_up(
                url, f"the server at {host} failed {tries} time(s) and there is no time to retry"
            )
        self.sleep(seconds)

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
        with self._deadline() as watchdog:
            return self._send(method, url, watchdog, headers or {}, params or {}, stream=stream)

    def _send(
        self,
        method: str,
        url: str,
        watchdog: _Watchdog,
        headers: Mapping[str, str],
        params: Mapping[str, str],
        *,
        stream: bool,
    ) -> requests.Response:
        policy, host = self.policy, host_of(url)
        attempts = policy.retries + 1
        for attempt in range(attempts):
            self._wait_turn(host)
            left = watchdog.left()
            if watchdog.over():
                raise self._gave_up(url, f"the server at {host} had not answered")
            try:
                response = self.session.request(
                    method,
                    url,
                    headers=dict(headers),
                    params=dict(params),
                    # No single wait may outlast the deadline either.
                    timeout=(min(policy.connect_timeout, left), min(policy.read_timeout, left)),
                    allow_redirects=True,
                    stream=stream,
                )
            except requests.TooManyRedirects as exc:
                raise NetError(Failure.HTTP, f"{url} redirects in a loop", url=url) from exc
            except requests.RequestException as exc:
                if watchdog.over():
                    raise self._gave_up(
                        url, f"the server at {host} had not finished answering"
                    ) from exc
                if attempt + 1 < attempts:
                    self._pause(policy.backoff * 2**attempt, url, watchdog, attempt + 1)
                    continue
                raise _transport_error(exc, url, policy, attempts) from exc
            if watchdog.expired:  # headers cut short by the watchdog can look complete
                response.close()
                raise self._gave_up(url, f"the server at {host} had not finished answering")
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
            self._pause(min(delay, policy.retry_after_cap), url, watchdog, attempt + 1)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def fetch(self, url: str, *, accept: str, params: Mapping[str, str] | None = None) -> Fetched:
        """GET a document; an HTTP error, an oversized body or the deadline raise NetError."""
        with self._deadline() as watchdog:
            response = self._send(
                "GET", url, watchdog, {"Accept": accept}, params or {}, stream=True
            )
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
                body = self._read(response, url, watchdog)
        media, charset = _content_type(response.headers.get("Content-Type", ""))
        return Fetched(response.url, status, media, charset, body)

    def _read(self, response: requests.Response, url: str, watchdog: _Watchdog) -> bytes:
        """The body, chunk by chunk as it arrives, within the size cap and the deadline."""
        limit, host = self.policy.max_bytes, urlsplit(url).netloc
        declared = _content_length(response.headers)
        if declared is not None and declared > limit:
            raise NetError(
                Failure.TOO_LARGE,
                f"the server at {host} announces {size_text(declared)}, more than the "
                f"{size_text(limit)} size cap (TOI_ATLAS_MAX_BYTES sets it)",
                url=url,
            )
        raw = response.raw
        chunks: list[bytes] = []
        size = 0
        try:
            # read1 returns what one read of the socket gave, so the count of bytes
            # received is current when the watchdog cuts a slow answer short.
            while chunk := raw.read1(64 * 1024, decode_content=True):
                size += len(chunk)
                if size > limit:
                    raise NetError(
                        Failure.TOO_LARGE,
                        f"gave up: the server at {host} sent more than the "
                        f"{size_text(limit)} size cap (TOI_ATLAS_MAX_BYTES sets it)",
                        url=url,
                    )
                chunks.append(chunk)
        except (OSError, urllib3.exceptions.HTTPError, requests.RequestException) as exc:
            if watchdog.over():
                raise self._cut_short(url, raw.tell(), declared) from exc
            raise _transport_error(exc, url, self.policy, 1) from exc
        if watchdog.expired:  # a body without a length ends where the watchdog cut it
            raise self._cut_short(url, raw.tell(), declared)
        return b"".join(chunks)

    def _cut_short(self, url: str, got: int, declared: int | None) -> NetError:
        of = f" of {size_text(declared)}" if declared is not None else ""
        return self._gave_up(url, f"the server at {urlsplit(url).netloc} sent {size_text(got)}{of}")


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
