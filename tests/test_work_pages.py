"""Work pages and topic indexes as generated Markdown, from small fixture corpora:
actions under the title, the debate grouped by topic and folded, the metadata check,
search tags, the essay named at first mention, glosses, listing pages out of search."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import entry, make_project, work_sources
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


def body_lines(page: str) -> list[str]:
    return page.split("---\n", 2)[2].splitlines()


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
    page = (work_sources(generate(tmp_path, {"a.bib": work}).parents[1]) / "doe2023.md").read_text()
    lines = body_lines(page)
    actions = next(i for i, line in enumerate(lines) if 'class="toi-actions"' in line)
    assert lines[actions - 2].startswith('<p class="toi-meta">')
    assert lines[actions + 3] == "{: .toi-summary }"  # the summary right after
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
    assert "## Cite { #cite data-search-exclude }" in lines
    assert any("{ #bibtex .md-button" in line for line in lines)
    assert "## Links" not in page  # the actions replace the old list of links


def test_an_unsafe_url_gets_no_action(tmp_path: Path) -> None:
    from toi_atlas.pipeline import load_and_check
    from toi_atlas.render.context import Context
    from toi_atlas.render.pages import render as render_pages

    bad = entry("doe2023", url="javascript:alert(1)", pdf="https://example.org/p.pdf")
    result = load_and_check(Paths(make_project(tmp_path, {"a.bib": bad})))
    assert result.corpus is not None  # the checker reports the URL; the page stays inert
    page = render_pages(Context(result.corpus))["works/doe2023.md"]
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
    page = (work_sources(atlas.parents[1]) / "hub2022.md").read_text()
    heads = re.findall(r'^(?:\?\?\? toi-group "(.+)"|(.+)\n\{: \.toi-group-head \})$', page, re.M)
    assert [folded or shown for folded, shown in heads] == [
        f"Auditing ({FOLD_AT + 6})",  # long: folded, with its count
        "[Microscope AI](../toi/microscope-ai.md) (3)",  # short: shown, linked
        "[Microscope AI &#40;end story&#41;](../endstory/microscope.md) (1)",
        "Not tied to one topic (1)",
    ]
    # the folded group ends with the link its summary cannot hold
    assert "    [The debate on Auditing](../toi/auditing.md){: .toi-group-link }" in page
    assert page.count("- rebutted by [A Valid Work about critic") == sum(counts.values())
    assert "- supported by [A Valid Work about critic" in page
    assert f"{sum(counts.values()) + 1} connections with other works" in page


def test_short_debate_shows_every_group(tmp_path: Path) -> None:
    atlas = generate(tmp_path, _hub_corpus({"auditing": FOLD_AT + 1}))
    page = (work_sources(atlas.parents[1]) / "hub2022.md").read_text()
    assert "??? toi-group" not in page  # under OPEN_TOTAL lines: nothing folded
    assert f"[Auditing](../toi/auditing.md) ({FOLD_AT + 1})\n{{: .toi-group-head }}" in page


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
    page = (work_sources(atlas.parents[1]) / "hub2022.md").read_text()
    extra = len(topics) - SHOWN_GROUPS
    more = page.index(f'??? toi-group "{extra} more topics ({2 * extra})"')
    nested = re.findall(r"^    \[(.+?)\]\(\.\./toi/[a-z-]+\.md\) \(2\)$", page[more:], re.M)
    assert len(nested) == extra


def test_where_it_stands_is_one_line_per_kind_grouped_by_stance(tmp_path: Path) -> None:
    work = entry(
        "doe2023",
        tois="auditing:critiques, outreach:advocates, coordination:critiques",
        endstories="microscope",
    )
    page = (work_sources(generate(tmp_path, {"a.bib": work}).parents[1]) / "doe2023.md").read_text()
    section = page.split("## Where it stands { data-search-exclude }\n\n", 1)[1].split("\n\n")[0]
    rows = section.splitlines()
    assert len(rows) == 2
    assert rows[0].startswith(
        '- **Theories of impact (3)**: [<span class="toi-stance toi-stance--critiques"'
    )
    assert rows[0].index("(../toi/auditing.md)") < rows[0].index("(../toi/coordination.md)")
    assert rows[0].index("(../toi/coordination.md)") < rows[0].index("toi-stance--advocates")
    assert rows[1].startswith("- **End story**: ")


def test_every_author_is_named_on_the_work_page(tmp_path: Path) -> None:
    authors = " and ".join(f"Person{i}, Given" for i in range(1, 8))
    atlas = generate(tmp_path, {"a.bib": entry("doe2023", author=authors)})
    page = (work_sources(atlas.parents[1]) / "doe2023.md").read_text()
    byline = next(line for line in page.splitlines() if "toi-byline" in line)
    assert all(f"Given Person{i}" in byline for i in range(1, 8)) and "et al." not in byline


def test_metadata_check_is_shown_only_when_recorded(tmp_path: Path) -> None:
    bib = entry(
        "checked2023", checked="2026-12-03: arXiv abstract page; <b>OpenReview</b> page"
    ) + entry("plain2023")
    atlas = generate(tmp_path, {"a.bib": bib})
    checked = (work_sources(atlas.parents[1]) / "checked2023.md").read_text()
    line = next(x for x in checked.splitlines() if "toi-checked" in x)
    assert line == (
        '<p class="toi-dates toi-checked">Metadata checked against arXiv abstract page; '
        "&#60;b&#62;OpenReview&#60;/b&#62; page, 3 December 2026.</p>"
    )
    assert checked.index("Added to the atlas on") < checked.index("toi-checked")
    assert "toi-checked" not in (work_sources(atlas.parents[1]) / "plain2023.md").read_text()


def test_search_tags_name_people_and_boost_central_works(tmp_path: Path) -> None:
    bib = entry(
        "olah2020",
        author="Olah, Chris and {Center for AI Safety} and O'Brien, Eve and {OpenAI} "
        'and Roe, <b>"Ann"</b> &amp;',
        rebuts="lone2021",
    ) + entry("lone2021")
    atlas = generate(tmp_path, {"a.bib": bib})
    front = front_matter((work_sources(atlas.parents[1]) / "olah2020.md").read_text())
    tags = re.findall(r'^  - "(.*)"$', front.split("tags:\n", 1)[1].split("hide:")[0], re.M)
    # people and one-word organisations; an organisation named in words would make its
    # works the first hit for "safety"
    assert tags[:3] == ["Chris Olah", "Eve O\u2019Brien", "OpenAI"] and len(tags) == 4
    assert "Ann" in tags[3] and not re.search("[<>&\"']", tags[3])  # themes print it raw
    assert "hide:\n  - tags\n" in front  # never shown on the page itself
    boosts = {
        key: float(
            re.search(
                r"boost: ([0-9.]+)", (work_sources(atlas.parents[1]) / f"{key}.md").read_text()
            )[1]
        )
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
    link = "[*Against Almost Every Theory of Impact of Interpretability*]"
    page = (work_sources(atlas.parents[1]) / "reply2024.md").read_text()
    assert f"Answers the essay {link}(../segerie2023against/) on auditing." in page
    assert page.count(link) == 1 and "Later the essay is mentioned again." in page
    own = (work_sources(atlas.parents[1]) / "segerie2023against.md").read_text()
    assert link not in own  # its own page does not link to itself
    # topic descriptions say "The essay ..." too: named there, once per page
    topic = (atlas / "toi" / "auditing.md").read_text()
    assert topic.count(f"The essay {link}(../../works/segerie2023against/)") == 1
    index = (atlas / "toi" / "index.md").read_text()
    assert index.count(link + "(../works/segerie2023against/)") == 1


def test_the_essay_stays_plain_words_without_it_in_the_corpus(tmp_path: Path) -> None:
    atlas = generate(tmp_path, {"a.bib": entry("doe2023", summary="Cites the essay. Once.")})
    assert "Cites the essay. Once." in (work_sources(atlas.parents[1]) / "doe2023.md").read_text()
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
