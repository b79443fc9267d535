"""The corpus in bib/ is a product too: it must pass the checker with nothing to report,
build into a site with a page per entry, and keep its reading lists and conventions.

These are the only tests that read bib/ (through `real_corpus`, `real_site`,
`real_generated`); every code test runs on the fixture corpus."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, bib_keys, reading_list_shows_times
from toi_atlas.diagnostics import format_text
from toi_atlas.entries import newentry
from toi_atlas.model.corpus import latex_to_unicode
from toi_atlas.net import sources
from toi_atlas.pipeline import Paths, load_and_check
from toi_atlas.render.markdown import md_escape
from toi_atlas.wording import long_date


def test_real_corpus_is_clean_and_balanced() -> None:
    result = load_and_check(Paths(ROOT), balance=True)
    assert [format_text(d) for d in result.diagnostics] == []
    assert result.corpus is not None
    assert len(result.corpus.works) == result.entries_read


def test_every_work_has_a_short_summary_and_a_date() -> None:
    corpus = load_and_check(Paths(ROOT)).corpus
    assert corpus is not None
    for work in corpus.works.values():
        assert 40 <= len(work.summary) <= 800, work.key
        assert work.added is not None, work.key


def test_every_theory_of_impact_and_end_story_opens_with_its_thesis(real_generated) -> None:
    corpus = load_and_check(Paths(ROOT))
    assert corpus.corpus is not None
    tax = corpus.corpus.taxonomy
    theses = {c.thesis: c for c in corpus.claims if c.thesis}
    topics = [*tax.tois.values(), *tax.endstories.values()]
    assert set(theses) == {t.id for t in topics}
    for term in topics:
        page = (real_generated / term.kind / f"{term.id}.md").read_text(encoding="utf-8")
        first_section = page[page.index("\n## ") :].split("\n", 2)[1]
        thesis = theses[term.id]
        assert first_section == f"## {md_escape(thesis.gist)} {{ #{thesis.anchor} }}"


# --- Edges: a work names its target ---------------------------------------------------
# An edge (rebuts, supports, extends, replies to) says that the work itself names, cites or
# answers its target; our reading that a result bears on the essay goes on a claim in
# bib/claims.yaml. Every edge from a post-2022 work to the essay is listed here with where
# the work names it, so a new one has to be checked before it can be added.
ESSAY = "segerie2023against"
ANSWERS_TO_THE_ESSAY = {
    # Transcript of a moderated debate (23 September 2023) in which the essay's author
    # defends the essay against Lucius Bushnaq on deception audits, enumeration and
    # reverse engineering: the essay is its subject (see the entry's summary and note).
    ("segerie2023charbelraphael", "repliesto"),
}


def test_every_later_edge_to_the_essay_is_a_verified_answer(real_corpus) -> None:
    found = {
        (work.key, edge.type)
        for work in real_corpus.works.values()
        for edge in work.edges
        if edge.target == ESSAY and (work.year or 0) > 2022
    }
    assert found == ANSWERS_TO_THE_ESSAY


def test_no_edge_points_at_a_later_work(real_corpus) -> None:
    from toi_atlas.check.validate import check_edge_order

    assert sum(len(w.edges) for w in real_corpus.works.values()) > 100
    assert [d.message for d in check_edge_order(real_corpus)] == []


# --- Metadata conventions -------------------------------------------------------------
# Entries whose full author list could not yet be confirmed against a source: each still
# ends in `and others`. Remove a key once its list is complete (the test fails until then).
AUTHORS_NOT_CONFIRMED = {
    "redwood2022takeaways",  # the forum post's co-author list not found in a stored copy
}


def test_author_lists_are_complete_except_unconfirmed(real_corpus) -> None:
    cut_short = {
        w.key
        for w in real_corpus.works.values()
        if w.more_authors or re.search(r"\band\s+others\b|\bet al\b", w.raw.get("author") or "")
    }
    assert cut_short == AUTHORS_NOT_CONFIRMED


def _venue_names(howpublished: str) -> list[str]:
    found = [(howpublished.find(name), host) for name, host in FORUMS if name in howpublished]
    return [host for _, host in sorted(found)]


FORUMS = (("LessWrong", "lesswrong.com"), ("Alignment Forum", "alignmentforum.org"))


def test_forum_venue_agrees_with_url_host(real_corpus) -> None:
    checked = 0
    for work in real_corpus.works.values():
        venue = " ".join((work.raw.get("howpublished") or "").split())
        host = (urlsplit(work.url or "").hostname or "").removeprefix("www.")
        named = _venue_names(venue)
        on_forum = [h for _, h in FORUMS if host == h]
        if "cross-posted" in venue:
            # a post on both names the venue of its URL first
            assert named[:1] == on_forum, work.key
        else:
            assert named == on_forum, work.key
        checked += bool(named or on_forum)
    assert checked > 50


# Posts and comments whose month has not been confirmed from the post page yet. Remove a
# key once its `month` (and `date`) are added from a source (the test fails until then).
MONTH_NOT_CONFIRMED = {
    "barnett2023comment",
    "bensinger2022thoughts",
    "branwen2016why",
    "burns2022how",
    "casper2022avoiding",
    "casper2023eisiii",
    "chan2022causal",
    "christiano2019worstcase",
    "davidw2023deceptive",
    "dixonluinenburg2022what",
    "habryka2023shutting",
    "hobbhahn2022defenders",
    "hobbhahn2023should",
    "hubinger2022ai",
    "hubinger2022how",
    "hubinger2022monitoring",
    "hubinger2023model",
    "jermyn2022conditioning",
    "karnofsky2022highlevel",
    "kenton2022threat",
    "kross2023why",
    "leventov2023ai",
    "mauricio2022ai",
    "nanda2022longlist",
    "nanda2023actually",
    "ngo2023agi",
    "nostalgebraist2020interpreting",
    "raymondd2022comment",
    "ricg2023agi",
    "roger2023translucent",
    "roger2023what",
    "rumbelow2023solidgoldmagikarp",
    "salle2023ai",
    "segerie2023charbelraphael",
    "segerie2023task",
    "shah2022comment",
    "shavit2022speed",
    "soares2022central",
    "soares2022note",
    "soares2023deep",
    "soares2023if",
    "steiner2022comment",
    "thibodeau2022really",
    "trazzi2022connor",
    "turner2023steering",
    "turner2023understanding",
    "wentworth2022godzilla",
    "wentworth2022how",
    "yudkowsky2009purchase",
}


def test_every_post_and_comment_has_a_month_except_unconfirmed(real_corpus) -> None:
    undated = {
        w.key
        for w in real_corpus.works.values()
        if w.kind in ("post", "comment") and w.month is None
    }
    assert undated == MONTH_NOT_CONFIRMED


# --- Reading lists ----------------------------------------------------------------------


def test_every_reading_list_shows_when_it_was_last_reviewed(real_generated) -> None:
    result = load_and_check(Paths(ROOT))
    assert result.reading_lists
    for rl in result.reading_lists:
        assert rl.reviewed is not None, rl.id
        snippet = (real_generated / "reading" / f"{rl.id}.md.txt").read_text(encoding="utf-8")
        assert f"Last reviewed {long_date(rl.reviewed)}" in snippet, rl.id


def test_start_here_ends_with_the_essay_outside_its_half_hour(real_generated) -> None:
    result = load_and_check(Paths(ROOT))
    assert result.corpus is not None
    start = next(rl for rl in result.reading_lists if rl.id == "start-here")
    assert [i.key for i in start.then] == [ESSAY]
    path_minutes = sum(result.corpus.works[i.key].readingtime or 0 for i in start.items)
    assert path_minutes <= 35
    snippet = (real_generated / "reading" / "start-here.md.txt").read_text(encoding="utf-8")
    assert f"about {path_minutes} minutes" in snippet
    then = snippet.index("toi-reading-then")
    assert snippet.index(f"works/{ESSAY}/") > then


def test_most_corpus_keys_are_reproduced() -> None:
    """The key rule was read off the corpus, so it must give most existing keys back."""
    corpus = load_and_check(Paths(ROOT)).corpus
    assert corpus is not None
    tried = same = 0
    for work in corpus.works.values():
        people = work.raw.persons.get("author") or []
        if not people or work.year is None or str(people[0]).startswith("{"):
            continue  # organisations and handles get hand-made keys
        first = people[0]
        name = sources.Name(latex_to_unicode(" ".join(first.last_names)), "")
        record = sources.Record("t", work.title, work.url or "", (name,), work.year)
        tried += 1
        same += re.fullmatch(re.escape(newentry.key_stem(record)) + "[ab]?", work.key) is not None
    assert same >= 0.85 * tried, f"{same} of {tried}"


# --- The real site ----------------------------------------------------------------------


@pytest.mark.site
def test_real_site_builds_strictly_with_a_page_per_entry(real_site: Path) -> None:
    keys = bib_keys(ROOT / "bib")
    assert len(keys) >= 25
    works = real_site / "site" / "atlas" / "works"
    assert {k.lower() for k in keys} == {p.parent.name for p in works.glob("*/index.html")}


@pytest.mark.site
def test_real_reading_lists_take_times_from_entries(real_site: Path) -> None:
    ids = reading_list_shows_times(real_site)
    assert {"start-here", "case-for", "case-against", "microscope"} <= set(ids)


def test_real_graph_export_holds_the_claims(real_generated: Path) -> None:
    import json

    data = json.loads((real_generated / "data" / "graph.json").read_text(encoding="utf-8"))
    assert len(data["claims"]) >= 30


def test_every_real_entry_is_laid_out_as_the_writer_writes_it() -> None:
    from test_fmt import layout_matches_writer
    from toi_atlas.read.load import bib_files

    assert layout_matches_writer(bib_files(ROOT / "bib")) > 0


def test_real_corpus_is_formatted() -> None:
    from test_fmt import run_fmt

    assert run_fmt("--check", "--root", str(ROOT)) == 0
