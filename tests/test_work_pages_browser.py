"""Work pages, topic indexes and search on the fixture site, in Chromium (and its files).

The work page most of them open is the fixture corpus's hub (conftest.HUB), which, as
the essay in the real corpus, has many connections across several topics."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from browser import serve
from conftest import HUB

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
ESSAY = f"/atlas/works/{HUB}/"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
# "About three screens" of a 1280x900 desktop, with the long groups folded.
MAX_HEIGHT = 2700


@pytest.fixture(scope="module")
def base(fixture_site: Path) -> Iterator[str]:
    with serve(fixture_site / "site") as url:
        yield url


@pytest.fixture(scope="module")
def corpus(fixture_corpus):
    """The fixture corpus the site above is built from (never bib/)."""
    return fixture_corpus


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_read_cite_and_bibtex_are_in_the_first_screen(
    browser: Browser, base: str, viewport: dict[str, int], corpus
) -> None:
    page = browser.new_page(viewport=viewport)
    page.goto(base + ESSAY)
    actions = page.locator(".toi-actions a")
    labels = actions.all_inner_texts()
    assert labels == ["Read", "Cite", "BibTeX"]
    assert actions.first.get_attribute("href") == corpus.works[HUB].url
    bottom = page.evaluate(
        "Math.max(...[...document.querySelectorAll('.toi-actions a')]"
        ".map(a => a.getBoundingClientRect().bottom))"
    )
    assert 0 < bottom <= viewport["height"]
    page.close()


def test_bibtex_action_opens_the_folded_entry(browser: Browser, base: str) -> None:
    page = browser.new_page(viewport=DESKTOP)
    page.goto(base + ESSAY)
    block = page.locator("details:has(#bibtex)")
    assert block.get_attribute("open") is None
    page.click(".toi-actions >> text=BibTeX")
    page.wait_for_function("document.querySelector('details:has(#bibtex)').open")
    assert page.locator("details:has(#bibtex) pre code").is_visible()
    assert f"@misc{{{HUB}" in page.locator("details:has(#bibtex) pre").inner_text()
    page.close()


# Each page's main part (its sidebars included) swapped into one loaded page, and the
# page's height read: the same figure as a visit, without 200 page loads.
HEIGHTS_JS = """async (urls) => {
  const out = {};
  for (const url of urls) {
    const html = await (await fetch(url)).text();
    const doc = new DOMParser().parseFromString(html, 'text/html');
    document.querySelector('.md-main').replaceWith(doc.querySelector('.md-main'));
    out[url] = document.documentElement.scrollHeight;
  }
  return out;
}"""


def test_every_work_page_stays_under_three_screens(browser: Browser, base: str, corpus) -> None:
    page = browser.new_page(viewport=DESKTOP)
    page.goto(base + ESSAY)
    visited = page.evaluate("document.documentElement.scrollHeight")
    urls = [f"{base}/atlas/works/{w.slug}/" for w in corpus.works.values()]
    heights = page.evaluate(HEIGHTS_JS, urls)
    page.close()
    assert heights[base + ESSAY] == visited > 900  # the swap measures what a visit shows
    tallest = max(heights, key=heights.__getitem__)
    assert len(heights) == len(corpus.works)
    assert heights[tallest] <= MAX_HEIGHT, (tallest, heights[tallest])


def test_the_essays_debate_is_grouped_by_topic_with_counts(
    browser: Browser, base: str, corpus
) -> None:
    page = browser.new_page(viewport=DESKTOP)
    page.goto(base + ESSAY)
    section = DEBATE_SECTION + ".filter(e => e.matches('details.toi-group'))"
    folded = page.evaluate(f"{section}.map(d => d.querySelector('summary').textContent)")
    assert len(folded) >= 2 and all(re.search(r"\(\d+\)$", s) for s in folded)
    assert re.fullmatch(r"\d+ more topics \(\d+\)", folded[-1])
    # everything folded is still there: opening every group shows each connection
    page.evaluate("document.querySelectorAll('details.toi-group').forEach(d => d.open = true)")
    linked = set(
        page.evaluate(
            f"{DEBATE_SECTION}.flatMap(d => [...d.querySelectorAll('a')])"
            ".map(a => a.href).filter(h => h.includes('/works/'))"
            ".map(h => h.replace(/\\/$/, '').split('/').pop())"
        )
    )
    # Every work connected to the essay, either way, is linked from some group.
    essay = corpus.works[HUB]
    keys = {e.target for e in essay.edges} | {e.source for e in corpus.incoming.get(essay.key, [])}
    connected = {corpus.works[k].slug for k in keys if k in corpus.works}
    assert connected and connected <= linked
    page.close()


# The elements between the "In the debate" heading and the next h2.
DEBATE_SECTION = """(() => {
  const out = [];
  for (let e = document.getElementById('in-the-debate').nextElementSibling;
       e && e.tagName !== 'H2'; e = e.nextElementSibling) out.push(e);
  return out;
})()"""


def _table_fits(page: Page) -> dict[str, float]:
    return page.evaluate(
        """() => {
          const table = document.querySelector('.toi-topic-index table');
          const column = document.querySelector('.md-content__inner');
          const wrap = table.closest('.md-typeset__scrollwrap');
          return {table: table.getBoundingClientRect().right,
                  column: column.getBoundingClientRect().right,
                  scroll: wrap.scrollWidth - wrap.clientWidth,
                  page: document.documentElement.scrollWidth};
        }"""
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
@pytest.mark.parametrize("index", ["toi", "endstory", "agenda"])
def test_topic_index_table_fits_the_column(
    browser: Browser, base: str, index: str, viewport: dict[str, int]
) -> None:
    page = browser.new_page(viewport=viewport)
    page.goto(f"{base}/atlas/{index}/")
    fit = _table_fits(page)
    assert fit["table"] <= fit["column"] + 0.5
    assert fit["scroll"] == 0 and fit["page"] <= viewport["width"]
    glosses = page.locator(".toi-topic-index .toi-gloss")
    assert glosses.count() == page.locator(".toi-topic-index tbody tr").count() > 0
    assert all(len(g) > 20 for g in glosses.all_inner_texts())
    page.close()


def search(page: Page, query: str) -> list[str]:
    """Type into Material's search box and read the result list (paths, best first)."""
    page.click(".md-search__input") if page.is_visible(".md-search__input") else None
    page.fill(".md-search__input", "")
    page.type(".md-search__input", query)
    page.wait_for_function(
        "document.querySelector('.md-search-result__meta')?.textContent.match(/\\d+ matching/)"
    )
    return page.evaluate(
        "[...document.querySelectorAll('.md-search-result__list > li > a')]"
        ".map(a => new URL(a.href).pathname)"
    )


def _authored_by(corpus, surname: str) -> set[str]:
    return {
        f"/atlas/works/{w.slug}/"
        for w in corpus.works.values()
        if any(name.split()[-1] == surname for name in w.authors)
    }


# The hub's author (first author of two of the three, sole author of the hub) and an
# author who is never first and never of the hub.
@pytest.mark.parametrize("surname", ["Ravensworth", "Brightwater"])
def test_a_surname_lists_that_authors_works_first(
    browser: Browser, base: str, corpus, surname: str
) -> None:
    page = browser.new_page(viewport=DESKTOP)
    page.goto(base + "/")
    results = search(page, surname)
    theirs = _authored_by(corpus, surname)
    assert len(theirs) >= 3
    assert results[0] in theirs, results[:5]
    # no listing page or page about them comes before the last of their works
    first_other = next((i for i, r in enumerate(results) if r not in theirs), len(results))
    assert first_other >= min(len(theirs), len(results)), results[: len(theirs) + 2]
    page.close()


def test_an_authors_most_connected_work_comes_first(browser: Browser, base: str) -> None:
    page = browser.new_page(viewport=DESKTOP)
    page.goto(base + "/")
    assert search(page, "Ravensworth")[0] == ESSAY  # the hub, boosted by its connections
    page.close()


def test_a_topic_name_still_finds_its_debate_page_first(browser: Browser, base: str) -> None:
    # An end story: no work of the fixture corpus is titled after it (synthetic titles
    # name theories of impact, and a work titled "Auditing: ..." outranks the topic).
    page = browser.new_page(viewport=DESKTOP)
    page.goto(base + "/")
    first = search(page, "Retargeting the search")[0]
    assert first.startswith("/atlas/endstory/retargeting-the-search")
    page.close()


def test_browse_script_is_requested_by_the_browse_page_only(browser: Browser, base: str) -> None:
    requested: list[str] = []
    context = browser.new_context()
    context.on("request", lambda r: requested.append(r.url))
    page = context.new_page()
    for path in ("/", ESSAY, "/atlas/toi/auditing/", "/atlas/claims/", "/reading/start-here/"):
        page.goto(base + path, wait_until="load")
    assert requested and not [u for u in requested if u.endswith("/browse.js")]
    page.goto(base + "/atlas/browse/?endstory=microscope")
    page.wait_for_function("document.getElementById('toi-browse')?.dataset.updateMs")
    assert [u for u in requested if u.endswith("/javascripts/browse.js")]
    assert page.locator("#toi-results li").count() > 0
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_unfolded_work_page_has_no_serious_accessibility_violations(
    browser: Browser, base: str, scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme, viewport=DESKTOP)
    page = context.new_page()
    page.goto(base + ESSAY)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    context.close()
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []


# --- the built files --------------------------------------------------------------------


def test_listing_pages_are_not_in_the_search_index(fixture_site: Path) -> None:
    index = json.loads((fixture_site / "site" / "search" / "search_index.json").read_text())
    locations = {d["location"].split("#")[0] for d in index["docs"]}
    listings = [p for p in locations if p.startswith(("atlas/stance/", "atlas/works/index"))]
    assert listings == [] and "atlas/works/" not in locations
    assert f"atlas/works/{HUB}/" in locations
    essay = next(d for d in index["docs"] if d["location"] == f"atlas/works/{HUB}/")
    assert essay["tags"] == ["Émile Ravensworth"] and 1 < essay["boost"] < 2
    topic = next(d for d in index["docs"] if d["location"] == "atlas/toi/auditing/")
    assert topic["boost"] == 2


class _Text(HTMLParser):
    """The text a reader sees in a page's article (not code, scripts or styles)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self._article = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._article += tag == "article"
        self._skip += tag in ("script", "style", "code", "pre")

    def handle_endtag(self, tag: str) -> None:
        self._article -= tag == "article"
        self._skip -= tag in ("script", "style", "code", "pre")

    def handle_data(self, data: str) -> None:
        if self._article and not self._skip:
            self.parts.append(data)


# Our own BibTeX fields: a reader's page names what they mean, never the field.
FIELD_NAMES = re.compile(r"(?<![\w-])(readingtime|tois|endstories|repliesto|howpublished)(?![\w-])")
# Pages written for contributors, where field names are the point.
FOR_CONTRIBUTORS = ("data-model/", "contributing/", "atlas/reference/", "performance/")


def test_reader_pages_never_show_internal_field_names(fixture_site: Path, corpus) -> None:
    site = fixture_site / "site"
    pages = [p for p in site.rglob("index.html") if p.parent != site / "search"]
    assert len(pages) > len(corpus.works) + 50  # every work page and the other pages
    shown = {}
    for path in pages:
        rel = path.relative_to(site).as_posix()
        if rel.startswith(FOR_CONTRIBUTORS):
            continue
        parser = _Text()
        parser.feed(path.read_text(encoding="utf-8"))
        found = FIELD_NAMES.findall(" ".join(parser.parts))
        if found:
            shown[rel] = found
    assert shown == {}
