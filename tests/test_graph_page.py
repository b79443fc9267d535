"""The argument graph and the debate diagrams in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from browser import serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(real_site: Path, browser: Browser) -> Iterator[tuple[Page, str, list[str]]]:
    with serve(real_site / "site") as base:
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        pg.on("pageerror", lambda exc: problems.append(str(exc)))
        pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        yield pg, base, problems
        pg.close()


def test_graph_has_every_work_and_a_click_opens_it(page, corpus) -> None:
    pg, base, problems = page
    pg.goto(f"{base}/atlas/graph/")
    pg.wait_for_function("document.getElementById('toi-graph').dataset.shown")
    assert pg.evaluate("window.toiGraph.nodes().length") == len(corpus.works)
    edges = sum(1 for w in corpus.works.values() for e in w.edges if e.target in corpus.works)
    assert pg.evaluate("window.toiGraph.edges().length") == edges
    # hide "supports" links: fewer edges shown, status says so
    pg.uncheck("#toi-g-supports")
    shown = pg.get_attribute("#toi-graph", "data-shown") or ""
    supports = sum(1 for w in corpus.works.values() for e in w.edges if e.type == "supports")
    assert int(shown.split(",")[1]) == edges - supports
    # click the node of the longlist where Cytoscape draws it
    pg.evaluate(
        "window.toiGraph.zoom(2); window.toiGraph.center(window.toiGraph.$id('nanda2022longlist'))"
    )
    box = pg.locator("#toi-graph").bounding_box()
    pos = pg.evaluate("window.toiGraph.$id('nanda2022longlist').renderedPosition()")
    assert box is not None
    pg.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    pg.wait_for_url("**/atlas/works/nanda2022longlist/")
    assert problems == []


def test_topic_filter_on_graph(page, corpus) -> None:
    pg, base, problems = page
    pg.goto(f"{base}/atlas/graph/")
    pg.wait_for_function("document.getElementById('toi-graph').dataset.shown")
    pg.select_option("#toi-g-topic", "microscope")
    tagged = sum(1 for w in corpus.works.values() if any(t.topic == "microscope" for t in w.tags))
    assert int((pg.get_attribute("#toi-graph", "data-shown") or "0").split(",")[0]) == tagged
    assert problems == []


@pytest.fixture(scope="module")
def base(real_site: Path) -> Iterator[str]:
    with serve(real_site / "site") as url:
        yield url


# --- the debate diagrams ----------------------------------------------------------------

TOPICS = ("/atlas/endstory/enumerative-safety/", "/atlas/toi/auditing/")

FIT_JS = """(layout) => {
  const svg = document.querySelector(`svg.toi-diagram[data-layout=${layout}]`);
  const out = [];
  svg.querySelectorAll('a.toi-dg-n').forEach(a => {
    const rect = a.querySelector('rect'), text = a.querySelector('text').getBBox();
    const r = rect.getBBox();
    if (text.x < r.x || text.x + text.width > r.x + r.width ||
        text.y < r.y || text.y + text.height > r.y + r.height) out.push(a.textContent);
  });
  const view = svg.viewBox.baseVal;
  svg.querySelectorAll('text').forEach(t => {
    const b = t.getBBox();
    if (b.x < 0 || b.x + b.width > view.width) out.push('outside: ' + t.textContent);
  });
  return out;
}"""


@pytest.mark.parametrize("path", TOPICS)
def test_diagram_labels_fit_their_boxes_wide_and_narrow(
    browser: Browser, base: str, path: str
) -> None:
    for width, layout in ((1280, "wide"), (375, "narrow")):
        context = browser.new_context(viewport={"width": width, "height": 800})
        pg = context.new_page()
        pg.goto(base + path)
        shown = pg.locator("svg.toi-diagram:visible")
        assert shown.count() == 1 and shown.get_attribute("data-layout") == layout
        assert pg.evaluate(FIT_JS, layout) == []
        context.close()


def test_narrow_diagram_fits_a_phone_and_stays_legible(browser: Browser, base: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    pg = context.new_page()
    pg.goto(base + TOPICS[0])
    svg = pg.locator("svg.toi-diagram[data-layout=narrow]")
    box = svg.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert pg.evaluate("document.documentElement.scrollWidth") <= 375
    # the label font on screen: the drawing's font size times its scale
    scale = box["width"] / float(svg.evaluate("s => s.viewBox.baseVal.width"))
    font = float(svg.get_attribute("font-size") or 0)
    assert font * scale >= 11
    context.close()


def test_hovering_a_work_brings_its_lines_forward(browser: Browser, base: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + TOPICS[0])
    svg = page.locator("svg.toi-diagram[data-layout=wide]")
    node = svg.locator("a.toi-dg-n").first
    n = re.search(r"toi-dg-n(\d+)", node.get_attribute("class") or "")
    assert n is not None
    node.hover()
    own = svg.locator(f"path.toi-dg-e{n.group(1)}").first
    other = svg.locator(f"path.toi-dg-edge:not(.toi-dg-e{n.group(1)})").first
    assert own.evaluate("e => getComputedStyle(e).opacity") == "1"
    assert float(other.evaluate("e => getComputedStyle(e).opacity")) < 0.5


def test_debate_diagram_links_to_work_pages(browser: Browser, base: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + TOPICS[0])
    svg = page.locator("svg.toi-diagram[data-layout=wide]")
    assert svg.is_visible()
    assert svg.locator("a").count() >= 3
    first = svg.locator("a").first
    href = first.get_attribute("xlink:href") or ""
    first.click()
    page.wait_for_load_state()
    assert "/atlas/works/" in page.url and href.rstrip("/").rsplit("/", 1)[1] in page.url
