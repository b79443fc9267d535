"""The HTTP client against a local server: retries, waits, limits and the deadline.

Slow servers here send a byte every few tenths of a second for a few seconds at
most, against deadlines of one second, so every test ends in a few seconds whether
or not the deadline works; the assertions say which limit stopped the request.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import NetGuard
from toi_atlas.net import client as net
from toi_atlas.net import sources


def test_guard_refuses_real_hosts(no_internet: NetGuard) -> None:
    with pytest.raises(net.NetError) as err, net.Client(net.Policy(retries=0)) as client:
        client.fetch("https://example.org/", accept="text/html")
    assert err.value.failure is net.Failure.OFFLINE
    assert no_internet.blocked == ["example.org"]
    no_internet.blocked.clear()  # the guard worked; do not fail this test for it


class Recorder:
    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.now = 100.0

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def test_retry_after_http_date_and_cap(httpserver: HTTPServer) -> None:
    when = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30), True)
    httpserver.expect_oneshot_request("/d").respond_with_data(
        "", status=503, headers={"Retry-After": when}
    )
    httpserver.expect_request("/d").respond_with_data("ok")
    rec = Recorder()
    client = net.Client(net.Policy(backoff=0.5, retry_after_cap=60), sleep=rec.sleep)
    assert client.fetch(httpserver.url_for("/d"), accept="*/*").body == b"ok"
    assert len(rec.sleeps) == 1 and 25 <= rec.sleeps[0] <= 30


def test_backoff_doubles_on_5xx(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down").respond_with_data("", status=502)
    rec = Recorder()
    client = net.Client(net.Policy(retries=3, backoff=0.5), sleep=rec.sleep)
    with pytest.raises(net.NetError) as err:
        client.fetch(httpserver.url_for("/down"), accept="*/*")
    assert err.value.status == 502
    assert rec.sleeps == [0.5, 1.0, 2.0]


def test_min_interval_between_arxiv_calls(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/query").respond_with_data("<feed/>")
    rec = Recorder()
    api = httpserver.url_for("/api/query")
    endpoints = sources.Endpoints(arxiv_api=api, arxiv_interval=3.0)
    client = net.Client(intervals=endpoints.intervals(), sleep=rec.sleep, clock=rec.clock)
    for _ in range(3):
        client.fetch(api, accept="*/*")
    assert rec.sleeps == [3.0, 3.0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("soon", None),
        ("", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_retry_after_parsing(value: str, expected: float | None) -> None:
    assert net.retry_after_seconds(value) == expected


def test_oversized_body_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000)
    client = net.Client(net.Policy(max_bytes=1024))
    with pytest.raises(net.NetError) as err:
        client.fetch(httpserver.url_for("/big"), accept="*/*")
    assert err.value.failure is net.Failure.TOO_LARGE


def test_user_agent_names_the_project() -> None:
    agent = net.user_agent("someone@example.org")
    assert agent == (
        f"toi-atlas/{net.__version__} (+https://github.com/toi-atlas/toi-atlas; "
        "mailto:someone@example.org)"
    )
    assert requests.utils.default_user_agent() not in agent


# --- the overall deadline ----------------------------------------------------------


def drip(count: int, pause: float, **headers: str):
    """A handler that sends `count` single bytes, `pause` seconds apart."""

    def handler(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(count):
                yield b"x"
                time.sleep(pause)

        return Response(body(), content_type="text/html", headers=headers)

    return handler


@pytest.fixture
def own_server() -> Iterator[HTTPServer]:
    """A server of its own: slow answers must not reach the shared server's next test."""
    with HTTPServer(host="127.0.0.1", port=0, threaded=True) as server:
        yield server


def test_slow_body_stops_at_the_deadline_and_says_how_much_came(own_server: HTTPServer) -> None:
    # Each byte comes well within the 5 s read timeout; only a deadline can stop it.
    own_server.expect_request("/drip").respond_with_handler(
        drip(10, 0.3, **{"Content-Length": "100000"})
    )
    client = net.Client(net.Policy(deadline=1.0, read_timeout=5.0, retries=0))
    with pytest.raises(net.NetError) as err:
        client.fetch(own_server.url_for("/drip"), accept="*/*")
    assert err.value.failure is net.Failure.TIMEOUT
    message = str(err.value)
    assert message.startswith("gave up after 1 s: the server at 127.0.0.1:")
    assert "bytes of 98 KiB" in message  # how much came of how much was announced


def test_slow_body_without_length_stops_at_the_deadline(own_server: HTTPServer) -> None:
    own_server.expect_request("/drip").respond_with_handler(drip(10, 0.3))
    client = net.Client(net.Policy(deadline=1.0, read_timeout=5.0, retries=0))
    with pytest.raises(net.NetError) as err:
        client.fetch(own_server.url_for("/drip"), accept="*/*")
    assert err.value.failure is net.Failure.TIMEOUT
    assert " of " not in str(err.value)  # nothing was announced


@pytest.fixture
def slow_headers() -> Iterator[str]:
    """A raw server that sends its status line, then one header byte every 0.2 s.

    pytest-httpserver always sends headers at once, so this one case needs a socket.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                for _ in range(15):
                    conn.sendall(b"a")
                    time.sleep(0.2)
            except OSError:
                pass  # the client hung up, as it should

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/"
    thread.join(timeout=10)
    listener.close()


def test_slow_headers_stop_at_the_deadline(slow_headers: str) -> None:
    client = net.Client(net.Policy(deadline=1.0, read_timeout=5.0, retries=0))
    with pytest.raises(net.NetError) as err:
        client.fetch(slow_headers, accept="*/*")
    assert err.value.failure is net.Failure.TIMEOUT
    assert "had not finished answering" in str(err.value)


def test_slow_headers_stop_a_bare_request_too(slow_headers: str) -> None:
    """`links` sends requests without fetching a body: the deadline covers those."""
    client = net.Client(net.Policy(deadline=1.0, read_timeout=5.0, retries=0))
    with pytest.raises(net.NetError) as err:
        client.request("HEAD", slow_headers)
    assert err.value.failure is net.Failure.TIMEOUT


def test_no_retry_that_would_start_after_the_deadline(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/busy").respond_with_data(
        "", status=503, headers={"Retry-After": "30"}
    )
    rec = Recorder()
    client = net.Client(net.Policy(deadline=10.0, retry_after_cap=60), sleep=rec.sleep)
    with pytest.raises(net.NetError) as err:
        client.fetch(httpserver.url_for("/busy"), accept="*/*")
    assert err.value.failure is net.Failure.TIMEOUT
    assert rec.sleeps == []  # did not wait 30 s only to run out of time
    assert len(httpserver.log) == 1


def test_a_quick_answer_is_untouched_by_the_deadline(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ok").respond_with_data("fine")
    client = net.Client(net.Policy(deadline=1.0))
    for _ in range(3):  # the connection is reused; an old watchdog must not cut it
        assert client.fetch(httpserver.url_for("/ok"), accept="*/*").body == b"fine"


# --- the size cap ------------------------------------------------------------------


def test_announced_size_over_the_cap_is_refused_unread(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000)
    client = net.Client(net.Policy(max_bytes=1024))
    with pytest.raises(net.NetError) as err:
        client.fetch(httpserver.url_for("/big"), accept="*/*")
    assert err.value.failure is net.Failure.TOO_LARGE
    assert "announces 5 KiB, more than the 1 KiB size cap" in str(err.value)


def test_unannounced_body_over_the_cap_is_cut(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/stream").respond_with_handler(
        lambda request: Response((b"y" * 1000 for _ in range(50)), content_type="text/html")
    )
    client = net.Client(net.Policy(max_bytes=10_000))
    with pytest.raises(net.NetError) as err:
        client.fetch(httpserver.url_for("/stream"), accept="*/*")
    assert err.value.failure is net.Failure.TOO_LARGE
    assert "sent more than the 10 KiB size cap" in str(err.value)


def test_cap_counts_decompressed_bytes(httpserver: HTTPServer) -> None:
    """A small gzip answer that inflates to 5 MiB is stopped at the cap."""
    bomb = gzip.compress(b"x" * (5 * 1024 * 1024))
    httpserver.expect_request("/gz").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}, content_type="text/html"
    )
    client = net.Client(net.Policy(max_bytes=1024 * 1024))
    with pytest.raises(net.NetError) as err:
        client.fetch(httpserver.url_for("/gz"), accept="*/*")
    assert len(bomb) < 1024 * 1024
    assert err.value.failure is net.Failure.TOO_LARGE


# --- policy from the environment ---------------------------------------------------


def test_deadline_and_size_cap_from_environment() -> None:
    env = {"TOI_ATLAS_DEADLINE": "2.5", "TOI_ATLAS_MAX_BYTES": "4096"}
    policy = net.Policy.from_env(environ=env)
    assert (policy.deadline, policy.max_bytes) == (2.5, 4096)


@pytest.mark.parametrize(
    "env",
    [
        {"TOI_ATLAS_DEADLINE": "0"},
        {"TOI_ATLAS_DEADLINE": "soon"},
        {"TOI_ATLAS_MAX_BYTES": "1.5"},
        {"TOI_ATLAS_MAX_BYTES": "-1"},
    ],
)
def test_bad_limits_from_environment_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="TOI_ATLAS_"):
        net.Policy.from_env(environ=env)


# --- decoding ----------------------------------------------------------------------


def fetched(body: bytes, charset: str | None) -> net.Fetched:
    return net.Fetched("http://127.0.0.1/p", 200, "text/html", charset, body)


@pytest.mark.parametrize(
    ("body", "charset", "text"),
    [
        ("Rényi".encode(), "utf-8", "Rényi"),
        ("Rényi".encode(), None, "Rényi"),
        ("Rényi".encode("cp1252"), None, "Rényi"),  # undeclared and not UTF-8
    ],
)
def test_clean_bodies_decode_without_a_problem(body: bytes, charset: str | None, text: str) -> None:
    assert fetched(body, charset).decode() == (text, None)


@pytest.mark.parametrize(
    ("body", "charset"),
    [(b"R\xe9nyi \xff", "utf-8"), (b"R\xc3\xa9nyi \x81", None)],
    ids=["declared-utf-8", "undeclared-cp1252-hole"],
)
def test_undecodable_bytes_are_reported(body: bytes, charset: str | None) -> None:
    text, problem = fetched(body, charset).decode()
    assert "\ufffd" in text
    assert problem is not None and "U+FFFD" in problem and "\\x" in problem
