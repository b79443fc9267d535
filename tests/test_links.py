"""`toi-atlas links`: every url/pdf/code checked against a local server on 127.0.0.1.

No test reaches the internet: `no_internet` fails any test whose code looks up a host
other than the loopback address.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import threading
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import entry, make_project
from toi_atlas.commands import links
from toi_atlas.net import linkcheck


def project_with(tmp_path: Path, urls: dict[str, str], **extra: str) -> Path:
    """One entry per key, its `url` on line 5 of a file of its own."""
    files = {f"{key}.bib": entry(key, url=url, **extra) for key, url in urls.items()}
    return make_project(tmp_path, files)


def links_cmd(root: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="toi-atlas links")
    links.add_arguments(parser)
    cache = root / "cache.json"
    return links.run(parser.parse_args(["--root", str(root), "--cache", str(cache), *argv]))


def json_rows(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return rows


def test_live_link_has_no_finding(tmp_path: Path, httpserver: HTTPServer, capsys) -> None:
    httpserver.expect_request("/ok", method="HEAD").respond_with_data("")
    root = project_with(tmp_path, {"ok2023": httpserver.url_for("/ok")})
    assert links_cmd(root, "--format", "json") == 0
    assert json_rows(capsys) == []
    assert [r.method for r, _ in httpserver.log] == ["HEAD"]  # no body downloaded


def test_permanent_redirect_suggests_new_url(tmp_path: Path, httpserver: HTTPServer, capsys):
    new = httpserver.url_for("/new")
    httpserver.expect_request("/old").respond_with_data("", 301, {"Location": new})
    httpserver.expect_request("/new").respond_with_data("")
    root = project_with(tmp_path, {"moved2023": httpserver.url_for("/old")})
    assert links_cmd(root, "--format", "json") == 0  # moved is not dead
    [row] = json_rows(capsys)
    assert (row["code"], row["key"], row["file"], row["line"]) == (
        "TOI822",
        "moved2023",
        "bib/moved2023.bib",
        5,
    )
    assert row["suggestion"] == new


def test_temporary_redirect_is_reported_without_suggestion(
    tmp_path: Path, httpserver: HTTPServer, capsys
) -> None:
    httpserver.expect_request("/tmp").respond_with_data(
        "", 302, {"Location": httpserver.url_for("/here")}
    )
    httpserver.expect_request("/here").respond_with_data("")
    root = project_with(tmp_path, {"temp2023": httpserver.url_for("/tmp")})
    assert links_cmd(root, "--format", "json") == 0
    [row] = json_rows(capsys)
    assert (row["code"], row["suggestion"]) == ("TOI823", None)
    assert row["final_url"] == httpserver.url_for("/here")


def test_404_is_dead_with_key_and_line(tmp_path: Path, httpserver: HTTPServer, capsys) -> None:
    httpserver.expect_request("/gone").respond_with_data("", 404)
    root = project_with(tmp_path, {"dead2023": httpserver.url_for("/gone")})
    assert links_cmd(root) == 1
    out, err = capsys.readouterr()
    assert out.startswith("bib/dead2023.bib:5: TOI821 error: `dead2023` url ")
    assert out.rstrip().endswith("is dead: HTTP 404")
    assert "1 dead" in err
    # HEAD said 404, so GET was asked too: some servers only mishandle HEAD.
    assert [r.method for r, _ in httpserver.log] == ["HEAD", "GET"]


def test_head_not_allowed_then_get_ok(tmp_path: Path, httpserver: HTTPServer, capsys) -> None:
    httpserver.expect_request("/nohead", method="HEAD").respond_with_data("", 405)
    httpserver.expect_request("/nohead", method="GET").respond_with_data("a body")
    root = project_with(tmp_path, {"nohead2023": httpserver.url_for("/nohead")})
    assert links_cmd(root, "--format", "json") == 0
    assert json_rows(capsys) == []
    assert [r.method for r, _ in httpserver.log] == ["HEAD", "GET"]


def test_timeout_is_dead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response("")

    monkeypatch.setenv("TOI_ATLAS_RETRIES", "0")
    # A server of its own, so the late answer never lands in another test's log.
    with HTTPServer(host="127.0.0.1", port=0, threaded=True) as own:
        own.expect_request("/slow").respond_with_handler(slow)
        root = project_with(tmp_path, {"slow2023": own.url_for("/slow")})
        assert links_cmd(root, "--format", "json", "--timeout", "0.2") == 1
    [row] = json_rows(capsys)
    assert row["code"] == "TOI821"
    assert "did not answer within 0.2 s" in str(row["error"])


def test_connection_refused_is_dead(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = project_with(tmp_path, {"refused2023": f"http://127.0.0.1:{port}/x"})
    assert links_cmd(root, "--format", "json") == 1
    [row] = json_rows(capsys)
    assert row["code"] == "TOI821" and "cannot reach" in str(row["error"])


def test_per_host_limit_is_respected(tmp_path: Path, httpserver: HTTPServer) -> None:
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def counting(request: Request) -> Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.15)
        with lock:
            state["now"] -= 1
        return Response("")

    httpserver.expect_request(re.compile(r"^/p/\d+$")).respond_with_handler(counting)
    urls = {f"w{i}x2023": httpserver.url_for(f"/p/{i}") for i in range(8)}
    root = project_with(tmp_path, urls)
    assert links_cmd(root, "--workers", "8", "--per-host", "2") == 0
    assert len(httpserver.log) == 8
    assert state["max"] == 2  # concurrent, but never more than two at once


def test_cache_hit_avoids_a_second_request(
    tmp_path: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/ok").respond_with_data("")
    httpserver.expect_request("/gone").respond_with_data("", 404)
    root = project_with(
        tmp_path, {"ok2023": httpserver.url_for("/ok"), "gone2023": httpserver.url_for("/gone")}
    )
    assert links_cmd(root) == 1
    first = len(httpserver.log)
    cache = json.loads((root / "cache.json").read_text(encoding="utf-8"))
    assert list(cache["results"]) == [httpserver.url_for("/ok")]  # dead links are not kept
    capsys.readouterr()
    assert links_cmd(root) == 1
    assert "(1 from cache)" in capsys.readouterr().err
    new = [r.path for r, _ in httpserver.log[first:]]
    assert new == ["/gone", "/gone"]  # HEAD and GET again for the dead one only
    assert links_cmd(root, "--max-age", "0") == 1
    assert "/ok" in [r.path for r, _ in httpserver.log[first + 2 :]]


def test_stale_or_broken_cache_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "links.json"
    now = 1_000_000.0
    row = {"state": "ok", "status": 200, "checked": now - 7200}
    path.write_text(json.dumps({"version": 1, "results": {"https://a.example/": row}}))
    assert linkcheck.load_cache(path, 1.0, now) == {}
    assert list(linkcheck.load_cache(path, 3.0, now)) == ["https://a.example/"]
    path.write_text("{not json")
    assert linkcheck.load_cache(path, 3.0, now) == {}
    path.write_text(json.dumps({"version": 1, "results": {"u": {"state": "??"}}}))
    assert linkcheck.load_cache(path, 3.0, now) == {}


def test_github_format(tmp_path: Path, httpserver: HTTPServer, capsys) -> None:
    httpserver.expect_request("/gone").respond_with_data("", 410)
    httpserver.expect_request("/old").respond_with_data(
        "", 308, {"Location": httpserver.url_for("/ok")}
    )
    httpserver.expect_request("/ok").respond_with_data("")
    root = project_with(
        tmp_path, {"dead2023": httpserver.url_for("/gone")}, pdf=httpserver.url_for("/old")
    )
    assert links_cmd(root, "--format", "github") == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "::error file=bib/dead2023.bib,line=5,title=TOI821 dead link::`dead2023` url "
        f"{httpserver.url_for('/gone')} is dead: HTTP 410",
        "::warning file=bib/dead2023.bib,line=10,title=TOI822 link moved permanently::"
        "`dead2023` pdf "
        f"{httpserver.url_for('/old')} moved permanently; write {httpserver.url_for('/ok')}",
    ]


def test_each_url_checked_once_even_if_written_twice(
    tmp_path: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/gone").respond_with_data("", 404)
    url = httpserver.url_for("/gone")
    root = project_with(tmp_path, {"a2023": url, "b2023": url}, code=url)
    assert links_cmd(root, "--format", "json") == 1
    rows = json_rows(capsys)
    assert [(r["key"], r["field"]) for r in rows] == [
        ("a2023", "url"),
        ("a2023", "code"),
        ("b2023", "url"),
        ("b2023", "code"),
    ]
    assert len(httpserver.log) == 2  # HEAD + GET, once


def test_rate_limited_is_not_dead(tmp_path: Path, httpserver: HTTPServer, monkeypatch, capsys):
    monkeypatch.setenv("TOI_ATLAS_RETRIES", "0")
    httpserver.expect_request("/busy").respond_with_data("", 429)
    root = project_with(tmp_path, {"busy2023": httpserver.url_for("/busy")})
    assert links_cmd(root, "--format", "json") == 0
    [row] = json_rows(capsys)
    assert row["code"] == "TOI824"


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    root = project_with(tmp_path, {})
    assert links_cmd(root, "--per-host", "0") == 2
    assert links_cmd(root, "--max-age", "-1") == 2


def test_json_rows_are_the_common_finding_shape(
    tmp_path: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # One finding type: the same keys as `check --format json`, plus the link's facts.
    httpserver.expect_request("/gone").respond_with_data("", 404)
    httpserver.expect_request("/old").respond_with_data(
        "", 301, {"Location": httpserver.url_for("/ok")}
    )
    httpserver.expect_request("/tmp").respond_with_data(
        "", 302, {"Location": httpserver.url_for("/ok")}
    )
    httpserver.expect_request("/ok").respond_with_data("")
    urls = {k: httpserver.url_for(f"/{p}") for k, p in [("a", "gone"), ("b", "old"), ("c", "tmp")]}
    root = project_with(tmp_path, urls)
    assert links_cmd(root, "--format", "json") == 1  # the dead link is an error
    rows = json_rows(capsys)
    assert all({"code", "severity", "file", "line", "message", "hint"} <= set(r) for r in rows)
    assert [(r["key"], r["code"], r["severity"]) for r in rows] == [
        ("a", "TOI821", "error"),
        ("b", "TOI822", "warning"),
        ("c", "TOI823", "notice"),
    ]


def test_only_redirects_exit_0_and_log_a_summary(
    tmp_path: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/tmp").respond_with_data(
        "", 302, {"Location": httpserver.url_for("/ok")}
    )
    httpserver.expect_request("/ok").respond_with_data("")
    root = project_with(tmp_path, {"tmp2023": httpserver.url_for("/tmp")})
    assert links_cmd(root) == 0  # a notice never fails a run
    out, err = capsys.readouterr()
    assert out.startswith("bib/tmp2023.bib:5: TOI823 notice: ")
    assert "0 dead, 0 moved" in err
