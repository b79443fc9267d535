"""Work pages made from the theme's shell: same page as MkDocs would make, found by
search under MkDocs and Zensical, links checked by the generator, and nothing but our
fragments poured into the shell."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from browser import serve
from conftest import ROOT, build_site, entry, make_project, run_tool
from toi_atlas.pipeline import Paths, load_and_check
from toi_atlas.render.workhtml import Converter, Targets
from toi_atlas.write.fill import SHELL_TOC, Shell, ShellError, shell_page

SURNAME = "Quillfeather"
SUMMARY_WORD = "xylophonic"
WORKS = {
    "works.bib": entry(
        "alpha2023",
        title="Sparse Dictionaries Considered",
        author=f"{SURNAME}, Ada and Zed, Bo",
        summary=f"Argues that {SUMMARY_WORD} features never generalise. It matters here.",
        stance="advocates",
    )
    + entry(
        "beta2024",
        title="A Reply on Dictionaries",
        author="Marlowe, Cy",
        year="2024",
        rebuts="alpha2023@auditing",
    )
}


def small_project(base: Path) -> Path:
    """Two works, with the real theme, stylesheets and mkdocs.yml (without its nav, which
    names pages of the real corpus)."""
    project = make_project(base, WORKS)
    for name in ("stylesheets", "javascripts"):
        shutil.copytree(ROOT / "docs" / name, project / "docs" / name)
    shutil.copytree(ROOT / "overrides", project / "overrides")
    (project / "docs" / "index.md").write_text(
        "# Home\n\n[The first work](atlas/works/alpha2023/)\n", encoding="utf-8"
    )
    (project / "docs" / "contributing.md").write_text("# Contributing\n", encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    # A nav of two pages: like work pages, the list of works is not in it, so the two
    # can be compared (a page in the nav is marked active and gets previous/next links).
    nav = "\nnav:\n  - Home: index.md\n  - Contributing: contributing.md\n"
    (project / "mkdocs.yml").write_text(re.sub(r"\nnav:\n(?:  .*\n)+", nav, config))
    return project


@pytest.fixture(scope="module")
def mkdocs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(small_project(tmp_path_factory.mktemp("shell-mkdocs")))


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(small_project(tmp_path_factory.mktemp("shell-zensical")), "zensical")


# --- the shell, cut and filled ------------------------------------------------------------

SHELL = (
    "<html><head><title>TOIATLASSHELLTITLE - Site</title>"
    '<meta name="description" content="TOIATLASSHELLDESCRIPTION">'
    '<link rel="canonical" href="https://e.org/atlas/works/_shell/"></head><body>'
    '<a href="#toiatlasshellh1">Skip</a><nav><ul><li class="i">'
    '<a href="#toiatlasshelltoc">TOIATLASSHELLTOC</a></li></ul></nav><article>'
    '<h1 id="toiatlasshellh1">TOIATLASSHELLTITLE</h1><p>TOIATLASSHELLBODY</p>'
    '<h2 id="toiatlasshelltoc">TOIATLASSHELLTOC</h2></article></body></html>'
)


def test_the_shell_is_filled_at_every_placeholder() -> None:
    fragment = {
        "title": "A &amp; B",
        "description": "One &lt;line&gt;",
        "h1": "a-b",
        "toc": [["cite", "Cite"], ["claims", "Claims"]],
        "body": '<h1 id="a-b">A &amp; B</h1><p>text</p>',
    }
    page = Shell.parse(SHELL).fill("x2023", fragment)
    assert page == (
        "<html><head><title>A &amp; B - Site</title>"
        '<meta name="description" content="One &lt;line&gt;">'
        '<link rel="canonical" href="https://e.org/atlas/works/x2023/"></head><body>'
        '<a href="#a-b">Skip</a><nav><ul><li class="i"><a href="#cite">Cite</a></li>'
        '<li class="i"><a href="#claims">Claims</a></li></ul></nav><article>'
        '<h1 id="a-b">A &amp; B</h1><p>text</p></article></body></html>'
    )


@pytest.mark.parametrize("cut", ["TOIATLASSHELLBODY", 'href="#toiatlasshelltoc"'])
def test_a_shell_without_its_placeholders_is_refused(cut: str) -> None:
    with pytest.raises(ShellError):
        Shell.parse(SHELL.replace(cut, ""))


def test_site_without_a_shell_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    proc = run_tool(["toi-atlas", "site", "--site-dir", "site"], tmp_path)
    assert proc.returncode == 1
    assert "TOI904" in proc.stdout and "Traceback" not in proc.stderr


def test_the_shell_page_is_what_the_fill_expects() -> None:
    text = shell_page()
    assert f"## {SHELL_TOC}" in text and "exclude: true" in text


# --- links: the generator checks what MkDocs no longer sees ---------------------------------


def _convert(body: str, targets: Targets) -> list[tuple[str, str]]:
    conv = Converter({"markdown_extensions": ["attr_list"]})
    conv.convert("atlas/works/a.md", body, targets)
    return conv.links.check.broken


def test_links_between_work_pages_are_checked() -> None:
    targets = Targets(
        frozenset({"atlas/toi/x.md", "atlas/cite/a.bib"}), frozenset({"atlas/works/b/"})
    )
    fine = "[b](../b/) [topic](../toi/x.md) [bib](../cite/a.bib) [out](https://e.org) [#](#cite)"
    assert _convert(fine, targets) == []
    broken = "[gone](../c/) [topic](../toi/y.md) [bib](../cite/c.bib)"
    assert _convert(broken, targets) == [
        ("atlas/works/a.md", "../c/"),
        ("atlas/works/a.md", "../toi/y.md"),
        ("atlas/works/a.md", "../cite/c.bib"),
    ]


def test_md_links_become_the_urls_mkdocs_gives_them() -> None:
    targets = Targets(frozenset({"atlas/toi/x.md", "atlas/cite/a.bib"}), frozenset())
    conv = Converter({"markdown_extensions": []})
    html = conv.convert("atlas/works/a.md", "[t](../toi/x.md#h) [b](../cite/a.bib)", targets)[
        "body"
    ]
    assert 'href="../../toi/x/#h"' in html and 'href="../../cite/a.bib"' in html


def test_a_hand_written_link_to_a_missing_work_is_reported(tmp_path: Path) -> None:
    root = make_project(tmp_path, WORKS)
    (root / "docs" / "reading").mkdir(parents=True)
    (root / "docs" / "reading" / "x.md").write_text(
        "# X\n\n[ok](../../atlas/works/alpha2023/)\n[old](../../atlas/works/alpha2023.md)\n"
        "\n[gone](../../atlas/works/nobody2020/)\n",
        encoding="utf-8",
    )
    found = [(d.code, d.span.file, d.span.line) for d in load_and_check(Paths(root)).diagnostics]
    assert found == [("TOI607", "docs/reading/x.md", 4), ("TOI607", "docs/reading/x.md", 6)]


def test_a_snippet_line_in_a_field_includes_nothing(tmp_path: Path) -> None:
    """pymdownx.snippets is never on for work pages: BibTeX shown in the page could name a
    file to include."""
    secret = "TOP-SECRET-CONTENT"
    root = make_project(tmp_path, {"w.bib": entry("w2023", note='x\n--8<-- "secret.txt"\ny')})
    (root / "secret.txt").write_text(secret, encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "secret.txt").write_text(secret, encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: T\nmarkdown_extensions:\n  - pymdownx.snippets:\n      base_path: [docs, .]\n",
        encoding="utf-8",
    )
    proc = run_tool(["toi-atlas", "build"], root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fragment = root / ".toi-atlas" / "pages" / "html" / "works" / "w2023.json"
    assert secret not in fragment.read_text(encoding="utf-8")


# --- the built sites ------------------------------------------------------------------------


def test_work_pages_are_in_the_site_search_and_sitemap_and_the_shell_is_not(
    mkdocs_site: Path, zensical_site: Path
) -> None:
    for site, index, key in (
        (mkdocs_site, "search/search_index.json", "docs"),
        (zensical_site, "search.json", "items"),
    ):
        assert {p.parent.name for p in (site / "atlas" / "works").glob("*/index.html")} == {
            "alpha2023",
            "beta2024",
        }
        entries = json.loads((site / index).read_text(encoding="utf-8"))[key]
        locations = [e["location"] for e in entries]
        assert "atlas/works/alpha2023/" in locations
        assert not [loc for loc in locations if "_shell" in loc]
        sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
        assert "/atlas/works/beta2024/</loc>" in sitemap and "_shell" not in sitemap
        alpha = next(e for e in entries if e["location"] == "atlas/works/alpha2023/")
        assert SUMMARY_WORD in alpha["text"] and f"Ada {SURNAME}" in alpha["tags"]
        assert "rebutted by" not in alpha["text"]  # lean: no edges, no citations


SKELETON = """() => {
  const sel = (s) => [...document.querySelectorAll(s)];
  // A part of the page with its links made absolute (the two pages sit at different
  // depths) and the page's own title taken out.
  const part = (s) => {
    const el = document.querySelector(s)?.cloneNode(true);
    if (!el) return null;
    el.querySelectorAll('[data-md-component=header-topic]').forEach(e => e.remove());
    // States the theme's script toggles as the page scrolls or loads (the header title
    // swaps to the page title once the h1 is out of view): not part of the shell.
    [el, ...el.querySelectorAll('[class]')].forEach(e => e.setAttribute('class',
      (e.getAttribute('class') || '').replace(/\\S*--(active|shadow|lifted)\\b/g, '')
        .replace(/\\s+/g, ' ').trim()));
    // The search box's status line changes as the search worker starts, at its own pace.
    el.querySelectorAll('.md-search-result__meta, .md-search-result__list')
      .forEach(e => { e.textContent = ''; e.removeAttribute('hidden'); });
    el.querySelectorAll('[href]').forEach(a => a.setAttribute('href', a.href));
    el.querySelectorAll('[src]').forEach(a => a.setAttribute('src', a.src));
    return el.outerHTML.replace(/\\s+/g, ' ');
  };
  return {
    header: part('header.md-header'),
    footer: part('footer'),
    drawer: part('nav.md-nav--primary'),
    scripts: sel('script[src]').map(s => new URL(s.src).pathname),
    styles: sel('link[rel=stylesheet]').map(l => new URL(l.href).pathname),
    meta: sel('meta[name], meta[property]')
      .map(m => m.getAttribute('name') || m.getAttribute('property')),
    search: !!document.querySelector('.md-search__input'),
    palette: sel('[data-md-component=palette] input').length,
  };
}"""


def _skeleton(page: Page, url: str) -> dict[str, object]:
    page.goto(url)
    data: dict[str, object] = page.evaluate(SKELETON)
    return data


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    p = context.new_page()
    yield p
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("builder", ["mkdocs", "zensical"])
def test_a_work_page_has_the_shell_of_a_page_the_theme_renders(
    builder: str, mkdocs_site: Path, zensical_site: Path, page: Page
) -> None:
    site = mkdocs_site if builder == "mkdocs" else zensical_site
    with serve(site) as base:
        work = _skeleton(page, base + "/atlas/works/alpha2023/")
        built = _skeleton(page, base + "/atlas/works/")  # the list of works: the theme's own
        assert work == built
        assert work["palette"] == 2 and work["scripts"]
        assert work["search"] or builder == "zensical"  # Zensical has its own search box
        page.goto(base + "/atlas/works/alpha2023/")
        assert page.title() == "Sparse Dictionaries Considered - ToI Atlas"
        canonical = page.get_attribute("link[rel=canonical]", "href") or ""
        assert canonical.endswith("/atlas/works/alpha2023/")
        toc = page.locator("nav.md-nav--secondary a").all_inner_texts()
        assert [t.strip() for t in toc] == ["Where it stands", "In the debate", "Cite"]
        page.click("text=A Reply on Dictionaries")
        page.wait_for_url("**/atlas/works/beta2024/")


@pytest.mark.browser
@pytest.mark.parametrize("query", ["Sparse Dictionaries", SURNAME, SUMMARY_WORD])
def test_search_finds_a_work_by_title_author_and_summary(
    query: str, mkdocs_site: Path, page: Page
) -> None:
    """In Material's search box. Zensical's search index gets the same entries (above);
    its new search interface is not driven here."""
    with serve(mkdocs_site) as base:
        page.goto(base + "/")
        page.keyboard.press("/")  # the theme's search shortcut
        page.keyboard.type(query)
        first = page.locator(".md-search-result__list a").first
        first.wait_for(timeout=15_000)
        href = first.get_attribute("href") or ""
        assert urlsplit(href).path.endswith("/atlas/works/alpha2023/")
