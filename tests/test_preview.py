"""`toi-atlas serve`: an edit in bib/ reaches the open page; a bad one never stops the preview."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from conftest import ROOT, VENV_BIN, entry, make_project
from toi_atlas.commands import preview
from toi_atlas.pipeline import Paths
from toi_atlas.write.files import WriteStats

SUMMARY = "A fine summary. It says what the work claims."
EDITED = "A summary edited while the preview runs."


# --- the watch loop, without a server ---------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "read"),
    [
        ("bib/works.bib", True),
        ("bib/taxonomy.yaml", True),
        ("mkdocs.yml", True),
        ("docs/reading/first.md", True),
        ("docs/index.md", True),  # MkDocs builds it
        ("docs/stylesheets/atlas.css", True),
        ("overrides/main.html", True),
        ("bib/.works.bib.swp", False),
        ("bib/works.bib~", False),
        ("bib/old/works.bib", False),
        ("docs/atlas/works/index.md", False),  # our own output: the build reports it
        ("docs/.index.md.swp", False),
        ("README.md", False),
    ],
)
def test_what_starts_a_build(rel: str, read: bool, tmp_path: Path) -> None:
    accept = preview.is_input(Paths(tmp_path))
    assert accept(None, str((tmp_path / rel).resolve())) is read


def _fake_loop(monkeypatch: pytest.MonkeyPatch, batches: list[set[str]]) -> list[int]:
    """The file watcher yields `batches`, then Ctrl-C; `mkdocs build` is replaced by a
    site with one page. Returns the numbers of the sites built."""
    sites: list[int] = []

    def changes(_paths: Paths) -> Iterator[set[str]]:
        yield from batches
        raise KeyboardInterrupt

    def fresh_site(paths: Paths, served: preview.Served, number: int) -> bool:
        root = paths.cache / "preview" / f"site-{number}"
        root.mkdir(parents=True, exist_ok=True)
        (root / "index.html").write_text(f"<body>site {number}</body>")
        served.root = root
        sites.append(number)
        return True

    monkeypatch.setattr(preview, "changes", changes)
    monkeypatch.setattr(preview, "fresh_site", fresh_site)
    return sites


def _crash(_early: object = None) -> bool:
    raise RuntimeError("a bug in the generator")


def _unreadable(_early: object = None) -> bool:
    raise PermissionError(13, "Permission denied", "bib/works.bib")


def _outcomes(results: list[Callable[[], bool]]) -> preview.Generate:
    return lambda _early: results.pop(0)()


def test_a_failing_build_never_ends_the_preview(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bib = str(tmp_path / "bib" / "a.bib")
    (tmp_path / "bib").mkdir()
    sites = _fake_loop(monkeypatch, [{bib}, set(), {bib}, {bib}, {bib}])
    outcomes = [lambda: True, lambda: True, _crash, _unreadable, lambda: False]
    code = preview.serve(Paths(tmp_path), "127.0.0.1:0", _outcomes(outcomes))
    assert code == 0 and outcomes == []  # every change was built, then Ctrl-C
    assert sites == [1]  # a build that failed never replaced the site
    err = capsys.readouterr().err
    assert "Traceback" not in err and "report this as a bug" in err


def test_the_site_is_built_once_a_first_build_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bib").mkdir()
    bib = str(tmp_path / "bib" / "a.bib")
    sites = _fake_loop(monkeypatch, [set(), {bib}, set()])
    builds: list[bool] = []

    def generate(_early: object) -> bool:
        builds.append(len(builds) > 0)  # errors first: nothing to serve
        return builds[-1]

    assert preview.serve(Paths(tmp_path), "127.0.0.1:0", generate) == 0
    assert builds == [False, True] and sites == [1]


def test_a_hand_written_page_rebuilds_the_site_without_the_generator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docs").mkdir()
    sites = _fake_loop(monkeypatch, [{str(tmp_path / "docs" / "index.md")}])
    builds: list[str] = []
    code = preview.serve(Paths(tmp_path), "127.0.0.1:0", lambda _: bool(builds.append("b")) or True)
    assert code == 0
    assert builds == ["b"] and sites == [1, 2]  # the first build, then the site alone


def test_edited_work_pages_are_shown_before_the_generator_renders_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bib").mkdir()
    bib = str(tmp_path / "bib" / "a.bib")
    _fake_loop(monkeypatch, [{bib}])
    events: list[object] = []
    monkeypatch.setattr(preview, "refill", lambda _p, _s, slugs: events.append(set(slugs)))

    def generate(early: Callable[[WriteStats], None]) -> bool:
        early(WriteStats(1, 9, 0, ("works/edited.json",)))
        events.append("rest rendered")
        return True

    assert preview.serve(Paths(tmp_path), "127.0.0.1:0", generate) == 0
    # Each build: the edited page first, then the rest; it is not refilled a second time.
    assert events[-3:] == [{"edited"}, "rest rendered", set()]


def _never(_early: object) -> bool:
    raise AssertionError("built although the address is unusable")


@pytest.mark.parametrize("addr", ["in-use", "8000", "127.0.0.1:http", "127.0.0.1:70000"])
def test_an_address_it_cannot_listen_on_is_refused_before_building(
    addr: str, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        if addr == "in-use":
            addr = f"127.0.0.1:{taken.getsockname()[1]}"
        assert preview.serve(Paths(tmp_path), addr, _never) == 2


def test_the_server_never_serves_a_file_outside_the_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<body>home</body>")
    (tmp_path / "secret.txt").write_text("secret")
    served = preview.Served(root=site)
    server = preview._Server(("127.0.0.1", 0), preview.make_handler(served, "/m/"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        home = fetch(f"{base}/m/") or ""
        assert "home" in home and "__toi_atlas__/version" in home  # the reload script
        for path in ("/m/../secret.txt", "/m/%2e%2e/secret.txt", "/m/..%2fsecret.txt"):
            assert "secret" not in (fetch(base + path) or "")
    finally:
        server.shutdown()
        server.server_close()


# --- the real thing: toi-atlas serve, mkdocs build and Chromium ---------------------------


def small_site(base: Path) -> Path:
    """Two works, and the hand-written pages, theme and mkdocs.yml of the real site.

    The reading-list pages are left out (their lists name works this project lacks), so
    MkDocs warns about the nav; `mkdocs serve` is not strict.
    """
    make_project(
        base,
        {
            "works.bib": entry("nanda2022longlist", title="A Longlist", stance="advocates")
            + entry("segerie2023against", title="Against", rebuts="nanda2022longlist@auditing")
        },
    )
    shutil.copytree(ROOT / "docs", base / "docs", ignore=shutil.ignore_patterns("atlas"))
    for page in (base / "docs" / "reading").glob("*.md"):
        if page.name != "index.md":
            page.unlink()
    shutil.copytree(ROOT / "overrides", base / "overrides")
    for name in ("mkdocs.yml", "README.md", "CONTRIBUTING.md"):  # docs/ includes the last two
        shutil.copy(ROOT / name, base / name)
    return base


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(what: Callable[[], bool], seconds: float, failing: Callable[[], str]) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        assert time.monotonic() < deadline, failing()
        time.sleep(0.25)


@pytest.mark.browser
def test_serve_shows_an_edit_in_bib_without_a_reload(tmp_path: Path, browser: Browser) -> None:
    project = small_site(tmp_path / "project")
    port = free_port()
    url = f"http://127.0.0.1:{port}/toi-atlas/atlas/works/nanda2022longlist/"  # site_url's path
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(VENV_BIN / "toi-atlas"), "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={"PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": str(project)},
            start_new_session=True,  # its own group, so the test can always end both processes
        )

    def log_text() -> str:
        return log_path.read_text(encoding="utf-8", errors="replace")

    try:
        wait_for(lambda: SUMMARY in (fetch(url) or ""), 180, log_text)
        page = browser.new_page()
        page.goto(url)
        assert SUMMARY in page.inner_text("article")
        bib = project / "bib" / "works.bib"
        good = bib.read_text(encoding="utf-8")
        bib.write_text(good.replace(SUMMARY, EDITED, 1), encoding="utf-8")
        # No reload from here: the preview's live reload must bring the new text.
        page.wait_for_function(
            "t => document.body.innerText.includes(t)", arg=EDITED, timeout=60_000
        )
        assert SUMMARY not in page.inner_text("article")

        bib.write_text(good.replace(SUMMARY, "{unbalanced", 1), encoding="utf-8")
        wait_for(
            lambda: re.search(r"bib/works\.bib:\d+: TOI\d{3} error", log_text()) is not None,
            60,
            log_text,
        )
        assert "Traceback" not in log_text()
        assert EDITED in (fetch(url) or "")  # the last good site is still served
        assert EDITED in page.inner_text("article")

        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0, log_text()
        with pytest.raises(ProcessLookupError):
            os.killpg(proc.pid, 0)  # no mkdocs build left behind
        assert fetch(url) is None
        assert "Traceback" not in log_text()
    finally:
        if proc.poll() is None or _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_discovery_queue_is_a_page_of_the_preview_only(tmp_path: Path) -> None:
    from toi_atlas.write.fill import Shell

    site = tmp_path / "site"
    site.mkdir()
    shell = Shell.parse(
        "<html><head><title>TOIATLASSHELLTITLE</title></head><body><ul><li>"
        '<a href="#toiatlasshelltoc">TOIATLASSHELLTOC</a></li></ul><article>'
        '<h1 id="toiatlasshellh1">T</h1><p>TOIATLASSHELLBODY</p>'
        '<h2 id="toiatlasshelltoc">TOIATLASSHELLTOC</h2></article></body></html>'
    )
    queue = tmp_path / "queue.md"
    queue.write_text(
        "# Discovery queue\n\n## 1. Some &#60;b&#62;title&#60;/b&#62;\n\nCites 3 atlas works.\n",
        encoding="utf-8",
    )
    served = preview.Served(root=site, shell=shell, queue=queue)
    server = preview._Server(("127.0.0.1", 0), preview.make_handler(served, "/m/"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/m/"
        page = fetch(base + preview.QUEUE_PATH) or ""
        assert "<title>Discovery queue</title>" in page and "Cites 3 atlas works." in page
        assert "<b>" not in page  # the queue's escaped text stays text
        assert '<a href="#1-some-btitleb">' in page  # its sections in the table of contents
        before = fetch(f"{base}{preview.VERSION_PATH}?path=/m/{preview.QUEUE_PATH}")
        queue.write_text("# Discovery queue\n\nNothing new.\n", encoding="utf-8")
        after = fetch(f"{base}{preview.VERSION_PATH}?path=/m/{preview.QUEUE_PATH}")
        assert before and after and before != after  # an open queue page reloads
        assert not list(site.rglob("*"))  # nothing written into the site
    finally:
        server.shutdown()
        server.server_close()
