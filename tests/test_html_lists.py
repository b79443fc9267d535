"""Lists of works written as raw HTML (render.htmllists) for MkDocs to pass through are
what Python-Markdown made of the same lists written as Markdown: line for line, with
mkdocs.yml's extensions, for every work of the fixture corpus and one full of markup."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

from conftest import HOSTILE_BIB, HOSTILE_KEY, make_fixture_project
from toi_atlas.model.corpus import Corpus
from toi_atlas.pipeline import Paths, load_and_check
from toi_atlas.read.site import load_site
from toi_atlas.render.htmllists import RAW, raw_list, with_sublist
from toi_atlas.render.markdown import md_escape, topic_link, work_link, work_list_item
from toi_atlas.render.workhtml import extensions

ROOT = Path(__file__).resolve().parents[1]
PAGE = "toi/auditing.md"  # the lists' page: links are reckoned from it


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    project = make_fixture_project(tmp_path_factory.mktemp("lists"))
    (project / "bib" / "hostile.bib").write_text(HOSTILE_BIB, encoding="utf-8")
    result = load_and_check(Paths(project))
    assert result.corpus is not None and HOSTILE_KEY in result.corpus.works
    return result.corpus


def _html(source: str) -> list[str]:
    """Python-Markdown's HTML of `source` as mkdocs.yml sets it up, without blank lines
    (whitespace between blocks: a raw block is followed by one more newline)."""
    names, settings = extensions(
        {"markdown_extensions": list(load_site(ROOT / "mkdocs.yml").markdown_extensions)}
    )
    html = markdown.Markdown(extensions=names, extension_configs=settings).convert(source)
    return [line for line in html.split("\n") if line.strip()]


def test_raw_list_items_are_the_html_of_markdown_items(corpus: Corpus) -> None:
    tax = corpus.taxonomy
    works = sorted(corpus.works.values(), key=lambda w: w.key)
    stances = list(tax.stances)
    md_lines: list[str] = []
    raw_items: list[str] = []
    for i, w in enumerate(works):
        others = [works[(i + 1) % len(works)], works[(i + 2) % len(works)]]
        stance = stances[i % len(stances)] if i % 3 else None
        extra = "rebuts " + ", ".join(work_link(o, PAGE) for o in others) if i % 2 else ""
        md_lines.append(work_list_item(w, PAGE, tax, stance=stance, extra=extra))
        raw_extra = "rebuts " + ", ".join(work_link(o, PAGE, RAW) for o in others) if i % 2 else ""
        item = work_list_item(w, PAGE, tax, stance=stance, extra=raw_extra, flavour=RAW)
        replies = others[: i % 3]  # none, one or two replies nested under the item
        md_lines += [f"    - ↳ by {work_link(r, PAGE)} ({md_escape(r.credit)})" for r in replies]
        subitems = [
            RAW.item(f"↳ by {work_link(r, PAGE, RAW)} ({md_escape(r.credit)})") for r in replies
        ]
        raw_items.append(with_sublist(item, subitems))
    made = _html("\n".join([*raw_list(raw_items), "", "Next paragraph."]))
    assert made == _html("\n".join([*md_lines, "", "Next paragraph."]))
    assert sum(line.startswith("<li>") for line in made) > len(works)  # items and replies
    assert "<script>" not in "\n".join(made)  # the hostile work's markup stays text


def test_raw_lists_refuse_links_to_markdown_pages(corpus: Corpus) -> None:
    """MkDocs rewrites `x.md` links in Markdown, never in raw HTML: such a link in a raw
    list would break on the built site, so making one fails the build instead."""
    term = next(iter(corpus.taxonomy.tois.values()))
    with pytest.raises(ValueError):
        topic_link(term, PAGE, RAW)


def test_no_items_make_no_list() -> None:
    assert raw_list([]) == []
    assert with_sublist("<li>x</li>", []) == "<li>x</li>"
