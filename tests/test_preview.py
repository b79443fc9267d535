"""`toi-atlas serve`: an edit in bib/ reaches the open page; a bad one never stops the preview."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from conftest import ROOT, VENV_BIN, entry, make_project
from toi_atlas import preview
from toi_atlas.pipeline import Paths
from toi_atlas.write import MARKER

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
        ("bib/.works.bib.swp", False),
        ("bib/works.bib~", False),
        ("bib/old/works.bib", False),
        ("docs/atlas/works/x.md", False),  # our own output: mkdocs serve watches it
        ("docs/index.md", False),
        ("README.md", False),
    ],
)
def test_only_what_the_generator_reads_starts_a_build(rel: str, read: bool, tmp_path: Path) -> None:
    accept = preview.is_input(Paths(tmp_path))
    assert accept(None, str((tmp_path / rel).resolve())) is read


class FakeRun:
    """Stands in for the file watcher (`batches`, then Ctrl-C) and for mkdocs serve."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, batches: list[set[str]], child: list[str]):
        self.children: list[subprocess.Popen[bytes]] = []

        def changes(_paths: Paths) -> Iterator[set[str]]:
            yield from batches
            raise KeyboardInterrupt

        def start(_paths: Paths, _addr: str) -> subprocess.Popen[bytes]:
            self.children.append(subprocess.Popen(child))
            return self.children[-1]

        monkeypatch.setattr(preview, "changes", changes)
        monkeypatch.setattr(preview, "start_mkdocs", start)
        monkeypatch.setattr(preview, "GRACE_S", 0.1)


def _builds(root: Path, outcomes: list[Callable[[], bool]]) -> Callable[[], bool]:
    """Each call runs the next outcome, after leaving the marker of a successful build."""

    def rebuild() -> bool:
        (root / "docs" / "atlas").mkdir(parents=True, exist_ok=True)
        (root / "docs" / "atlas" / MARKER).touch()
        return outcomes.pop(0)()

    return rebuild


def _crash() -> bool:
    raise RuntimeError("a bug in the generator")


def _unreadable() -> bool:
    raise PermissionError(13, "Permission denied", "bib/works.bib")


def test_a_failing_build_never_ends_the_preview(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    batches = [{"bib/a.bib"}, set(), {"bib/a.bib"}, {"bib/a.bib"}, {"bib/a.bib"}]
    run = FakeRun(monkeypatch, batches, ["sleep", "60"])
    outcomes = [lambda: True, _crash, _unreadable, lambda: False, lambda: True]
    code = preview.serve(Paths(tmp_path), "127.0.0.1:0", _builds(tmp_path, outcomes))
    assert code == 0 and outcomes == []  # every change was built, then Ctrl-C
    assert len(run.children) == 1 and run.children[0].poll() is not None  # and stopped
    assert "Traceback" not in capsys.readouterr().err


def test_the_site_is_served_once_a_first_build_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = FakeRun(monkeypatch, [set(), {"bib/a.bib"}, set()], ["sleep", "60"])
    builds: list[str] = []
    started_after: list[int] = []
    start = preview.start_mkdocs
    monkeypatch.setattr(
        preview, "start_mkdocs", lambda *a: started_after.append(len(builds)) or start(*a)
    )

    def rebuild() -> bool:
        builds.append("build")
        if len(builds) == 1:
            return False  # errors: nothing written, nothing to serve
        return _builds(tmp_path, [lambda: True])()

    assert preview.serve(Paths(tmp_path), "127.0.0.1:0", rebuild) == 0
    assert started_after == [2] and run.children[0].poll() is not None


def test_the_preview_ends_when_mkdocs_serve_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = FakeRun(monkeypatch, [set(), set()], [sys.executable, "-c", "raise SystemExit(3)"])
    start = preview.start_mkdocs

    def started(paths: Paths, addr: str) -> subprocess.Popen[bytes]:
        child = start(paths, addr)
        child.wait()  # a port in use: mkdocs serve exits at once
        return child

    monkeypatch.setattr(preview, "start_mkdocs", started)
    code = preview.serve(Paths(tmp_path), "127.0.0.1:0", _builds(tmp_path, [lambda: True]))
    assert code == 1 and run.children[0].returncode == 3


def _never() -> bool:
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


# --- the real thing: toi-atlas serve, mkdocs serve and Chromium ---------------------------


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
        # No reload from here: mkdocs serve's live reload must bring the new text.
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
            os.killpg(proc.pid, 0)  # mkdocs serve is gone too
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
