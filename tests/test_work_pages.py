"""Work pages (HTML) and topic indexes (Markdown) as generated, from small fixture corpora:
actions under the title, the debate grouped by topic and folded, the metadata check,
search tags, the essay named at first mention, glosses, listing pages out of search."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import entry, make_project, work_fragment, work_html, work_sources
from toi_atlas.pipeline import Paths, build
from toi_atlas.read.taxonomy import load_taxonomy
from toi_atlas.render.pages import FOLD_AT, OPEN_TOTAL, SHOWN_GROUPS
from toi_atlas.render.topics import gloss


def generate(tmp_path: Path, files: dict[str, str]) -> Path:
    root = make_project(tmp_path, files)
    result = build(Paths(root))
    assert [d.code for d in result.diagnostics] == []
    return root / "docs" / "atlas"


def front_matter(page: str) -> str:
    return page.split("---\n", 2)[1]


def page_of(atlas: Path, slug: str) -> str:
    """A work page's HTML body, for docs/atlas of the same project."""
    return work_html(atlas.parents[1], slug)


def test_actions_sit_between_the_byline_and_the_summary(tmp_path: Path) -> None:
    work = entry(
        "doe2023",
        url="https://example.org/read",
        pdf="https://example.org/paper.pdf",
        eprint="2301.00001",
        archiveprefix="arXiv",
        doi="10.1000/xyz",
        code="https://example.org/code",
    )
    page = page_of(generate(tmp_path, {"a.bib": work}), "doe2023")
    lines = page.splitlines()
    actions = next(i for i, line in enumerate(lines) if 'class="toi-actions"' in line)
    assert lines[actions - 1].startswith('<p class="toi-meta">')
    assert lines[actions + 1].startswith('<p class="toi-summary">')  # the summary right after
    hrefs = re.findall(r'<a class="[^"]*toi-action[^"]*" href="([^"]+)"', lines[actions])
    assert hrefs == [
        "https://example.org/read",
        "https://example.org/paper.pdf",
        "https://arxiv.org/abs/2301.00001",
        "https://doi.org/10.1000/xyz",
        "https://example.org/code",
        "#cite",
        "#bibtex",
    ]
    assert "data-search-exclude" in lines[actions]
    # both anchors exist: the Cite heading and the link inside the folded BibTeX block
    assert re.search(r'<h2 data-search-exclude id="cite">Cite<', page)
    assert re.search(r'<a class="md-button" [^>]*id="bibtex">', page)
    assert ">Links<" not in page  # the actions replace the old list of links


def test_an_unsafe_url_gets_no_action(tmp_path: Path) -> None:
    from toi_atlas.pipeline import load_and_check
    from toi_atlas.render.context import Context
    from toi_atlas.render.pages import render as render_pages

    bad = entry("doe2023", url="javascript:alert(1)", pdf="https://example.org/p.pdf")
    result = load_and_check(Paths(make_project(tmp_path, {"a.bib": bad})))
    assert result.corpus is not None  # the checker reports the URL; the page stays inert
    page = render_pages(Context(result.corpus))["works/doe2023.md"]["body"]
    actions = next(line for line in page.splitlines() if "toi-actions" in line)
    assert "javascript" not in actions and ">Read<" not in actions
    assert 'href="https://example.org/p.pdf"' in actions


def _hub_corpus(groups: dict[str, int], unscoped: int = 0) -> dict[str, str]:
    """A hub work and, per topic, that many works rebutting it about that topic."""
    bib = entry("hub2022", tois="auditing", endstories="microscope", stance="advocates")
    n = 0
    for topic, count in groups.items():
        for _ in range(count):
            n += 1
            bib += entry(f"critic{n:02d}", rebuts=f"hub2022@{topic}", tois="auditing")
    for _ in range(unscoped):
        n += 1
        bib += entry(f"critic{n:02d}", supports="hub2022", tois="auditing")
    return {"a.bib": bib}


def test_long_debate_is_grouped_by_topic_largest_first_and_folded(tmp_path: Path) -> None:
    counts = {"microscope-ai": 3, "auditing": FOLD_AT + 6, "microscope": 1}
    assert sum(counts.values()) + 1 > OPEN_TOTAL  # too many lines to show at once
    atlas = generate(tmp_path, _hub_corpus(counts, unscoped=1))
    page = page_of(atlas, "hub2022")
    heads = re.findall(r'<summary>(.+)</summary>|<p class="toi-group-head">(.+)</p>', page)
    assert [folded or shown for folded, shown in heads] == [
        f"Auditing ({FOLD_AT + 6})",  # long: folded, with its count
        '<a href="../../toi/microscope-ai/">Microscope AI</a> (3)',  # short: shown, linked
        '<a href="../../endstory/microscope/">Microscope AI (end story)</a> (1)',
        "Not tied to one topic (1)",
        "BibTeX for your reference manager (our tags and summary removed)",
    ]
    # the folded group ends with the link its summary cannot hold
    link = '<p><a class="toi-group-link" href="../../toi/auditing/">The debate on Auditing</a></p>'
    assert f"</ul>\n{link}\n</details>" in page
    assert page.count("<li>rebutted by <a href=") == sum(counts.values())
    assert '<li>supported by <a href="../critic' in page
    assert f"{sum(counts.values()) + 1} connections with other works" in page


def test_short_debate_shows_every_group(tmp_path: Path) -> None:
    atlas = generate(tmp_path, _hub_corpus({"auditing": FOLD_AT + 1}))
    page = page_of(atlas, "hub2022")
    assert 'toi-group"' not in page  # under OPEN_TOTAL lines: nothing folded
    head = f'<p class="toi-group-head"><a href="../../toi/auditing/">Auditing</a> ({FOLD_AT + 1})'
    assert head in page


def test_topics_beyond_the_first_few_fold_together(tmp_path: Path) -> None:
    topics = [
        "auditing",
        "auditing-deception",
        "coordination",
        "microscope-ai",
        "outreach",
        "norm-setting",
        "enabling-regulation",
        "interp-in-loss",
    ]
    counts = {t: 2 for t in topics}
    atlas = generate(tmp_path, _hub_corpus(counts))
    page = page_of(atlas, "hub2022")
    extra = len(topics) - SHOWN_GROUPS
    more = page.index(f"<summary>{extra} more topics ({2 * extra})</summary>")
    inside = page[more : page.index("</details>", more)]
    nested = re.findall(r'<p class="toi-group-head"><a href="../../toi/[a-z-]+/">', inside)
    assert len(nested) == extra


def test_where_it_stands_is_one_line_per_kind_grouped_by_stance(tmp_path: Path) -> None:
    work = entry(
        "doe2023",
        tois="auditing:critiques, outreach:advocates, coordination:critiques",
        endstories="microscope",
    )
    page = page_of(generate(tmp_path, {"a.bib": work}), "doe2023")
    section = page.split('id="where-it-stands"', 1)[1].split("<ul>\n", 1)[1].split("</ul>")[0]
    rows = section.splitlines()
    assert len(rows) == 2
    assert rows[0].startswith(
        '<li><strong>Theories of impact (3)</strong>: <a href="../../stance/critiques/">'
        '<span class="toi-stance toi-stance--critiques"'
    )
    assert rows[0].index('"../../toi/auditing/"') < rows[0].index('"../../toi/coordination/"')
    assert rows[0].index('"../../toi/coordination/"') < rows[0].index("toi-stance--advocates")
    assert rows[1].startswith("<li><strong>End story</strong>: ")


def test_every_author_is_named_on_the_work_page(tmp_path: Path) -> None:
    authors = " and ".join(f"Person{i}, Given" for i in range(1, 8))
    atlas = generate(tmp_path, {"a.bib": entry("doe2023", author=authors)})
    page = page_of(atlas, "doe2023")
    byline = next(line for line in page.splitlines() if "toi-byline" in line)
    assert all(f"Given Person{i}" in byline for i in range(1, 8)) and "et al." not in byline


def test_metadata_check_is_shown_only_when_recorded(tmp_path: Path) -> None:
    bib = entry(
        "checked2023", checked="2026-12-03: arXiv abstract page; <b>OpenReview</b> page"
    ) + entry("plain2023")
    atlas = generate(tmp_path, {"a.bib": bib})
    checked = page_of(atlas, "checked2023")
    line = next(x for x in checked.splitlines() if "toi-checked" in x)
    assert line == (
        '<p class="toi-dates toi-checked">Metadata checked against arXiv abstract page; '
        "&lt;b&gt;OpenReview&lt;/b&gt; page, 3 December 2026.</p>"
    )
    assert checked.index("Added to the atlas on") < checked.index("toi-checked")
    assert "toi-checked" not in page_of(atlas, "plain2023")


def test_search_tags_name_people_and_boost_central_works(tmp_path: Path) -> None:
    bib = entry(
        "olah2020",
        author="Olah, Chris and {Center for AI Safety} and O'Brien, Eve and {OpenAI} "
        'and Roe, <b>"Ann"</b> &amp;',
        rebuts="lone2021",
    ) + entry("lone2021")
    atlas = generate(tmp_path, {"a.bib": bib})
    tags = work_fragment(atlas.parents[1], "olah2020")["search"]["tags"]
    # people and one-word organisations; an organisation named in words would make its
    # works the first hit for "safety"
    assert tags[:3] == ["Chris Olah", "Eve O\u2019Brien", "OpenAI"] and len(tags) == 4
    assert "Ann" in tags[3] and not re.search("[<>&\"']", tags[3])  # themes print it raw
    assert "Olah" not in page_of(atlas, "olah2020").split("toi-byline", 1)[0]  # not shown
    boosts = {
        key: work_fragment(atlas.parents[1], key)["search"]["boost"]
        for key in ("olah2020", "lone2021")
    }
    assert 1 <= boosts["lone2021"] <= boosts["olah2020"] < 2


def test_listing_pages_stay_out_of_search_and_topic_pages_rank_first(tmp_path: Path) -> None:
    atlas = generate(tmp_path, {"a.bib": entry("doe2023")})
    for listing in ("stance/index.md", "stance/critiques.md", "works/index.md"):
        assert "search:\n  exclude: true\n" in front_matter((atlas / listing).read_text())
    assert "search:\n  boost: 2\n" in front_matter((atlas / "toi" / "auditing.md").read_text())


ESSAY = entry(
    "segerie2023against",
    title="Against Almost Every Theory of Impact of Interpretability",
    summary="The essay itself. It says what the essay says.",
)


def test_the_essay_is_named_and_linked_at_its_first_mention(tmp_path: Path) -> None:
    reply = entry(
        "reply2024",
        summary="Answers the essay on auditing. Later the essay is mentioned again.",
        rebuts="segerie2023against",
    )
    atlas = generate(tmp_path, {"a.bib": ESSAY + reply})
    name = "<em>Against Almost Every Theory of Impact of Interpretability</em></a>"
    page = page_of(atlas, "reply2024")
    assert f'Answers the essay <a href="../segerie2023against/">{name} on auditing.' in page
    assert page.count(name) == 1 and "Later the essay is mentioned again." in page
    assert name not in page_of(atlas, "segerie2023against")  # its own page does not link to itself
    link = "[*Against Almost Every Theory of Impact of Interpretability*]"
    # topic descriptions say "The essay ..." too: named there, once per page
    topic = (atlas / "toi" / "auditing.md").read_text()
    assert topic.count(f"The essay {link}(../../works/segerie2023against/)") == 1
    index = (atlas / "toi" / "index.md").read_text()
    assert index.count(link + "(../works/segerie2023against/)") == 1


def test_the_essay_stays_plain_words_without_it_in_the_corpus(tmp_path: Path) -> None:
    atlas = generate(tmp_path, {"a.bib": entry("doe2023", summary="Cites the essay. Once.")})
    assert "Cites the essay. Once." in page_of(atlas, "doe2023")
    assert "segerie2023against" not in (atlas / "toi" / "index.md").read_text()


def test_index_pages_gloss_every_topic_in_three_columns(tmp_path: Path) -> None:
    atlas = generate(tmp_path, {"a.bib": entry("doe2023", tois="auditing:critiques")})
    tax, _ = load_taxonomy(tmp_path / "bib" / "taxonomy.yaml")  # the project's own
    for folder, section in (("toi", tax.tois), ("endstory", tax.endstories)):
        page = (atlas / folder / "index.md").read_text()
        rows = [line for line in page.splitlines() if line.startswith("| [") or "| ↳ [" in line]
        assert len(rows) == len(section)
        ordered = sorted(section.values(), key=_longlist_order(section))
        for row, term in zip(rows, ordered, strict=True):
            cells = row.strip("|").split(" | ")
            assert len(cells) == 3, row
            assert f"({term.id}.md)" in cells[0]
            assert re.search(r'<br><span class="toi-gloss">[^<]{20,}</span>$', cells[0]), row
    auditing = next(
        x for x in (atlas / "toi" / "index.md").read_text().splitlines() if "(auditing.md)" in x
    )
    assert "[1](../browse.md?toi=auditing)" in auditing
    assert "(../browse.md?toi=auditing&stance=critiques)" in auditing


def _longlist_order(section):
    index = {tid: i for i, tid in enumerate(section)}
    return lambda t: (t.number or 10_000, index[t.id])


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("Short and plain. Then more.", "Short and plain."),
        (
            "A diagnostic instrument for the rest of alignment research: when a model "
            + "behaves badly, inspecting its internals helps locate the cause " * 3
            + ". More.",
            "A diagnostic instrument for the rest of alignment research.",
        ),
        (
            "Search real models for signs of the failure modes that researchers have only "
            "theorised about, inner misalignment being the standard example, so that the "
            "threat models can be confirmed or ruled out empirically by experiments. Next.",
            "Search real models for signs of the failure modes that researchers have only "
            "theorised about, inner misalignment being the standard example.",
        ),
        (
            "If alignment turns out to be very hard, a caught-in-the-act example, such as a "
            "model that passes behavioural checks while internally pursuing something else, "
            "could give labs and governments a shared reason to slow down. Next.",
            "If alignment turns out to be very hard, a caught-in-the-act example, such as a "
            "model that passes behavioural checks while internally pursuing something else, "
            "could give labs and governments a shared reason to slow down.",
        ),
    ],
)
def test_gloss_is_a_sentence_or_its_main_clause(description: str, expected: str) -> None:
    assert gloss(description) == expected


def test_work_page_ids_follow_the_toc_settings_of_mkdocs_yml() -> None:
    """Work pages make heading ids and permalinks as `toc: permalink: true` does
    (workhtml.HeadingIds, permalink): other toc settings would make other pages."""
    from toi_atlas.read.site import load_site
    from toi_atlas.render.workhtml import extensions

    site = load_site(Path(__file__).parents[1] / "mkdocs.yml")
    names, settings = extensions({"markdown_extensions": list(site.markdown_extensions)})
    assert settings["toc"] == {"permalink": True}
    assert {"attr_list", "pymdownx.details", "pymdownx.superfences"} <= set(names)


def test_bibtex_block_is_highlighted_as_pymdownx_highlights_it() -> None:
    """The fast path (one Pygments formatter for all pages) makes what
    `pymdownx.highlight` makes with mkdocs.yml's (default) settings."""
    from pymdownx.highlight import Highlight

    from toi_atlas.read.site import load_site
    from toi_atlas.render.workhtml import highlight

    site = load_site(Path(__file__).parents[1] / "mkdocs.yml")
    bib = (
        "@misc{x,\n  title = {<script>alert(1)</script> & {Nested} `code`},\n"
        '  note  = {"quoted" \\\\ 50\\% --- ü},\n}\n'
    )
    assert highlight(bib, "bibtex", site) == Highlight(None).highlight(bib.rstrip("\n"), "bibtex")
    assert "<script>" not in highlight(bib, "bibtex", site)


def test_the_fast_search_text_equals_the_parsed_one(tmp_path: Path) -> None:
    """`head_search_text` (a regex pass) must give what the HTML parser gives, hostile
    text and the essay's link included."""
    import json as _json

    from toi_atlas.render.workhtml import head_search_text, search_text

    bib = entry("segerie2023against", title="Against & <Everything>", summary="The essay.")
    bib += entry(
        "hostile2024",
        title="<b>Bold</b> &amp; [x](javascript:y) O'Brien",
        author="O'Brien, <i>Eve</i> and {Doe & Co}",
        summary='A summary naming Against Almost Every Theory. "<script>" & more',
        readingtime="5",
    )
    bib += entry("plain2023", summary="", drop=("summary",))
    root = make_project(tmp_path, {"a.bib": bib})
    assert build(Paths(root)).stats is not None
    heads = []
    for path in sorted(work_sources(root).glob("*.json")):
        body = _json.loads(path.read_text(encoding="utf-8"))["body"]
        cut = body.find("<h2")
        heads.append(body if cut < 0 else body[:cut])
    assert len(heads) == 3
    for head in heads:
        assert head_search_text(head) == search_text(head)
    assert any("&lt;script&gt;" in head_search_text(h) for h in heads)


@pytest.mark.parametrize(
    "here",
    ["", "atlas/", "atlas/works/", "atlas/works/a/", "atlas/toi/x/", "reading/x/", "contributing/"],
)
def test_links_between_folder_urls_are_what_relpath_gives(here: str) -> None:
    import posixpath

    from toi_atlas.render.markdown import _url_rel_from

    for there in ["", "atlas/", "atlas/works/b/", "atlas/works/a/", "atlas/claims/", "reading/y/"]:
        up = posixpath.relpath(there or ".", here or ".")
        assert _url_rel_from(here, there) == ("./" if up == "." else up + "/")
