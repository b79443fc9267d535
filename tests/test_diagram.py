"""The debate diagram's geometry and labels, and the graph page's layout and data,
checked on the generated SVG and JSON (the browser checks are in test_graph_page.py)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import HUB, build_site, entry, make_fixture_project, make_project
from toi_atlas.model.debate import build_debate
from toi_atlas.pipeline import Paths, load_and_check
from toi_atlas.render.diagram import NARROW, WIDE, render_svg
from toi_atlas.render.labels import distinct_labels, short_label, text_width, wrap

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
Rect = tuple[float, float, float, float]


def _drawings(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(f"<root>{svg}</root>"))


def _label(a: ET.Element) -> str:
    text = a.find(f"{SVG}text")
    assert text is not None
    return " ".join(t.text or "" for t in text.iter(f"{SVG}tspan"))


def _rects(svg: ET.Element) -> list[Rect]:
    return [
        (
            float(r.get("x", 0)),
            float(r.get("y", 0)),
            float(r.get("width", 0)),
            float(r.get("height", 0)),
        )
        for r in svg.iter(f"{SVG}rect")
    ]


def _samples(d: str) -> list[tuple[float, float]]:
    """Points along an `M x,y C x,y x,y x,y` path."""
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    (x0, y0, x1, y1, x2, y2, x3, y3) = nums
    out = []
    for i in range(101):
        t = i / 100
        a, b, c, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        out.append((a * x0 + b * x1 + c * x2 + e * x3, a * y0 + b * y1 + c * y2 + e * y3))
    return out


def _inside(p: tuple[float, float], r: Rect, margin: float = 1.0) -> bool:
    x, y, w, h = r
    return x + margin < p[0] < x + w - margin and y + margin < p[1] < y + h - margin


@pytest.fixture(scope="module")
def corpus(fixture_corpus):
    """The fixture corpus (never bib/): 160 works, a debate on every topic."""
    return fixture_corpus


def _svgs(corpus) -> dict[str, str]:
    out = {}
    for term in corpus.taxonomy.all_topics():
        svg = render_svg(build_debate(term.id, corpus), term.name, "../../works/")
        if svg:
            out[term.id] = svg
    return out


def test_every_topic_has_a_wide_and_a_narrow_drawing(corpus) -> None:
    svgs = _svgs(corpus)
    assert len(svgs) >= 20
    for topic, svg in svgs.items():
        layouts = [d.get("data-layout") for d in _drawings(svg)]
        assert layouts == ["wide", "narrow"], topic


def test_no_label_repeats_within_a_drawing(corpus) -> None:
    for topic, svg in _svgs(corpus).items():
        for drawing in _drawings(svg):
            labels = [_label(a) for a in drawing.iter(f"{SVG}a")]
            assert len(labels) == len(set(labels)), (topic, sorted(labels))


def test_no_label_is_cut_without_its_full_text_in_the_title(corpus) -> None:
    by_href = {f"../../works/{w.slug}/": w for w in corpus.works.values()}
    shortened = 0
    for svg in _svgs(corpus).values():
        for drawing in _drawings(svg):
            for a in drawing.iter(f"{SVG}a"):
                work = by_href[a.get(XLINK, "")]
                title = a.findtext(f"{SVG}title") or ""
                shown = _label(a)
                full, _, rest = title.partition(" — ")
                assert full.startswith(work.credit) and rest.startswith(work.title)
                if shown != full:
                    shortened += 1
                    assert shown.endswith("…") and full.startswith(shown[:-1].rstrip(" ·,")), shown
    # Wrapping, not cutting, is the rule; the fixture's consortium report is too long.
    assert 0 < shortened < 10


def test_edges_run_between_the_columns_and_never_through_a_box(corpus) -> None:
    for topic, svg in _svgs(corpus).items():
        for drawing, geo in zip(_drawings(svg), (WIDE, NARROW), strict=True):
            boxes = [r for r in _rects(drawing)]
            left = [r for r in boxes if r[0] < geo.width / 2]
            right = [r for r in boxes if r[0] >= geo.width / 2]
            if left and right:
                gap = min(r[0] for r in right) - max(r[0] + r[2] for r in left)
                assert gap >= (150 if geo is WIDE else 60), (topic, gap)
            for path in drawing.iter(f"{SVG}path"):
                if "toi-dg-edge" not in (path.get("class") or ""):
                    continue
                points = _samples(path.get("d", ""))
                for p in points[3:-3]:  # leave the two ends, which touch their boxes
                    hit = [r for r in boxes if _inside(p, r)]
                    assert not hit, (topic, geo.name, path.findtext(f"{SVG}title"), p)
                assert all(0 <= x <= geo.width for x, _ in points), (topic, geo.name)


CASPER = (
    entry("old2020", author="Olah, Chris", year="2020", tois="auditing:advocates")
    + entry(
        "casper2023a",
        author="Casper, Stephen",
        title="The Engineer's Interpretability Sequence",
        tois="auditing:critiques",
        rebuts="old2020@auditing",
    )
    + entry(
        "casper2023b",
        author="Casper, Stephen",
        title="EIS VI: Critiques of Mechanistic Interpretability Work",
        tois="auditing:critiques",
        rebuts="old2020@auditing",
    )
)


def test_two_works_with_one_credit_get_title_words(tmp_path: Path) -> None:
    result = load_and_check(Paths(make_project(tmp_path, {"c.bib": CASPER})))
    assert result.corpus is not None
    svg = render_svg(build_debate("auditing", result.corpus), "Auditing", "../../works/")
    for drawing in _drawings(svg):
        labels = sorted(_label(a) for a in drawing.iter(f"{SVG}a"))
        assert labels == ["Casper 2023 · EIS", "Casper 2023 · Engineer's", "Olah 2020"]


def test_credits_fall_back_to_letters_when_titles_cannot_tell(corpus) -> None:
    works = [corpus.works[HUB]]
    twin = works[0].__class__(**{**works[0].__dict__, "key": "twin", "slug": "twin"})
    labels = distinct_labels([works[0], twin])
    assert sorted(labels.values()) == ["Ravensworth 2022 · a", "Ravensworth 2022 · b"]


@pytest.mark.parametrize(
    ("label", "kept"),
    [
        ("Anthropic Interpretability Team 2023 · July", "2023 · July"),
        ("Meta Fundamental AI Research Diplomacy Team (FAIR) et al. 2022", "2022"),
    ],
)
def test_short_labels_keep_the_year_and_the_title_word(label: str, kept: str) -> None:
    short = short_label(label, 150, 12)
    assert short.endswith(kept) and "…" in short
    assert text_width(short, 12) <= 150
    assert short_label("Olah 2020", 150, 12) == "Olah 2020"


def test_a_long_title_word_is_cut_rather_than_dropped() -> None:
    short = short_label("Andersson et al. 2025 · Greater-Than", 170, 12)
    assert short.startswith("Anders") and " 2025 · Gr" in short and short.endswith("…")
    assert text_width(short, 12) <= 170


def test_wrap_fills_lines_and_cuts_only_the_last() -> None:
    lines = wrap("Anthropic Interpretability Team 2023 · July", 120, 12, 3)
    assert " ".join(lines) == "Anthropic Interpretability Team 2023 · July"
    assert all(text_width(line, 12) <= 120 for line in lines)
    cut = wrap("one two three four five six seven eight nine ten", 60, 12, 2)
    assert len(cut) == 2 and cut[-1].endswith("…") and "…" not in cut[0]


# --- the graph page's data ----------------------------------------------------------------


def test_graph_view_places_every_work_apart_in_its_year_and_band(
    fixture_site: Path, corpus
) -> None:
    from toi_atlas.model.corpus import main_stance

    generated = fixture_site / "docs" / "atlas"

    view = json.loads((generated / "data" / "graph-view.json").read_text(encoding="utf-8"))
    text = json.loads((generated / "data" / "graph-text.json").read_text(encoding="utf-8"))
    nodes = view["nodes"]
    assert [n["id"] for n in nodes] == [w.key for w in corpus.sorted_works()]
    assert text["summaries"] == [w.summary for w in corpus.sorted_works()]
    assert not any("summary" in n for n in nodes)  # the first paint does without them
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)
    years = {y: (x0, x1) for y, x0, x1 in view["years"]}
    bands = {s: (y0, y1) for s, y0, y1 in view["bands"]}
    assert list(years) == sorted(years)
    for n in nodes:
        x0, x1 = years[n["year"] or 0]
        y0, y1 = bands[n["stance"]]
        assert x0 <= n["x"] <= x1 and y0 <= n["y"] <= y1, n["id"]
        assert n["stance"] == main_stance(corpus.works[n["id"]])
    assert len({n["label"] for n in nodes}) == len(nodes)
    edges = sum(1 for w in corpus.works.values() for e in w.edges if e.target in corpus.works)
    assert len(view["edges"]) == edges
    w, h = view["size"]
    assert 1 <= w / h <= 2.2  # roughly the shape of the box it is drawn in
    graph = json.loads((generated / "data" / "graph.json").read_text(encoding="utf-8"))
    assert {n["id"]: (n["x"], n["y"]) for n in graph["nodes"]} == {
        n["id"]: (n["x"], n["y"]) for n in nodes
    }


@pytest.mark.site
def test_zensical_site_finds_the_graph_script_and_the_diagram_pages(tmp_path: Path) -> None:
    """Zensical rewrites relative URLs in raw HTML, MkDocs does not (the browser tests
    load the MkDocs site): the graph script and the diagram's links resolve in both."""
    project = make_fixture_project(tmp_path)
    site = build_site(project, "zensical").resolve()
    graph = site / "atlas" / "graph" / "index.html"
    link = re.search(r'<a [^>]*id="toi-graph-script"[^>]*>', graph.read_text(encoding="utf-8"))
    assert link is not None
    href = re.search(r'href="([^"]+)"', link.group())
    assert href is not None
    assert (graph.parent / href.group(1)).resolve() == site / "javascripts" / "graph.js"
    topic = site / "atlas" / "endstory" / "enumerative-safety" / "index.html"
    hrefs = re.findall(r'xlink:href="([^"]+)"', topic.read_text(encoding="utf-8"))
    assert len(hrefs) >= 20
    for h in hrefs:
        target = (topic.parent / h / "index.html").resolve()
        assert target.is_file() and target.is_relative_to(site / "atlas" / "works"), h


TITLE_WORDS = ["Circuits", "circuits", "May", "the", "Sparse", "sparse", "Probes", "of", "AI"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(TITLE_WORDS), max_size=4), min_size=2, max_size=6))
def test_title_words_tell_apart_works_that_share_a_credit(corpus, titles) -> None:
    """A work's label word is the first of its title that no other title of the group
    holds (a stop word only when nothing else is left), else every work gets a letter."""
    hub = corpus.works[HUB]
    works = [
        hub.__class__(**{**hub.__dict__, "key": f"w{i}", "slug": f"w{i}", "title": " ".join(t)})
        for i, t in enumerate(titles)
    ]
    group = sorted(works, key=lambda w: (w.title.lower(), w.key))
    expected = []
    for w in group:
        taken = {x.lower() for o in group if o is not w for x in o.title.split()}
        own = [x for x in w.title.split() if x.lower() not in taken]
        plain = [x for x in own if x.lower() not in ("may", "the", "of")]
        best = ([x for x in plain if len(x) >= 3] or plain or own or [""])[0]
        expected.append(best[:1].upper() + best[1:])
    if "" in expected or len({x.lower() for x in expected}) < len(expected):
        expected = [chr(ord("a") + i) for i in range(len(group))]
    labels = distinct_labels(works)
    assert [labels[w.key] for w in group] == [f"{hub.credit} · {x}" for x in expected]
