"""The browse page in Chromium: facets, counts, search, sort, URL state, why each result
matches, active filters, phones, exports, accessibility, safety."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import rispy
from playwright.sync_api import Browser, Page
from pybtex.database import parse_string

from browser import serious_violations, serve
from conftest import HOSTILE_KEY, HOSTILE_TITLE, HUB

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(fixture_site: Path) -> Iterator[str]:
    with serve(fixture_site / "site") as url:
        yield url


@pytest.fixture(scope="module")
def corpus(fixture_corpus):
    """The fixture corpus the site above is built from (never bib/)."""
    return fixture_corpus


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == []


def open_browse(page: Page, base: str, query: str = "") -> None:
    page.goto(f"{base}/atlas/browse/{query}")
    page.wait_for_function("document.getElementById('toi-browse')?.dataset.updateMs")


def listed(page: Page) -> None:
    """Wait until the whole page of results is listed (the first few come a frame early)."""
    page.wait_for_function("(l => l && !l.dataset.pending)(document.getElementById('toi-results'))")


def shown(page: Page) -> list[str]:
    """Keys of the listed works (all pages of results: 'Show more' until done)."""
    listed(page)
    while page.locator("#toi-more").is_visible():
        page.click("#toi-more")
    listed(page)
    return shown_now(page)


def tagged(corpus, topic: str) -> set[str]:
    return {w.slug for w in corpus.works.values() if any(t.topic == topic for t in w.tags)}


def with_stance(corpus, stance: str, on: tuple[str, ...] = ()) -> set[str]:
    """Works taking `stance` on any of the topics `on` (on any topic if none given)."""
    return {
        w.slug
        for w in corpus.works.values()
        if any(t.stance == stance and (not on or t.topic in on) for t in w.tags)
    }


def count_of(page: Page, box: str) -> int:
    text = page.locator(f"label[for='{box}'] .toi-count").inner_text()
    return int(text.strip("()"))


def test_one_end_story_gives_exactly_its_works(page: Page, base: str, corpus) -> None:
    open_browse(page, base)
    assert len(shown(page)) == len(corpus.works)
    page.check("#toi-endstory-microscope")
    expected = tagged(corpus, "microscope")
    assert expected and set(shown(page)) == expected
    assert page.locator("#toi-status").inner_text().startswith(f"{len(expected)} of ")
    # counts of other facets are given the selection; of its own facet, without it
    critiques = with_stance(corpus, "critiques", on=("microscope",))
    assert count_of(page, "toi-stance-critiques") == len(critiques)
    assert count_of(page, "toi-endstory-enumerative-safety") == len(
        tagged(corpus, "enumerative-safety")
    )


def test_results_are_listed_in_two_steps_and_show_more_appends(
    page: Page, base: str, corpus
) -> None:
    open_browse(page, base)
    listed(page)
    first = shown_now(page)
    assert len(first) == 100  # one page of results, the first 20 a frame early
    assert first == [w.slug for w in corpus.sorted_works()][:100]
    page.click("#toi-more")
    second = shown_now(page)
    assert second[:100] == first and len(second) == min(200, len(corpus.works))
    while page.is_visible("#toi-more"):  # the corpus may hold more than two pages
        page.click("#toi-more")
    every = shown_now(page)
    assert every[:200] == second and len(every) == len(set(every)) == len(corpus.works)


def test_a_newer_update_owns_the_list(page: Page, base: str, corpus) -> None:
    open_browse(page, base, "?endstory=microscope")
    # Two updates in one task: the first lists all works (80 of them still pending)
    # and must not append them below the second one's results.
    page.evaluate(
        """() => {
          document.getElementById('toi-endstory-microscope').click();
          document.getElementById('toi-endstory-enumerative-safety').click();
        }"""
    )
    expected = tagged(corpus, "enumerative-safety")
    assert 0 < len(expected) < 100
    listed(page)
    page.wait_for_timeout(100)  # a stale append would land within a frame or two
    assert shown_now(page) == [w.slug for w in corpus.sorted_works() if w.slug in expected]


def url_has(page: Page, *parts: str) -> None:
    """Wait until the address holds every part (the history entry follows the paint)."""
    page.wait_for_function(
        "parts => parts.every(p => location.search.includes(p))", arg=list(parts)
    )


def shown_now(page: Page) -> list[str]:
    hrefs = page.locator("#toi-results li > a").evaluate_all("as => as.map(a => a.href)")
    return [h.rstrip("/").rsplit("/", 1)[1] for h in hrefs]


def test_or_within_and_across_facets(page: Page, base: str, corpus) -> None:
    open_browse(page, base, "?endstory=microscope,enumerative-safety")
    union = tagged(corpus, "microscope") | tagged(corpus, "enumerative-safety")
    assert set(shown(page)) == union
    page.check("#toi-stance-critiques")
    on = ("microscope", "enumerative-safety")
    assert set(shown(page)) == with_stance(corpus, "critiques", on=on)
    zero = page.locator(".toi-option.toi-zero")
    assert zero.count() > 0  # dimmed, not hidden
    assert zero.first.is_visible()


def test_text_search_combines_with_facets(page: Page, base: str, corpus) -> None:
    open_browse(page, base)
    page.fill("#toi-q", "ravensworth")
    page.wait_for_function("document.getElementById('toi-status').textContent.includes(' of ')")
    keys = shown(page)
    assert HUB in keys and len(keys) == 3  # the hub and the two works its author co-wrote
    for key in keys:
        w = next(x for x in corpus.works.values() if x.slug == key)
        hay = f"{w.title} {w.author_line} {w.summary} {w.key}".lower()
        assert "ravensworth" in hay
    url_has(page, "text=ravensworth")


def test_sorts(page: Page, base: str, corpus) -> None:
    by_slug = {w.slug: w for w in corpus.works.values()}
    open_browse(page, base, "?sort=year-asc")
    years = [by_slug[k].year or 0 for k in shown(page)]
    assert years == sorted(years)
    page.select_option("#toi-sort", "connections")
    degree = [
        len(by_slug[k].edges) + len(corpus.incoming.get(by_slug[k].key, [])) for k in shown(page)
    ]
    assert degree == sorted(degree, reverse=True)
    url_has(page, "sort=connections")
    page.select_option("#toi-sort", "title")
    titles = [by_slug[k].title.casefold() for k in shown(page)]
    assert titles[0] <= titles[len(titles) // 2] <= titles[-1]


def test_url_state_survives_reload_and_back(page: Page, base: str, corpus) -> None:
    open_browse(page, base)
    page.check("#toi-endstory-microscope")
    page.check("#toi-kind-paper")
    after_two = shown(page)
    url_has(page, "endstory=microscope", "kind=paper")
    page.reload()
    page.wait_for_function("document.getElementById('toi-browse')?.dataset.updateMs")
    assert page.is_checked("#toi-endstory-microscope") and page.is_checked("#toi-kind-paper")
    assert shown(page) == after_two
    page.go_back()
    page.wait_for_function("!location.search.includes('kind=')")
    assert page.is_checked("#toi-endstory-microscope") and not page.is_checked("#toi-kind-paper")
    assert set(shown(page)) == tagged(corpus, "microscope")


def test_topic_page_links_to_prefiltered_view(page: Page, base: str, corpus) -> None:
    page.goto(f"{base}/atlas/endstory/microscope/")
    n = len(tagged(corpus, "microscope"))
    page.click(f"text=Filter all {n} works")
    page.wait_for_url("**/atlas/browse/**")
    page.wait_for_function("document.getElementById('toi-browse')?.dataset.updateMs")
    assert page.is_checked("#toi-endstory-microscope")
    assert set(shown(page)) == tagged(corpus, "microscope")


@pytest.mark.parametrize("keep", [False, True])
def test_bibtex_export_is_exactly_the_selection(page: Page, base: str, corpus, keep: bool) -> None:
    open_browse(page, base, "?endstory=retargeting-the-search")
    keys = {
        w.key for w in corpus.works.values() if w.slug in tagged(corpus, "retargeting-the-search")
    }
    if keep:
        page.check("#toi-keep")
    with page.expect_download() as info:
        page.click("#toi-download")
    text = Path(info.value.path()).read_text(encoding="utf-8")
    entries = parse_string(text, "bibtex").entries
    assert set(entries) == keys
    fields = {f.lower() for e in entries.values() for f in e.fields}
    assert ("summary" in fields) is keep and ("endstories" in fields) is keep


def test_copy_keys(browser: Browser, base: str, corpus) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    open_browse(page, base, "?endstory=interpretability-dream")
    page.click("#toi-copy")
    copied = page.evaluate("navigator.clipboard.readText()")
    slugs = tagged(corpus, "interpretability-dream")
    assert set(copied.split(", ")) == {w.key for w in corpus.works.values() if w.slug in slugs}
    assert "Copied" in page.locator("#toi-status").inner_text()
    context.close()


def test_keyboard_only(page: Page, base: str, corpus) -> None:
    open_browse(page, base)
    page.focus("#toi-q")
    for _ in range(40):  # tab forward to the first end-story checkbox
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "toi-endstory-enumerative-safety":
            break
    assert page.evaluate("document.activeElement.id") == "toi-endstory-enumerative-safety"
    page.keyboard.press("Space")
    assert set(shown(page)) == tagged(corpus, "enumerative-safety")
    assert page.get_attribute("#toi-status", "aria-live") == "polite"
    label = page.get_attribute("#toi-endstory-enumerative-safety", "aria-label") or ""
    assert label.startswith("Enumerative safety, ")


def test_hostile_title_is_text_in_results(browser: Browser, hostile_site: Path) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with serve(hostile_site / "site") as url:
        open_browse(page, url, "?q=onerror")
        link = page.locator("#toi-results li > a")
        assert link.count() == 1
        assert link.inner_text() == HOSTILE_TITLE
        assert link.get_attribute("href").endswith(f"/works/{HOSTILE_KEY}/")
        assert page.locator("#toi-results img, #toi-results script, #toi-results svg").count() == 0
        # The same markup as search text (it matches the title word for word) lands in the
        # active-filter bar, beside the chips of a selected topic: text everywhere.
        markup = "<img src=x onerror=alert(2)>"
        open_browse(page, url, f"?toi=auditing&text={quote(markup)}")
        assert link.count() == 1 and link.inner_text() == HOSTILE_TITLE
        chip = page.locator("#toi-results .toi-chip--on")
        assert chip.get_attribute("data-topic") == "auditing"
        assert remove_buttons(page)[-1] == f"Remove filter: Search: {markup}"
        assert page.locator("#toi-browse :is(img, script, svg, iframe)").count() == 0
        refs = rispy.loads(download(page, "#toi-ris"))
        assert [(r["id"], r["title"]) for r in refs] == [(HOSTILE_KEY, HOSTILE_TITLE)]
    assert dialogs == []
    page.close()


def test_stance_without_topic_means_any_tag(page: Page, base: str, corpus) -> None:
    open_browse(page, base, "?stance=survey")
    assert set(shown(page)) == with_stance(corpus, "survey")


def test_home_matrix_counts_match_browse(page: Page, base: str, corpus) -> None:
    page.goto(f"{base}/")
    cell = page.locator("a[href*='browse/?toi=auditing&stance=critiques']").first
    count = int((cell.text_content() or "").strip())  # an SVG link: no innerText
    assert count == len(with_stance(corpus, "critiques", on=("auditing",)))
    cell.click()
    page.wait_for_function("document.getElementById('toi-browse')?.dataset.updateMs")
    assert len(shown(page)) == count


def test_shared_link_with_old_q_lands_on_results_without_search_dialog(
    page: Page, base: str, corpus
) -> None:
    # Material opens its own search dialog for ?q=; the browse page keeps its text in
    # ?text= and moves an old link's q there before Material reads the address.
    open_browse(page, base, "?endstory=enumerative-safety&q=sparse")
    keys = shown(page)
    assert keys
    for key in keys:
        w = next(x for x in corpus.works.values() if x.slug == key)
        assert any(t.topic == "enumerative-safety" for t in w.tags)
        assert "sparse" in f"{w.title} {w.author_line} {w.summary} {w.key}".lower()
    assert page.input_value("#toi-q") == "sparse"
    assert page.evaluate("document.getElementById('__search').checked") is False
    assert "q=" not in page.evaluate("location.search").replace("text=", "")
    url_has(page, "text=sparse", "endstory=enumerative-safety")
    # Reloading the rewritten address keeps the same view, still without the dialog.
    page.reload()
    page.wait_for_function("document.getElementById('toi-browse')?.dataset.updateMs")
    assert shown(page) == keys
    assert page.evaluate("document.getElementById('__search').checked") is False


def test_counts_use_singular_for_one(page: Page, base: str, corpus) -> None:
    # A search that matches one work: status, download and copy all say "1 <thing>".
    one = corpus.works[HUB]
    open_browse(page, base, f"?text={one.key}")
    listed(page)
    assert shown(page) == [one.slug]
    assert page.locator("#toi-status").inner_text().startswith(f"1 of {len(corpus.works)} works")
    with page.expect_download():
        page.click("#toi-download")
    page.wait_for_function(
        "document.getElementById('toi-status').textContent.includes('Downloaded')"
    )
    assert page.locator("#toi-status").inner_text() == "Downloaded 1 entry as BibTeX."
    labels = page.locator("#toi-form input[type=checkbox]").evaluate_all(
        "bs => bs.map(b => b.getAttribute('aria-label'))"
    )
    assert any(label.endswith(", 1 work") for label in labels)
    assert not any(re.search(r"\b1 works$", label) for label in labels)


def result_item(page: Page, slug: str):
    return page.locator(f"#toi-results > li:has(> a[href$='/works/{slug}/'])")


def test_result_shows_its_stance_on_each_selected_topic(page: Page, base: str, corpus) -> None:
    essay = corpus.works[HUB]
    chosen = ("enumerative-safety", "force-multiplier")
    stances = {t: essay.stance_on(t) for t in chosen}
    assert len(set(stances.values())) == 2  # two different stances: each must be its own
    open_browse(page, base, "?endstory=enumerative-safety&toi=force-multiplier")
    listed(page)
    item = result_item(page, essay.slug)
    on = item.locator(".toi-chip--on")
    assert on.count() == 2
    for i in range(2):
        chip = on.nth(i)
        topic = chip.get_attribute("data-topic")
        badge = chip.locator(".toi-stance")
        assert badge.count() == 1
        assert badge.get_attribute("class").split() == [
            "toi-stance",
            f"toi-stance--{stances[topic]}",
        ]
        assert chip.get_attribute("data-topic") in chosen
    # Not the work's overall stance mix (it also advocates outreach): none in the byline.
    assert item.locator(".toi-result-meta .toi-stance").count() == 0
    # Compact: four chips at most, then "+N more" for its other ToIs and end stories.
    topics = [t for t in essay.tags if t.field in ("tois", "endstories")]
    chips = item.locator(".toi-chip")
    assert chips.count() == 4
    assert item.locator(".toi-chip-more").inner_text() == f"+{len(topics) - 4} more"
    others = chips.evaluate_all("cs => cs.slice(2).map(c => c.dataset.topic)")
    assert set(others) <= {t.topic for t in topics} - set(chosen)


def test_every_listed_result_shows_why_it_matches(page: Page, base: str, corpus) -> None:
    by_slug = {w.slug: w for w in corpus.works.values()}
    open_browse(page, base, "?endstory=microscope&toi=auditing,microscope-ai")
    chips = page.locator("#toi-results > li").evaluate_all(
        """lis => lis.map(li => [li.querySelector(':scope > a').href.split('/').at(-2),
             [...li.querySelectorAll('.toi-chip--on')].map(c => [c.dataset.topic,
               (c.querySelector('.toi-stance')?.className.match(/--(\\w+)/) || [])[1] || null])])"""
    )
    assert len(chips) == len(shown(page)) > 0
    for slug, on in chips:
        work = by_slug[slug]
        expected = {t.topic for t in work.tags} & {"microscope", "auditing", "microscope-ai"}
        assert {topic for topic, _ in on} == expected
        assert all(work.stance_on(topic) == stance for topic, stance in on)


def test_without_topics_a_result_shows_its_overall_stances(page: Page, base: str, corpus) -> None:
    essay = corpus.works[HUB]
    open_browse(page, base, f"?text={essay.key}")
    listed(page)
    badges = result_item(page, essay.slug).locator(".toi-result-meta .toi-stance")
    classes = badges.evaluate_all("bs => bs.map(b => b.className.split('--')[1])")
    assert set(classes) == {t.stance for t in essay.tags}
    assert result_item(page, essay.slug).locator(".toi-chip--on").count() == 0


def remove_buttons(page: Page) -> list[str]:
    return page.locator("#toi-active-list button").evaluate_all(
        "bs => bs.map(b => b.textContent.replace('×', '').trim())"
    )


def test_active_filters_bar_removes_one_and_clears_all(page: Page, base: str, corpus) -> None:
    tax = corpus.taxonomy
    open_browse(page, base, "?endstory=microscope,enumerative-safety&kind=post&from=2020")
    assert page.is_visible("#toi-active")
    microscope = f"End story: {tax.endstories['microscope'].name}"
    assert remove_buttons(page) == [
        f"Remove filter: End story: {tax.endstories['enumerative-safety'].name}",
        f"Remove filter: {microscope}",
        f"Remove filter: Kind: {tax.kinds['post'].name}",
        "Remove filter: From 2020",
    ]
    page.get_by_role("button", name=f"Remove filter: {microscope}", exact=True).click()
    url_has(page, "endstory=enumerative-safety")
    assert not page.is_checked("#toi-endstory-microscope")
    assert "microscope" not in page.evaluate("location.search").replace("enumerative", "")
    expected = {
        w.slug
        for w in corpus.works.values()
        if w.slug in tagged(corpus, "enumerative-safety")
        and w.kind == "post"
        and (w.year or 0) >= 2020
    }
    assert set(shown(page)) == expected
    # Focus moves to the filter that took the removed one's place, not to <body>.
    assert page.evaluate("document.activeElement.textContent").startswith("Remove filter: Kind")
    page.get_by_role("button", name="Remove filter: From 2020", exact=True).click()
    page.wait_for_function("!location.search.includes('from=')")
    assert page.input_value("#toi-from") == ""
    page.click("#toi-clear")
    page.wait_for_function("location.search === ''")
    assert page.evaluate("document.activeElement.id") == "toi-status"
    assert len(shown(page)) == len(corpus.works)
    assert page.locator("#toi-form input:checked").count() == 0
    assert not page.is_visible("#toi-active")


def test_text_search_is_an_active_filter_too(page: Page, base: str) -> None:
    open_browse(page, base, "?text=sparse&sort=title")
    assert remove_buttons(page) == ["Remove filter: Search: sparse"]
    page.click("#toi-active-list button")
    page.wait_for_function("!location.search.includes('text=')")
    assert page.input_value("#toi-q") == ""
    assert page.input_value("#toi-sort") == "title"  # the sort is not a filter: it stays


def test_long_facet_has_show_all_instead_of_a_scroll_box(page: Page, base: str, corpus) -> None:
    tois = list(corpus.taxonomy.tois.values())
    last = f"#toi-toi-{tois[-1].id}"
    open_browse(page, base, f"?toi={tois[-2].id}")
    assert not page.is_visible(last)
    assert page.is_visible(f"#toi-toi-{tois[-2].id}")  # a ticked value stays in view
    page.get_by_role("button", name=f"Show all {len(tois)}").click()
    assert page.is_visible(last)
    assert page.get_attribute("#toi-facet-toi .toi-showall", "aria-expanded") == "true"
    assert nested_scroll_boxes(page) == []


def nested_scroll_boxes(page: Page) -> list[str]:
    """Boxes in the filter form that scroll on their own (a box inside the scrolling page)."""
    return page.evaluate(
        """() => [document.getElementById('toi-form'),
                  ...document.querySelectorAll('#toi-form *')]
          .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowY)
                       && e.scrollHeight > e.clientHeight)
          .map(e => e.id || e.className)"""
    )


def too_wide(page: Page) -> list[str]:
    """Elements of the page's content that reach beyond the viewport's width."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.md-content *, #toi-sheet *')]
          .filter(e => { const r = e.getBoundingClientRect();
                         return r.width > 0 && (r.left < -0.5 || r.right > innerWidth + 0.5); })
          .map(e => e.tagName + '.' + e.className)"""
    )


PHONE = {"width": 375, "height": 740}


def test_phone_shows_results_first_and_filters_in_a_sheet(browser: Browser, base: str) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    open_browse(page, base, "?endstory=enumerative-safety&toi=auditing&stance=critiques")
    listed(page)
    opener = page.locator("#toi-open")
    first = page.locator("#toi-results > li").first.bounding_box()
    assert first is not None and first["y"] < PHONE["height"]  # on the first screen
    assert not page.is_visible("#toi-form")  # the filters wait behind their button
    assert opener.is_visible() and opener.inner_text().split() == ["Filters", "3"]
    assert page.get_attribute("#toi-open", "aria-label") == "Filters, 3 active filters"
    box = opener.bounding_box()
    assert box is not None and box["y"] < first["y"]
    sort_label = page.locator("label[for=toi-sort]").bounding_box()
    sort = page.locator("#toi-sort").bounding_box()
    assert sort_label and sort and abs(sort_label["y"] - sort["y"]) < sort["height"]
    assert sort["x"] - (sort_label["x"] + sort_label["width"]) < 20  # "Sort" beside its menu
    keep_box = page.locator("#toi-keep").bounding_box()
    keep_label = page.locator("label[for=toi-keep]").bounding_box()
    assert keep_box and keep_label and abs(keep_box["y"] - keep_label["y"]) < keep_label["height"]
    assert too_wide(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    opener.click()
    assert page.evaluate("document.getElementById('toi-sheet').open") is True
    assert page.evaluate("document.getElementById('toi-form').parentNode.id") == "toi-sheet"
    assert page.is_visible("#toi-endstory-microscope")
    assert nested_scroll_boxes(page) == []
    assert too_wide(page) == []
    for box_id in ("toi-endstory-microscope", "toi-stance-mixed"):  # label beside its box
        b = page.locator(f"#{box_id}").bounding_box()
        lb = page.locator(f"label[for={box_id}]").bounding_box()
        assert b and lb and lb["x"] > b["x"] and abs(lb["y"] - b["y"]) < lb["height"]
    page.check("#toi-endstory-microscope")
    page.wait_for_function("document.getElementById('toi-done').textContent.includes('Show ')")
    n = int(page.locator("#toi-status").inner_text().split()[0])
    assert page.locator("#toi-done").inner_text() == f"Show {n} work{'s' if n != 1 else ''}"
    page.click("#toi-done")
    assert page.evaluate("document.getElementById('toi-sheet').open") is False
    assert page.evaluate("document.getElementById('toi-form').parentNode.id") == "toi-side"
    assert page.evaluate("document.activeElement.id") == "toi-open"
    assert opener.inner_text().split() == ["Filters", "4"]
    opener.click()
    page.keyboard.press("Escape")
    assert page.evaluate("document.getElementById('toi-sheet').open") is False
    context.close()


def test_desktop_keeps_facets_beside_the_results(page: Page, base: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    open_browse(page, base, "?endstory=microscope")
    facets = page.locator("#toi-form").bounding_box()
    results = page.locator("#toi-results").bounding_box()
    assert facets and results and facets["x"] + facets["width"] <= results["x"]
    assert abs(facets["y"] - results["y"]) < 250  # side by side, not stacked
    assert not page.is_visible("#toi-open")
    assert nested_scroll_boxes(page) == []


def download(page: Page, button: str) -> str:
    with page.expect_download() as info:
        page.click(button)
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_ris_and_csl_json_downloads_are_exactly_the_selection(
    page: Page, base: str, corpus
) -> None:
    open_browse(page, base, "?endstory=retargeting-the-search&sort=title")
    by_slug = {w.slug: w for w in corpus.works.values()}
    works = [by_slug[s] for s in shown(page)]
    assert works and {w.slug for w in works} == tagged(corpus, "retargeting-the-search")
    refs = rispy.loads(download(page, "#toi-ris"))
    assert [r["id"] for r in refs] == [w.key for w in works]  # in the listed order
    assert [r["title"] for r in refs] == [" ".join(w.title.split()) for w in works]
    page.wait_for_function("document.getElementById('toi-status').textContent.includes('RIS')")
    assert page.locator("#toi-status").inner_text() == f"Downloaded {len(works)} entries as RIS."
    items = json.loads(download(page, "#toi-csl"))
    assert [i["id"] for i in items] == [w.key for w in works]
    assert [i["title"] for i in items] == [w.title for w in works]


ACTIVE = (
    "?endstory=enumerative-safety&toi=auditing,microscope-ai&stance=critiques&text=interp&from=2020"
)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", ["desktop", "phone with the sheet open"])
def test_no_serious_accessibility_violations_with_filters_active(
    browser: Browser, base: str, scheme: str, screen: str
) -> None:
    phone = screen.startswith("phone")
    context = browser.new_context(
        color_scheme=scheme, viewport=PHONE if phone else {"width": 1280, "height": 900}
    )
    page = context.new_page()
    open_browse(page, base, ACTIVE)
    listed(page)
    assert page.locator("#toi-active-list button").count() == 6
    assert page.locator("#toi-results .toi-chip--on").count() > 0
    if phone:
        page.click("#toi-open")
        assert page.evaluate("document.getElementById('toi-sheet').open") is True
    bad = serious_violations(page)
    context.close()
    assert bad == []
