"""Real pages in a real browser: Debian's Chromium, driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, Page

from browser import serve
from conftest import HOSTILE_KEY, HOSTILE_TITLE

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    pg = context.new_page()
    yield pg
    context.close()


def test_work_page_title_and_copy_button(real_site: Path, page: Page) -> None:
    cite = (real_site / "site" / "atlas" / "cite" / "nanda2022longlist.bib").read_text()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    foreign: list[str] = []
    page.on("request", lambda r: None if "127.0.0.1" in r.url else foreign.append(r.url))
    with serve(real_site / "site") as base:
        page.goto(f"{base}/atlas/works/nanda2022longlist/")
        h1 = page.locator("article h1").inner_text()
        assert h1.rstrip("¶").strip() == "A Longlist of Theories of Impact for Interpretability"
        assert page.title().startswith("A Longlist of Theories of Impact for Interpretability")
        # "Cite as" comes first; the BibTeX sits folded one click away
        assert "Nanda, N. (2022" in page.locator(".toi-citeas").first.inner_text()
        page.locator("details summary", has_text="BibTeX").click()
        copy = page.locator("button[data-md-type=copy], button.md-clipboard").first
        copy.click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.strip() == cite.strip()
        assert "tois" not in copied and "summary" not in copied
        # the download link serves the same stripped BibTeX
        href = page.locator("a[download]").first.get_attribute("href")
        assert href is not None
        response = page.request.get(urljoin(page.url, href))
        assert response.ok and response.text().strip() == cite.strip()
    assert errors == []
    assert foreign == []  # nothing from a CDN or any other host at page load


def test_hostile_page_runs_no_injected_script(hostile_site: Path, page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with serve(hostile_site / "site") as base:
        for path in (f"atlas/works/{HOSTILE_KEY}/", "atlas/works/", "atlas/toi/auditing/"):
            page.goto(f"{base}/{path}")
            page.wait_for_load_state("networkidle")
            for link in page.locator("a").all():
                href = (link.get_attribute("href") or "").strip().lower()
                assert not href.startswith("javascript:"), href
        page.goto(f"{base}/atlas/works/{HOSTILE_KEY}/")
        assert page.locator("article h1").inner_text().rstrip("¶").strip() == HOSTILE_TITLE
        assert page.locator("article iframe, article img[src=x]").count() == 0
    assert dialogs == []


def test_search_finds_a_work_by_author(real_site: Path, page: Page) -> None:
    with serve(real_site / "site") as base:
        page.goto(f"{base}/")
        page.keyboard.press("/")  # Material's search shortcut
        page.keyboard.type("Segerie")
        result = page.locator(".md-search-result__item").first
        result.wait_for(timeout=10_000)
        assert "Against Almost Every Theory" in page.locator(".md-search-result").inner_text()
