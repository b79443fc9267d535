"""The argument in a real browser: the small corpus of fixtures/argument/, built with
`toi-atlas build`, `mkdocs build --strict` (the real mkdocs.yml without its nav) and
`toi-atlas site`."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page

from browser import serious_violations, serve
from conftest import FIXTURES, ROOT, make_argument_project, run_tool

pytestmark = pytest.mark.browser

CLAIMS = yaml.safe_load((FIXTURES / "argument" / "claims.yaml").read_text(encoding="utf-8"))
GISTS = {c["id"]: c["gist"] for c in CLAIMS["claims"]}
DEBATE, CLAIMS_PAGE = "/atlas/toi/auditing/", "/atlas/claims/"


def _long_claims(n: int) -> str:
    """`n` more objections to the auditing thesis, as claims.yaml items: a claims page
    long enough that the browser parses it in several chunks."""
    return "".join(
        f"  - id: extra-objection-{i}\n"
        f"    gist: Extra objection number {i} to audits\n"
        f"    text: Objection {i} says an audit of this kind misses what a model hides when"
        f" it is not acting on it, for reasons given at length in its source.\n"
        f"    topics: [auditing]\n"
        f"    objects_to: [auditing-thesis]\n"
        f"    made_by: [crit2021]\n"
        for i in range(n)
    )


def _project(base: Path, extra_claims: int = 0) -> Path:
    project = make_argument_project(base)
    if extra_claims:
        claims = project / "bib" / "claims.yaml"
        claims.write_text(claims.read_text(encoding="utf-8") + _long_claims(extra_claims))
    for name in ("stylesheets", "javascripts"):
        shutil.copytree(ROOT / "docs" / name, project / "docs" / name)
    shutil.copytree(ROOT / "overrides", project / "overrides")
    (project / "docs" / "index.md").write_text("# Argument\n\n[Auditing](atlas/toi/auditing.md)\n")
    (project / "docs" / "contributing.md").write_text("# Contributing\n")  # linked from pages
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    # The real nav names pages of the real corpus; without it MkDocs lists every page.
    (project / "mkdocs.yml").write_text(re.sub(r"\nnav:\n(?:  .*\n)+", "\n", config))
    gen = run_tool(["toi-atlas", "build"], project)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    return project


def finish(project: Path, builder: list[str]) -> Path:
    """The site built from the generated pages, with the work pages put in."""
    for step in (builder, ["toi-atlas", "site", "--site-dir", "site"]):
        proc = run_tool(step, project)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return project / "site"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = _project(tmp_path_factory.mktemp("argument-site"))
    with serve(finish(project, ["mkdocs", "build", "--strict", "--site-dir", "site"])) as url:
        yield url


@pytest.fixture(scope="module")
def zensical_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = _project(tmp_path_factory.mktemp("argument-zensical"))
    with serve(finish(project, ["zensical", "build", "--clean"])) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == []


def _box_left(page: Page, claim: str) -> float:
    box = page.locator(f'.toi-claim[data-claim="{claim}"]:not(.toi-claim--repeat)').bounding_box()
    assert box is not None
    return box["x"]


def test_debate_page_shows_the_thesis_and_an_objection_with_its_reply(
    base: str, page: Page
) -> None:
    page.goto(base + DEBATE)
    thesis = page.locator("article h2").first
    assert thesis.get_attribute("id") == "claim-auditing-thesis"
    assert thesis.inner_text().rstrip("¶").strip() == GISTS["auditing-thesis"]
    objection = page.locator("#claim-hidden-goal-dormant")
    reply = page.locator("#claim-probes-catch-dormant")
    assert objection.is_visible() and reply.is_visible()
    # nested: each answer further right than what it answers, and below it
    lefts = [_box_left(page, c) for c in ("auditing-thesis", "hidden-goal-dormant")]
    lefts.append(_box_left(page, "probes-catch-dormant"))
    assert lefts == sorted(lefts) and len(set(lefts)) == 3
    block = page.locator('.toi-claim[data-claim="hidden-goal-dormant"]')
    meta = block.locator(".toi-claim-meta").inner_text()
    assert "Objection to" in meta and "Contested" in meta and "Roe 2021" in meta
    # the full sentence is one click away
    text = block.locator("details p").first
    assert not text.is_visible()
    block.locator("details summary").click()
    assert text.is_visible() and "need not represent a goal" in text.inner_text()
    # the table of contents lists gists (and the page's own sections), never sentences
    toc = page.locator(".md-sidebar--secondary .md-nav--secondary a").all_inner_texts()
    anchors = page.locator(".md-sidebar--secondary .md-nav--secondary a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    entries = dict(zip(anchors, (t.strip() for t in toc), strict=True))
    claims = {a.removeprefix("#claim-"): t for a, t in entries.items() if a.startswith("#claim-")}
    assert len(claims) == 8 and all(GISTS[cid] == text for cid, text in claims.items())
    others = {t for a, t in entries.items() if not a.startswith("#claim-")}
    assert others == {
        "Other claims on this topic (2)",
        "The case for (2)",
        "Critiques (1)",
        "Still unanswered (0)",
        "Evidence",
    }


def test_a_link_to_a_claim_lands_on_it(base: str, page: Page) -> None:
    page.goto(base + DEBATE + "#claim-probes-catch-dormant")
    heading = page.locator("#claim-probes-catch-dormant")
    heading.wait_for()
    assert heading.is_visible()
    top = heading.evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"] / 2  # type: ignore[index]
    # the same anchor on the claims page, where the claim lives in the auditing section
    page.goto(base + CLAIMS_PAGE + "#claim-probes-catch-dormant")
    heading = page.locator("#claim-probes-catch-dormant")
    top = heading.evaluate("el => el.getBoundingClientRect().top")
    assert heading.is_visible() and 0 <= top < page.viewport_size["height"] / 2  # type: ignore[index]


def test_claims_filter_lists_only_unanswered_claims(base: str, page: Page) -> None:
    page.goto(base + CLAIMS_PAGE)
    page.locator("#toi-claims-filter").wait_for()
    page.get_by_label(re.compile(r"^Unanswered \(\d+\)$")).check()
    shown = page.locator(".toi-claim:visible")
    statuses = shown.evaluate_all("els => els.map(e => e.dataset.status)")
    assert statuses and set(statuses) == {"unanswered"}
    ids = shown.evaluate_all("els => els.map(e => e.dataset.claim)")
    assert sorted(ids) == [
        "audits-cost",
        "audits-found-backdoors",
        "emulation-too-slow",
        "enumeration-thesis",
        "probe-results",
        "probes-catch-dormant",
        "safety-needs-it-first",
    ]
    assert page.locator("#toi-cf-status").inner_text() == "Showing 7 of 12 claims."
    assert "status=unanswered" in page.url
    # topic sections with nothing left to show fold away, with their TOC entries
    assert page.locator("h2:visible").all_inner_texts() != []
    page.get_by_label(re.compile(r"^Contested")).check()
    statuses = page.locator(".toi-claim:visible").evaluate_all(
        "els => els.map(e => e.dataset.status)"
    )
    assert set(statuses) == {"contested"}
    assert not page.locator("h2", has_text="Enumerative safety").is_visible()
    # a shared filtered view opens filtered; a link to a claim it hides opens unfiltered
    page.goto(base + CLAIMS_PAGE + "?status=unanswered")
    assert page.locator("#toi-cf-unanswered").is_checked()
    page.evaluate("location.hash = '#claim-hidden-goal-dormant'")  # contested, so hidden
    page.locator("#claim-hidden-goal-dormant").wait_for(state="visible")
    assert page.locator("#toi-cf-all").is_checked()
    page.goto("about:blank")
    page.goto(base + CLAIMS_PAGE + "?status=unanswered#claim-auditing-thesis")
    assert page.locator("#toi-cf-all").is_checked()
    assert page.locator("#claim-auditing-thesis").is_visible()


def test_claims_page_without_javascript_lists_everything(browser: Browser, base: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + CLAIMS_PAGE)
    assert page.locator(".toi-claim:not(.toi-claim--repeat)").count() == len(GISTS)
    assert not page.locator("#toi-claims-filter").is_visible()
    assert page.locator(".toi-status:visible").count() > len(GISTS)  # every claim, in words
    context.close()


@pytest.mark.parametrize("path", [DEBATE, CLAIMS_PAGE])
def test_phone_width_has_no_horizontal_scroll(browser: Browser, base: str, path: str) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(base + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.close()
    assert width <= 375


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", [DEBATE, CLAIMS_PAGE])
def test_no_serious_accessibility_violations(
    browser: Browser, base: str, path: str, scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(base + path)
    expected = "slate" if scheme == "dark" else "default"
    assert page.get_attribute("body", "data-md-color-scheme") == expected
    page.locator(".toi-claim details summary").first.click()  # check an open one too
    bad = serious_violations(page)
    context.close()
    assert bad == []


def test_zensical_site_runs_the_claims_filter_too(zensical_base: str, page: Page) -> None:
    # Zensical rewrites raw `src` attributes and MkDocs does not; the script's URL comes
    # from a Markdown link both resolve, so the filter loads under either.
    page.goto(zensical_base + CLAIMS_PAGE)
    page.get_by_label(re.compile(r"^Unanswered \(\d+\)$")).check()
    assert page.locator("#toi-cf-status").inner_text() == "Showing 7 of 12 claims."
    page.goto(zensical_base + DEBATE + "#claim-probes-catch-dormant")
    assert page.locator("#claim-probes-catch-dormant").is_visible()


@pytest.fixture(scope="module")
def long_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The argument corpus with 400 more claims, built with MkDocs."""
    project = _project(tmp_path_factory.mktemp("argument-long"), extra_claims=400)
    finish(project, ["mkdocs", "build", "--strict", "--site-dir", "site"])
    return project


def test_filter_counts_every_claim_of_a_long_page(long_project: Path, page: Page) -> None:
    # The script may arrive while the page is still being parsed; it must wait for all
    # of it (a page of 400-odd claims is long enough to show the difference).
    from toi_atlas.pipeline import Paths, load_and_check

    claims = load_and_check(Paths(long_project)).claims
    assert len(claims) > 400
    with serve(long_project / "site") as url:
        page.goto(url + CLAIMS_PAGE)
        label = page.locator("label[for=toi-cf-all]")
        assert label.inner_text() == f"All claims ({len(claims)})"
        page.locator("#toi-cf-unanswered").check()
        shown = page.locator(".toi-claim:visible").count()
        assert (
            page.locator("#toi-cf-status").inner_text()
            == f"Showing {shown} of {len(claims)} claims."
        )
