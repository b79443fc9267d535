"""Built pages in a real browser: Debian's Chromium, driven by Playwright. On the fixture
site (its hub, conftest.HUB), never on bib/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, Page

from browser import serve
from conftest import HOSTILE_KEY, HOSTILE_TITLE, HUB

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    pg = context.new_page()
    yield pg
    context.close()


def test_work_page_title_and_copy_button(fixture_site: Path, page: Page) -> None:
    cite = (fixture_site / "site" / "atlas" / "cite" / f"{HUB}.bib").read_text()
    title = "Against Most Theories of Impact of Interpretability"
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    foreign: list[str] = []
    page.on("request", lambda r: None if "127.0.0.1" in r.url else foreign.append(r.url))
    with serve(fixture_site / "site") as base:
        page.goto(f"{base}/atlas/works/{HUB}/")
        h1 = page.locator("article h1").inner_text()
        assert h1.rstrip("¶").strip() == title
        assert page.title().startswith(title)
        # "Cite as" comes first (the accent of the BibTeX name resolved); the BibTeX sits
        # folded one click away
        assert "Ravensworth, É. (2022" in page.locator(".toi-citeas").first.inner_text()
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


def test_search_finds_a_work_by_author(fixture_site: Path, page: Page) -> None:
    with serve(fixture_site / "site") as base:
        page.goto(f"{base}/")
        page.keyboard.press("/")  # Material's search shortcut
        page.keyboard.type("Ravensworth")
        result = page.locator(".md-search-result__item").first
        result.wait_for(timeout=10_000)
        assert "Against Most Theories" in page.locator(".md-search-result").inner_text()
