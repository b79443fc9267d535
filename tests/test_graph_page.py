"""The argument graph page and the debate diagrams in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from browser import serve
from conftest import HUB
from toi_atlas.model.corpus import main_stance

pytestmark = pytest.mark.browser

GRAPH = "/atlas/graph/"
WORK = HUB  # the fixture corpus's hub: many neighbours, hand-written title and summary
DRAWN = "document.getElementById('toi-graph').dataset.drawn"


@pytest.fixture(scope="module")
def base(fixture_site: Path) -> Iterator[str]:
    with serve(fixture_site / "site") as url:
        yield url


@pytest.fixture(scope="module")
def corpus(fixture_corpus):
    """The fixture corpus the site above is built from (never bib/)."""
    return fixture_corpus


@pytest.fixture
def page(browser: Browser, base: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(str(exc)))
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()
    assert problems == []


def _open_graph(pg: Page, base: str) -> None:
    pg.goto(base + GRAPH)
    pg.wait_for_function(DRAWN)


def _node_point(pg: Page, key: str) -> tuple[float, float]:
    """Where a work's dot is on the page."""
    x, y = pg.evaluate(
        """(key) => {
          const g = window.toiGraph, r = g.box.getBoundingClientRect(), p = g.screen(g.byId[key]);
          return [r.left + p.x, r.top + p.y];
        }""",
        key,
    )
    return x, y


def _drawn_links(pg: Page, layer: str) -> int:
    """Lines drawn in a layer: each link type is one path, which says how many it holds."""
    counts = pg.eval_on_selector_all(
        f"{layer} path[data-count]", "els => els.map(e => e.dataset.count)"
    )
    return sum(int(c) for c in counts)


def _neighbours(corpus, key: str) -> set[str]:
    out = {e.target for e in corpus.works[key].edges if e.target in corpus.works}
    return out | {e.source for e in corpus.incoming.get(key, [])}


def _degrees(corpus) -> dict[str, int]:
    deg = dict.fromkeys(corpus.works, 0)
    for w in corpus.works.values():
        for e in w.edges:
            if e.target in corpus.works:
                deg[w.key] += 1
                deg[e.target] += 1
    return deg


# --- the graph ----------------------------------------------------------------------


def test_graph_has_every_work_and_link_and_filters_them(page: Page, base: str, corpus) -> None:
    _open_graph(page, base)
    assert page.locator("#toi-graph .toi-g-node").count() == len(corpus.works)
    edges = sum(1 for w in corpus.works.values() for e in w.edges if e.target in corpus.works)
    assert page.get_attribute("#toi-graph", "data-shown") == f"{len(corpus.works)},{edges}"
    page.uncheck("#toi-g-supports")
    supports = sum(1 for w in corpus.works.values() for e in w.edges if e.type == "supports")
    shown = page.get_attribute("#toi-graph", "data-shown") or ""
    assert int(shown.split(",")[1]) == edges - supports
    assert _drawn_links(page, ".toi-g-edges:not(.is-near):not(.is-hover)") == edges - supports


def test_topic_filter_on_graph(page: Page, base: str, corpus) -> None:
    _open_graph(page, base)
    page.select_option("#toi-g-topic", "microscope")
    tagged = sum(1 for w in corpus.works.values() if any(t.topic == "microscope" for t in w.tags))
    assert int((page.get_attribute("#toi-graph", "data-shown") or "0").split(",")[0]) == tagged
    assert page.locator(".toi-g-node:not(.toi-g-hidden)").count() == tagged


# The fixture's two most connected works (2016 and 2017) sit side by side at the graph's
# left edge: the first one's label covers the room right of the second, and left of it
# is outside the box, so the second's label goes a row above or below.
def test_most_connected_works_are_labelled(page: Page, base: str, corpus) -> None:
    _open_graph(page, base)
    deg = _degrees(corpus)
    # The graph labels the most connected works first and, among equals, the newest (the
    # data's order): the same rule here, so ties in the corpus cannot decide the test.
    top = sorted(corpus.works, key=lambda k: (-deg[k], _index(page, k)))[:3]
    box = page.locator("#toi-graph").bounding_box()
    assert box is not None
    for key in top:
        label = page.locator(f".toi-g-label[data-i='{_index(page, key)}']")
        assert label.is_visible(), key
        rect = label.bounding_box()
        assert (
            rect is not None
            and box["x"] <= rect["x"]
            and rect["x"] + rect["width"] <= (box["x"] + box["width"])
        )


def test_many_works_are_labelled_and_every_label_once_zoomed_in(page: Page, base: str) -> None:
    _open_graph(page, base)
    assert label_count(page) >= 15  # more than the few most connected
    # Zoomed in as far as it goes: every work well inside the box shows its label.
    for _ in range(6):
        page.click("button[data-zoom=in]")
    missing = page.evaluate(
        """() => {
          const g = window.toiGraph, sz = g.size(), out = [];
          g.nodes.forEach((nd, i) => {
            const p = g.screen(i);
            if (p.x > g.left() + 190 && p.x < sz.w - 190 && p.y > 40 && p.y < sz.h - 20 &&
                !(g.labelEls[i] && g.labelEls[i].classList.contains('is-shown'))) out.push(nd.id);
          });
          return out;
        }"""
    )
    assert page.evaluate("window.toiGraph.k") >= 3.3
    assert missing == []


def label_count(pg: Page) -> int:
    return pg.locator(".toi-g-label.is-shown").count()


def _index(pg: Page, key: str) -> int:
    return int(pg.evaluate("(key) => window.toiGraph.byId[key]", key))


def test_year_ticks_and_stance_bands_are_labelled(page: Page, base: str, corpus) -> None:
    _open_graph(page, base)
    years = {str(w.year) for w in corpus.works.values() if w.year}
    texts = ".toi-g-year:not([style*='none'])"
    ticks = set(page.eval_on_selector_all(texts, "els => els.map(e => e.textContent)"))
    assert ticks and ticks <= years
    assert {str(min(int(y) for y in years)), str(max(int(y) for y in years))} <= ticks
    bands = page.eval_on_selector_all(".toi-g-bandlabel text", "els => els.map(e => e.textContent)")
    stances = {s.name for s in corpus.taxonomy.stances.values()}
    assert bands and all(any(b.endswith(s) for s in stances) for b in bands)
    assert {"Advocates", "Critiques"} <= {b.split(" ", 1)[-1] for b in bands}


def test_hover_shows_the_card_with_title_and_summary(page: Page, base: str, corpus) -> None:
    _open_graph(page, base)
    page.wait_for_function("window.toiGraph.summaries")
    work = corpus.works[WORK]
    page.mouse.move(*_node_point(page, WORK))
    card = page.locator("#toi-g-card")
    assert card.is_visible()
    text = card.inner_text()
    stance = corpus.taxonomy.stances[main_stance(work)].name
    assert work.title in text and str(work.year) in text and stance in text
    assert work.summary.split(".")[0] in text
    assert work.authors[0] in text
    page.mouse.move(5, 5)
    assert card.is_hidden()


def test_keyboard_focus_shows_the_card_and_arrows_move(page: Page, base: str, corpus) -> None:
    _open_graph(page, base)
    page.focus("#toi-g-topic")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('data-id')")
    assert focused in corpus.works
    card = page.locator("#toi-g-card")
    assert card.is_visible() and corpus.works[focused].title in card.inner_text()
    page.keyboard.press("ArrowRight")
    moved = page.evaluate("document.activeElement.getAttribute('data-id')")
    assert moved in corpus.works and moved != focused
    assert corpus.works[moved].title in card.inner_text()
    page.keyboard.press("Enter")
    assert page.get_attribute("#toi-graph", "data-selected") == moved


def test_click_selects_and_lights_up_the_neighbourhood_without_leaving(
    page: Page, base: str, corpus
) -> None:
    _open_graph(page, base)
    url = page.url
    page.mouse.click(*_node_point(page, WORK))
    assert page.url == url
    assert page.get_attribute("#toi-graph", "data-selected") == WORK
    near = set(
        page.eval_on_selector_all(".toi-g-node.is-near", "els => els.map(e => e.dataset.id)")
    )
    assert near == _neighbours(corpus, WORK)
    links = len([e for e in corpus.works[WORK].edges if e.target in corpus.works])
    assert _drawn_links(page, ".toi-g-edges.is-near") == links + len(corpus.incoming[WORK])
    # the rest fades, the neighbourhood stays
    near_el = page.locator(".toi-g-node.is-near").first
    assert near_el.evaluate("e => getComputedStyle(e).opacity") == "1"
    far = page.locator(".toi-g-node:not(.is-near):not(.is-selected)").first
    assert float(far.evaluate("e => getComputedStyle(e).opacity")) < 0.5
    # the panel names the work and links to every neighbour's page
    detail = page.locator("#toi-g-detail")
    assert corpus.works[WORK].title in detail.inner_text()
    hrefs = detail.locator(".toi-g-links a").evaluate_all("els => els.map(a => a.href)")
    assert {h.rstrip("/").rsplit("/", 1)[1] for h in hrefs} == {
        corpus.works[k].slug for k in _neighbours(corpus, WORK)
    }
    # a click away from any work (on the year axis) clears the selection
    box = page.locator("#toi-graph").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] - 60, box["y"] + 10)
    assert page.get_attribute("#toi-graph", "data-selected") == ""


def test_the_panel_link_opens_the_work_page(page: Page, base: str, corpus) -> None:
    _open_graph(page, base)
    page.mouse.click(*_node_point(page, WORK))
    page.click("#toi-g-detail a.toi-g-open")
    page.wait_for_url(f"**/atlas/works/{WORK}/")
    assert page.locator("h1").first.inner_text().startswith(corpus.works[WORK].title)


def test_text_alternative_lists_the_neighbourhood_by_keyboard(
    page: Page, base: str, corpus
) -> None:
    _open_graph(page, base)
    page.focus("#toi-g-topic")
    for _ in range(12):  # the list of works is in the tab order after the graph
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "toi-g-work":
            break
    assert page.evaluate("document.activeElement.id") == "toi-g-work"
    options = page.locator("#toi-g-work option").count()
    assert options == len(corpus.works) + 1
    page.select_option("#toi-g-work", WORK)
    assert page.get_attribute("#toi-graph", "data-selected") == WORK
    items = page.locator("#toi-g-detail .toi-g-links li")
    links = [e for e in corpus.works[WORK].edges if e.target in corpus.works]
    assert items.count() == len(links) + len(corpus.incoming.get(WORK, []))
    # onwards by keyboard: the panel's first link is the work page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('toi-g-open')")
    # "Show" follows a link: the neighbour becomes the selected work
    first = items.first
    target = first.locator("a").get_attribute("href") or ""
    first.locator("button").click()
    selected = page.get_attribute("#toi-graph", "data-selected") or ""
    assert target.rstrip("/").endswith(corpus.works[selected].slug)


def test_a_swipe_over_the_graph_scrolls_the_page_on_a_phone(browser: Browser, base: str) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True
    )
    pg = context.new_page()
    _open_graph(pg, base)
    pg.locator("#toi-graph").scroll_into_view_if_needed()
    box = pg.locator("#toi-graph").bounding_box()
    assert box is not None
    before = pg.evaluate("[window.scrollY, window.toiGraph.tx, window.toiGraph.ty]")
    # one finger, from the middle of the graph upwards, as raw touch events
    cdp = context.new_cdp_session(pg)
    x, y = box["x"] + box["width"] / 2, min(box["y"] + box["height"] / 2, 600)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 16):
        point = {"x": x, "y": y - 20 * step}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        pg.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    pg.wait_for_timeout(500)
    after = pg.evaluate("[window.scrollY, window.toiGraph.tx, window.toiGraph.ty]")
    width = pg.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert after[0] > before[0] + 100  # the page scrolled
    assert after[1:] == before[1:]  # the graph did not move
    assert width <= 375


def _luminance(rgb: str) -> float:
    parts = [float(v) / 255 for v in re.findall(r"[\d.]+", rgb)[:3]]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


COLOURS_JS = """() => {
  const fill = s => getComputedStyle(document.querySelector(`.toi-g-s-${s} .toi-g-shape`)).fill;
  return {bg: getComputedStyle(document.body).backgroundColor,
          label: getComputedStyle(document.querySelector('.toi-g-label')).fill,
          advocates: fill('advocates'), critiques: fill('critiques'), evidence: fill('evidence')};
}"""


def test_colours_read_in_both_schemes_and_follow_the_toggle(browser: Browser, base: str) -> None:
    seen = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        _open_graph(pg, base)
        colours = pg.evaluate(COLOURS_JS)
        for stance in ("advocates", "critiques", "evidence"):
            assert _contrast(colours[stance], colours["bg"]) >= 3, (scheme, stance, colours)
        assert _contrast(colours["label"], colours["bg"]) >= 4.5
        seen[scheme] = colours
        if scheme == "light":  # Material's toggle repaints the graph without a reload
            pg.click("label[title='Switch to dark mode']")
            pg.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
            toggled = pg.evaluate(COLOURS_JS)
            assert toggled["advocates"] != colours["advocates"]
            assert _contrast(toggled["advocates"], toggled["bg"]) >= 3
        context.close()
    assert seen["light"]["advocates"] != seen["dark"]["advocates"]
    assert seen["light"]["bg"] != seen["dark"]["bg"]


def test_graph_script_loads_only_on_the_graph_page(
    browser: Browser, base: str, fixture_site: Path
) -> None:
    context = browser.new_context()
    pg = context.new_page()
    requested: list[str] = []
    pg.on("request", lambda r: requested.append(r.url))
    for path in ("/", "/atlas/browse/", "/atlas/toi/auditing/", f"/atlas/works/{WORK}/"):
        pg.goto(base + path, wait_until="networkidle")
    assert not [u for u in requested if re.search(r"/graph\.js$|/graph-(view|text)\.json$", u)]
    assert any(u.endswith("/browse.js") for u in requested)  # browse still loads its script
    _open_graph(pg, base)
    assert any(u.endswith("/javascripts/graph.js") for u in requested)
    context.close()
    site = fixture_site / "site"
    pages = [p for p in site.rglob("*.html") if "javascripts/graph.js" in p.read_text("utf-8")]
    assert [p.relative_to(site).as_posix() for p in pages] == ["atlas/graph/index.html"]


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


def test_hovering_a_work_brings_its_lines_forward(page: Page, base: str) -> None:
    page.goto(base + TOPICS[0])
    svg = page.locator("svg.toi-diagram[data-layout=wide]")
    # A work with a line: the first line's end (a drawing may also show works without one).
    line = svg.locator("path.toi-dg-edge").first
    n = re.search(r"toi-dg-e(\d+)", line.get_attribute("class") or "")
    assert n is not None
    svg.locator(f"a.toi-dg-n{n.group(1)}").hover()
    own = svg.locator(f"path.toi-dg-e{n.group(1)}").first
    other = svg.locator(f"path.toi-dg-edge:not(.toi-dg-e{n.group(1)})").first
    assert own.evaluate("e => getComputedStyle(e).opacity") == "1"
    assert float(other.evaluate("e => getComputedStyle(e).opacity")) < 0.5


def test_debate_diagram_links_to_work_pages(page: Page, base: str) -> None:
    page.goto(base + TOPICS[0])
    svg = page.locator("svg.toi-diagram[data-layout=wide]")
    assert svg.is_visible()
    assert svg.locator("a").count() >= 3
    first = svg.locator("a").first
    href = first.get_attribute("xlink:href") or ""
    first.click()
    page.wait_for_load_state()
    assert "/atlas/works/" in page.url and href.rstrip("/").rsplit("/", 1)[1] in page.url
