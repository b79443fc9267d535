"""The argument graph and the debate diagrams in Chromium."""

from __future__ import annotations

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


def test_debate_diagram_renders_and_links(page, corpus) -> None:
    pg, base, problems = page
    pg.goto(f"{base}/atlas/endstory/enumerative-safety/")
    svg = pg.locator("svg.toi-diagram")
    assert svg.is_visible()
    assert svg.locator("a").count() >= 3
    first = svg.locator("a").first
    href = first.get_attribute("href") or ""
    first.click()
    pg.wait_for_load_state()
    assert "/atlas/works/" in pg.url and href.rstrip("/").rsplit("/", 1)[1] in pg.url
    assert problems == []
