"""The browse page in Chromium: facets, counts, search, sort, URL state, export, safety."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from pybtex.database import parse_string

from browser import serve
from conftest import HOSTILE_KEY, HOSTILE_TITLE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(real_site: Path) -> Iterator[str]:
    with serve(real_site / "site") as url:
        yield url


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
    every = shown_now(page)
    assert every[:100] == first and len(every) == len(set(every)) == len(corpus.works)


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
    page.fill("#toi-q", "segerie")
    page.wait_for_function("document.getElementById('toi-status').textContent.includes(' of ')")
    keys = shown(page)
    assert "segerie2023against" in keys
    for key in keys:
        w = next(x for x in corpus.works.values() if x.slug == key)
        hay = f"{w.title} {w.author_line} {w.summary} {w.key}".lower()
        assert "segerie" in hay
    url_has(page, "text=segerie")


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
    one = corpus.works["segerie2023against"]
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
