"""What a reader sees: accessibility (axe-core), phones, link previews, charts, 404.

On the code tests' fixture site (conftest.fixture_site), never on bib/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from browser import serious_violations, serve
from conftest import HOSTILE_KEY
from toi_atlas.render.charts import works_per_year

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "work": "/atlas/works/quill2024reply/",
    "topic": "/atlas/toi/auditing-deception/",
    "end story": "/atlas/endstory/microscope/",
    "browse": "/atlas/browse/?endstory=microscope",
    "reading list": "/reading/start-here/",
    "graph": "/atlas/graph/",
    "claims": "/atlas/claims/",
    "data": "/atlas/downloads/",
    "contributing": "/contributing/",
    "theories of impact": "/atlas/toi/",
}


@pytest.fixture(scope="module")
def base(fixture_site: Path) -> Iterator[str]:
    with serve(fixture_site / "site") as url:
        yield url


def _settle(page: Page, path: str) -> None:
    if "browse" in path:
        page.wait_for_function("document.getElementById('toi-browse')?.dataset.updateMs")
    if "graph" in path:
        page.wait_for_function("document.getElementById('toi-graph').dataset.shown")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(
    browser: Browser, base: str, name: str, scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(base + PAGES[name])
    _settle(page, PAGES[name])
    expected = "slate" if scheme == "dark" else "default"
    assert page.get_attribute("body", "data-md-color-scheme") == expected
    bad = serious_violations(page)
    context.close()
    assert bad == []


@pytest.mark.parametrize("name", list(PAGES))
def test_phone_width_has_no_horizontal_scroll(browser: Browser, base: str, name: str) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(base + PAGES[name])
    _settle(page, PAGES[name])
    width = page.evaluate("document.documentElement.scrollWidth")
    page.close()
    assert width <= 375


def test_link_previews_carry_title_and_summary(
    fixture_site: Path, hostile_site: Path, fixture_corpus
) -> None:
    html = (fixture_site / "site" / "atlas/works/quill2024alone/index.html").read_text()
    work = fixture_corpus.works["quill2024alone"]
    meta = dict(
        re.findall(r'<meta (?:property|name)="((?:og|twitter):\w+)" content="([^"]*)"', html)
    )
    assert meta["og:title"] == work.title
    assert meta["og:description"].startswith("An interpretability researcher&#x27;s")
    assert meta["og:url"].endswith("/atlas/works/quill2024alone/")
    assert meta["twitter:card"] == "summary"
    assert '<link rel="canonical" href="https://' in html
    hostile = (hostile_site / "site" / f"atlas/works/{HOSTILE_KEY}/index.html").read_text()
    tags = re.findall(r'<meta property="og:title" content="([^"]*)"', hostile)
    assert tags and "<" not in tags[0] and "&lt;script&gt;" in tags[0]


def test_charts_show_the_numbers_of_the_data(fixture_site: Path, fixture_corpus) -> None:
    corpus = fixture_corpus
    html = (fixture_site / "site" / "index.html").read_text()
    bars = re.findall(r'data-year="(\d+)" data-stance="([a-z]+)" data-count="(\d+)"', html)
    table = works_per_year(corpus)
    expected = {(y, s): n for y, row in table.items() for s, n in row.items() if n}
    assert {(int(y), s): int(n) for y, s, n in bars} == expected
    assert sum(expected.values()) == len([w for w in corpus.works.values() if w.year])
    cells = re.findall(r'data-topic="([a-z0-9-]+)" data-stance="([a-z]+)" data-count="(\d+)"', html)
    assert cells
    for topic, stance, n in cells:
        on = [w for w in corpus.works.values() if w.stance_on(topic) == stance]
        assert int(n) == len(on), (topic, stance)
    assert 'role="img"' in html and "the same numbers as a table" in html.lower()


def test_work_page_reads_well(fixture_site: Path, fixture_corpus) -> None:
    corpus = fixture_corpus
    html = (fixture_site / "site" / "atlas/works/quill2024reply/index.html").read_text()
    marks = ("toi-summary", "toi-citeas", "BibTeX for your reference manager")
    summary, cite, bibtex = (html.index(x) for x in marks)
    assert summary < cite < bibtex  # summary first, cite as, then the folded BibTeX
    work = corpus.works["quill2024reply"]
    assert f"Added to the atlas on {work.added}" in html
    lonely = corpus.works["quill2024alone"]  # no edges either way
    assert not lonely.edges and not corpus.incoming.get(lonely.key)
    page = (fixture_site / "site" / f"atlas/works/{lonely.slug}/index.html").read_text()
    assert "Related works" in page


def test_404_page_offers_search(browser: Browser, fixture_site: Path) -> None:
    page = browser.new_page()
    with serve(fixture_site / "site", prefix="/toi-atlas") as url:
        response = page.goto(url + "/no/such/page/")
        assert response is not None and response.status == 404
        assert page.locator("h1").first.inner_text().startswith("Page not found")
        page.fill("#toi-404-q", "Quillfeather")
        page.click("text=Search the works")
        page.wait_for_function("document.getElementById('toi-browse')?.dataset.updateMs")
        assert "text=Quillfeather" in page.url
        assert page.locator("#toi-results li").count() == 2
    page.close()


def test_contributor_steps_are_five_list_items_with_readable_code(
    browser: Browser, base: str
) -> None:
    # CONTRIBUTING.md is written for GitHub and Python-Markdown alike: continuation
    # lines need four spaces, or steps 2-5 collapse into one paragraph.
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "/contributing/")
    steps = page.locator("h2:has-text('Add a work in five steps') + ol > li")
    assert steps.count() == 5
    assert steps.nth(0).locator("pre").count() == 1
    assert steps.nth(1).inner_text().startswith("Tag it.")
    # The arXiv id is plain text, not number tokens of a highlighted language.
    code = steps.nth(0).locator("pre code")
    assert "2211.00593" in code.inner_text()
    assert code.locator("span.mf, span.m, span.mi").count() == 0
    # No line runs under the copy button: the block does not scroll sideways.
    assert page.evaluate(
        "[...document.querySelectorAll('.md-content pre > code')]"
        ".every(c => c.scrollWidth <= c.clientWidth)"
    )
    page.close()


def test_home_charts_fit_a_phone(browser: Browser, base: str, fixture_corpus) -> None:
    corpus = fixture_corpus
    # On a phone every chart shows whole: the years as rows (newest first), the heat
    # maps with abbreviated stance heads; nothing is cut at the right edge.
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(base + "/")
    shown = page.evaluate(
        "[...document.querySelectorAll('svg.toi-chart')]"
        ".filter(s => getComputedStyle(s).display !== 'none')"
        ".map(s => ({cls: s.getAttribute('class'), right: s.getBoundingClientRect().right}))"
    )
    assert len(shown) == 3
    assert all("toi-chart--narrow" in s["cls"] for s in shown)
    assert all(s["right"] <= 375 for s in shown)
    latest = max(w.year for w in corpus.works.values() if w.year)
    first_year = page.locator("svg.toi-chart--narrow text.toi-ch-axis").first.text_content()
    assert first_year == str(latest)
    page.set_viewport_size({"width": 1280, "height": 800})
    wide = page.evaluate(
        "[...document.querySelectorAll('svg.toi-chart')]"
        ".filter(s => getComputedStyle(s).display !== 'none').map(s => s.getAttribute('class'))"
    )
    assert len(wide) == 3 and all("toi-chart--wide" in c for c in wide)
    page.close()
