"""Shared helpers: throwaway projects in tmp_path, the CLI in-process, the fixture site.

Code tests run on the fixture corpus (`fixture_project`, `fixture_corpus`,
`fixture_site`), never on bib/: editing the real corpus must not break a code test.
Only the tests about the real corpus itself (test_corpus.py) use `real_corpus`,
`real_site` and `real_generated`."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tools.synthetic import copy_real_project, write_corpus

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# A copy of the vocabulary, frozen for the code tests: editing bib/taxonomy.yaml must not
# break them (tests/test_corpus.py checks the real one).
TAXONOMY = FIXTURES / "taxonomy.yaml"
VENV_BIN = Path(sys.executable).parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the fixture corpus instead of comparing (make golden)",
    )


def make_project(base: Path, files: dict[str, str | bytes], *, taxonomy: str | None = None) -> Path:
    """A project folder with bib/taxonomy.yaml (the real one unless given) and `files` in bib/."""
    bib = base / "bib"
    bib.mkdir(parents=True, exist_ok=True)
    if taxonomy is None:
        shutil.copy(TAXONOMY, bib / "taxonomy.yaml")
    else:
        (bib / "taxonomy.yaml").write_text(taxonomy, encoding="utf-8")
    for name, content in files.items():
        target = bib / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return base


def make_argument_project(base: Path) -> Path:
    """The small corpus of fixtures/argument/ (its own taxonomy, works and claims)."""
    files = {p.name: p.read_text(encoding="utf-8") for p in (FIXTURES / "argument").iterdir()}
    taxonomy = files.pop("taxonomy.yaml")
    return make_project(base, files, taxonomy=taxonomy)


def entry(key: str, *, typ: str = "misc", drop: tuple[str, ...] = (), **fields: str) -> str:
    """A valid entry (no finding at all) with fields overridden or dropped."""
    values = {
        "author": "Doe, Jane",
        "title": f"A Valid Work about {key}",
        "year": "2023",
        "url": f"https://example.org/{key}",
        "tois": "auditing",
        "stance": "critiques",
        "summary": "A fine summary. It says what the work claims.",
        "added": "2026-11-25",
    }
    values.update(fields)
    body = "".join(f"  {k} = {{{v}}},\n" for k, v in values.items() if k not in drop)
    return f"@{typ}{{{key},\n{body}}}\n"


def copy_site_sources(dest: Path) -> Path:
    """The real project minus generated output, so builds never touch the checkout."""
    return copy_real_project(ROOT, dest)


def run_tool(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run an installed command from this virtualenv (toi-atlas, mkdocs, zensical)."""
    exe = VENV_BIN / args[0]
    return subprocess.run(
        [str(exe), *args[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PATH": f"{VENV_BIN}:/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1", "HOME": str(cwd)},
        timeout=600,
        check=False,
    )


# The corpus the code tests run on: a synthetic one (tools/synthetic.py, fixed seed) in a
# copy of the real project's pages, theme and mkdocs.yml, so editing bib/ never breaks a
# code test. More than 100 works, so the browse page lists them in two steps.
FIXTURE_WORKS = 150


def make_fixture_project(dest: Path) -> Path:
    """The synthetic works plus fixtures/site/: hand-written works the tests name, a
    reading list and its page."""
    write_corpus(dest, FIXTURE_WORKS, seed=0, repo=ROOT, taxonomy=TAXONOMY)
    shutil.copytree(FIXTURES / "site", dest, dirs_exist_ok=True)
    return dest


def built(project: Path) -> Path:
    """`project` built as `make build` does it (see `build_site`)."""
    build_site(project)
    return project


# The hand-written hub of the fixture corpus (tests/fixtures/site/bib/fixture.bib), as the
# essay is in the real one: one accented author, seven topics with four stances, answered
# by seven works across eight topics.
HUB = "ravensworth2022against"


@pytest.fixture(scope="session")
def fixture_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus's project folder, not built yet (`fixture_site` builds it)."""
    return make_fixture_project(tmp_path_factory.mktemp("fixture"))


@pytest.fixture(scope="session")
def fixture_site(fixture_project: Path) -> Path:
    """The fixture corpus, built as `make build` does, in a temp dir."""
    return built(fixture_project)


@pytest.fixture(scope="session")
def fixture_corpus(fixture_project: Path):
    """The fixture corpus as the generator reads it (no build needed)."""
    from toi_atlas.pipeline import Paths, load_and_check

    result = load_and_check(Paths(fixture_project))
    assert result.corpus is not None and not result.diagnostics
    return result.corpus


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The real corpus, built as `make build` does, in a temp copy: for test_corpus.py."""
    yield built(copy_site_sources(tmp_path_factory.mktemp("real")))


HOSTILE_KEY = "hostile2024"
HOSTILE_TITLE = (
    '<script>alert("t")</script> [click](javascript:alert(1)) <img src=x onerror=alert(2)>'
)
HOSTILE_BIB = entry(
    HOSTILE_KEY,
    title=HOSTILE_TITLE.replace("{", r"\{"),
    author="O'Brien, <b>Eve</b> and {[x](javascript:alert(3))}",
    summary='"><svg onload=alert(4)> [y](javascript:alert(5)) {{ config }} {% raw %}',
    howpublished="<iframe src=javascript:alert(6)>",
    note="</code></pre><script>alert(7)</script>```",
    rebuts=f"{HUB}@auditing",
)


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The fixture corpus plus one entry full of markup, built with the real mkdocs.yml."""
    project = make_fixture_project(tmp_path_factory.mktemp("hostile"))
    (project / "bib" / "hostile.bib").write_text(HOSTILE_BIB, encoding="utf-8")
    yield built(project)


@pytest.fixture(scope="session")
def real_generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real corpus run through `toi-atlas build` only (no MkDocs): docs/atlas/, for
    test_corpus.py."""
    project = copy_site_sources(tmp_path_factory.mktemp("gen"))
    gen = run_tool(["toi-atlas", "build"], project)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    return project / "docs" / "atlas"


# Tests never touch the internet: every lookup of a host other than loopback fails the test.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class NetGuard:
    """Stands in for socket.getaddrinfo: loopback only, everything else is recorded."""

    def __init__(self, real: Callable[..., list]) -> None:
        self.real = real
        self.blocked: list[str] = []
        self.unresolvable: set[str] = set()  # hosts a test wants to look offline

    def getaddrinfo(self, host: object, *args: object, **kwargs: object) -> list:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in self.unresolvable:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if name not in LOOPBACK:
            self.blocked.append(name)
            raise socket.gaierror(socket.EAI_NONAME, f"test refused to look up {name}")
        return self.real(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def fresh_memos() -> None:
    """Each test starts as a fresh process would: nothing parsed or made before."""
    from toi_atlas.pipeline import forget_builds

    forget_builds()


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetGuard]:
    guard = NetGuard(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", guard.getaddrinfo)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)  # a proxy would see our 127.0.0.1 requests
    yield guard
    assert not guard.blocked, f"a test tried to reach the internet: {guard.blocked}"


@pytest.fixture(scope="session")
def real_corpus():
    """The corpus in bib/: for test_corpus.py only."""
    from toi_atlas.pipeline import Paths, load_and_check

    result = load_and_check(Paths(ROOT))
    assert result.corpus is not None
    return result.corpus


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def local_http():
    from pytest_httpserver import HTTPServer

    # Threaded, so a deliberately slow handler does not block the next test's requests.
    with HTTPServer(host="127.0.0.1", port=0, threaded=True) as srv:
        yield srv


@pytest.fixture
def httpserver(local_http):
    local_http.clear()
    yield local_http
    local_http.check_handler_errors()


def work_sources(root: Path) -> Path:
    """Where `toi-atlas build` leaves each work page's fragment (`<key>.json`), which
    `toi-atlas site` pours into the theme's shell: docs/atlas holds no work pages."""
    return root / ".toi-atlas" / "pages" / "html" / "works"


def cite_sources(root: Path) -> Path:
    """Where `toi-atlas build` leaves each work's BibTeX file (`<slug>.bib`), which
    `toi-atlas site` puts into the site's atlas/cite/ (MkDocs never sees them)."""
    return root / ".toi-atlas" / "pages" / "html" / "cite"


def work_fragment(root: Path, slug: str) -> dict[str, Any]:
    fragment: dict[str, Any] = json.loads((work_sources(root) / f"{slug}.json").read_text("utf-8"))
    return fragment


def work_html(root: Path, slug: str) -> str:
    """The body of a work's page, as HTML."""
    body: str = work_fragment(root, slug)["body"]
    return body


def build_site(project: Path, builder: str = "mkdocs") -> Path:
    """`toi-atlas build`, then `mkdocs build --strict` (or `zensical build --clean`),
    then `toi-atlas site`: what `make build` and `make zensical` run. Returns site/."""
    steps = [
        ["toi-atlas", "build"],
        ["mkdocs", "build", "--strict", "--site-dir", "site"]
        if builder == "mkdocs"
        else ["zensical", "build", "--clean"],
        ["toi-atlas", "site", "--site-dir", "site"],
    ]
    for step in steps:
        proc = run_tool(step, project)
        assert proc.returncode == 0, f"{' '.join(step)}:\n{proc.stdout}{proc.stderr}"
    return project / "site"


def bib_keys(bib_dir: Path) -> set[str]:
    """Every entry key written in the .bib files of `bib_dir` (read without the loader)."""
    keys = set()
    for bib in bib_dir.glob("*.bib"):
        keys |= set(re.findall(r"^@\w+\{([^,\s]+),", bib.read_text(encoding="utf-8"), re.M))
    return keys


def reading_list_shows_times(root: Path) -> list[str]:
    """Check every reading list page of the built project at `root` against its entries'
    reading times; returns the ids of the lists checked."""
    from toi_atlas.pipeline import Paths, load_and_check

    result = load_and_check(Paths(root))
    assert result.corpus is not None and result.reading_lists
    for rl in result.reading_lists:
        html = (root / "site" / "reading" / rl.id / "index.html").read_text(encoding="utf-8")
        works = [result.corpus.works[i.key] for i in rl.items]
        assert works, rl.id
        total = sum(w.readingtime or 0 for w in works)
        assert f"about {total} minutes" in html
        for work in works:
            assert f'href="../../atlas/works/{work.slug}/"' in html
            assert f"{work.readingtime} min" in html
    return [rl.id for rl in result.reading_lists]
