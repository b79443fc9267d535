"""The browse page: facet controls rendered here, filtering done by docs/javascripts/browse.js.

The page is plain Markdown plus HTML form controls, so the facets exist (with labels,
keyboard access and no layout jump) before any script runs; the script only fills in
counts and results. `data/browse.json` holds just what a result line and the facets
need (one-line summary, not the full one), so it stays small at 10,000 works.
"""

from __future__ import annotations

import html
import json
from typing import Any

from ..model import Corpus, Work
from ..taxonomy import Taxonomy
from .context import Context
from .markdown import first_sentence, page_script

PAGE = "browse.md"
DATA = "data/browse.json"
# URL parameter -> taxonomy section; the order is the order of the facets on the page.
FACETS: dict[str, str] = {
    "endstory": "endstories",
    "toi": "tois",
    "stance": "stances",
    "agenda": "agendas",
    "edge": "edgetypes",
    "kind": "kinds",
}
LEGENDS = {
    "endstory": "End story",
    "toi": "Theory of impact",
    "stance": "Stance",
    "agenda": "Agenda",
    "edge": "Connections",
    "kind": "Kind",
}
TAG_FACET = {"tois": "toi", "endstories": "endstory", "agendas": "agenda"}
SORTS = {
    "year-desc": "Newest first",
    "year-asc": "Oldest first",
    "title": "Title (A-Z)",
    "connections": "Most connected",
}


def browse_url(from_page: str, facet: str, value: str) -> str:
    """Relative link to the browse page pre-filtered on one value (MkDocs keeps the query)."""
    depth = from_page.count("/")
    return "../" * depth + f"{PAGE}?{facet}={value}"


def facet_values(tax: Taxonomy) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for facet, section in FACETS.items():
        if facet == "edge":
            out[facet] = [
                v
                for t in tax.edgetypes.values()
                for v in ((t.id, f"{t.name} a work"), (f"{t.id}-by", f"{t.inverse or t.id} a work"))
            ]
        elif facet == "stance":
            out[facet] = [
                (t.id, f"{t.symbol or ''} {t.name}".strip()) for t in tax.stances.values()
            ]
        else:
            out[facet] = [(t.id, t.name) for t in tax.section(section).values()]
    return out


def _work_values(work: Work, corpus: Corpus) -> dict[str, set[str]]:
    by_field = {"endstory": "endstories", "toi": "tois", "agenda": "agendas"}
    values: dict[str, set[str]] = {
        facet: {t.topic for t in work.tags if t.field == field} for facet, field in by_field.items()
    }
    values["stance"] = {t.stance for t in work.tags if t.stance}
    values["kind"] = {work.kind}
    edges = {e.type for e in work.edges if e.target in corpus.works}
    edges |= {f"{e.type}-by" for e in corpus.incoming.get(work.key, []) if e.source in corpus.works}
    values["edge"] = edges
    return values


def browse_data(corpus: Corpus) -> dict[str, Any]:
    facets = facet_values(corpus.taxonomy)
    index = {f: {v: i for i, (v, _) in enumerate(vals)} for f, vals in facets.items()}
    works = []
    for w in corpus.sorted_works():
        values = _work_values(w, corpus)
        connections = len(w.edges) + len(corpus.incoming.get(w.key, []))
        works.append(
            {
                "k": w.key,
                "p": w.slug,
                "t": w.title or w.key,
                "a": w.author_line,
                "y": w.year,
                "s": first_sentence(w.summary) if w.summary else "",
                "n": connections,
                # facet -> sorted value indices; unknown ids (already reported) are skipped
                "f": {
                    f: sorted(index[f][v] for v in vs if v in index[f])
                    for f, vs in values.items()
                    if vs
                },
                # [facet, value index, stance index] per topic tag: with topics selected,
                # the stance filter looks at the stance on those topics only.
                "ts": [
                    [
                        TAG_FACET[t.field],
                        index[TAG_FACET[t.field]][t.topic],
                        index["stance"][t.stance],
                    ]
                    for t in w.tags
                    if t.topic in index[TAG_FACET[t.field]] and t.stance in index["stance"]
                ],
            }
        )
    return {
        "version": 1,
        "facets": {f: [[v, name] for v, name in vals] for f, vals in facets.items()},
        "works": works,
    }


def _facet_html(facet: str, values: list[tuple[str, str]]) -> list[str]:
    lines = [
        f'<fieldset class="toi-facet" data-facet="{facet}">',
        f"<legend>{LEGENDS[facet]}</legend>",
    ]
    for value, name in values:
        ident = html.escape(f"toi-{facet}-{value}", quote=True)
        lines.append(
            f'<div class="toi-option"><input type="checkbox" id="{ident}" name="{facet}" '
            f'value="{html.escape(value, quote=True)}"><label for="{ident}">'
            f'{html.escape(name)} <span class="toi-count" aria-hidden="true"></span></label></div>'
        )
    lines.append("</fieldset>")
    return lines


# The text search lives in `?text=`: Material's own search dialog opens over the page
# when the address holds `?q=`. Older links (and bookmarks) with `q=` still work: this
# runs where it stands in the page, before Material's script at the end of <body>
# reads the address, and moves `q` to `text` without a new history entry.
_LEGACY_QUERY = (
    "<script>(function () {"
    " var p = new URLSearchParams(location.search);"
    ' if (!p.has("q")) return;'
    ' if (!p.has("text")) p.set("text", p.get("q"));'
    ' p.delete("q");'
    " var s = p.toString();"
    ' var url = location.pathname + (s ? "?" + s : "") + location.hash;'
    ' history.replaceState(history.state, "", url);'
    " })();</script>"
)


def render_page(corpus: Corpus) -> str:
    years = [w.year for w in corpus.works.values() if w.year]
    low, high = (min(years), max(years)) if years else (1900, 2100)
    facets = facet_values(corpus.taxonomy)
    form = [
        _LEGACY_QUERY,
        '<div class="toi-browse" id="toi-browse" markdown="0">',
        '<details class="toi-panel" open><summary>Filters</summary>',
        '<form class="toi-facets" id="toi-form" role="search" aria-label="Filter works">',
        '<div class="toi-field"><label for="toi-q">Search titles, authors and summaries</label>',
        '<input type="search" id="toi-q" name="text" autocomplete="off"></div>',
        '<fieldset class="toi-facet toi-years"><legend>Year</legend>',
        f'<label for="toi-from">From</label> <input type="number" id="toi-from" name="from" '
        f'min="{low}" max="{high}" placeholder="{low}" inputmode="numeric">',
        f'<label for="toi-to">to</label> <input type="number" id="toi-to" name="to" '
        f'min="{low}" max="{high}" placeholder="{high}" inputmode="numeric">',
        "</fieldset>",
    ]
    for facet in FACETS:
        form += _facet_html(facet, facets[facet])
    form += [
        '<p class="toi-reset"><button type="reset" class="md-button">'
        "Clear all filters</button></p>",
        "</form></details>",
        '<div class="toi-main">',
        '<div class="toi-bar">',
        '<p id="toi-status" role="status" aria-live="polite">Loading the works…</p>',
        '<label for="toi-sort">Sort</label> <select id="toi-sort" name="sort" form="toi-form">',
        *[f'<option value="{k}">{v}</option>' for k, v in SORTS.items()],
        "</select>",
        "</div>",
        '<div class="toi-export">',
        '<button type="button" class="md-button" id="toi-download">Download BibTeX</button>',
        '<input type="checkbox" id="toi-keep"> <label for="toi-keep">keep ToI Atlas fields '
        "(tags, edges, summary)</label>",
        '<button type="button" class="md-button" id="toi-copy">Copy keys</button>',
        "</div>",
        '<ol class="toi-results" id="toi-results"></ol>',
        '<p><button type="button" class="md-button" id="toi-more" hidden>Show more</button></p>',
        "</div>",
        "</div>",
    ]
    return "\n".join(
        [
            "---",
            "title: Browse and filter works",
            "description: Filter every work in ToI Atlas by end story, theory of impact, "
            "stance, agenda, connections, kind and year.",
            "hide:",
            "  - toc",
            "---",
            "",
            "# Browse and filter works",
            "",
            "Tick values to narrow the list. Within one group, values combine with **OR** "
            "(a work matches if it has any of them); across groups they combine with **AND**. "
            "Once you pick a theory of impact, end story or agenda, the stance filter looks at "
            "the stance a work takes *on those topics*. "
            "The number beside each value is how many works you would get by adding it. "
            "Every choice is kept in the address bar, so a filtered view can be bookmarked "
            "and shared.",
            "",
            '<noscript><p class="toi-nojs"><strong>This page needs JavaScript to filter.</strong> '
            "The lists linked below work without it.</p>"
            "<style>.toi-browse{display:none}</style></noscript>",
            "",
            "Prefer plain lists? [All works by year](works/index.md){ #toi-works-link }, "
            "[theories of impact](toi/index.md), [end stories](endstory/index.md), "
            "[agendas](agenda/index.md), [stances](stance/index.md). "
            "The data behind this page: [browse.json](data/browse.json){ #toi-browse-data }, "
            "[all.bib](data/all.bib){ #toi-allbib }, "
            "[all-clean.bib](data/all-clean.bib){ #toi-cleanbib }.",
            "",
            *form,
            page_script("../javascripts/browse.js", "toi-browse-script"),
            "",
        ]
    )


def render(ctx: Context) -> dict[str, str]:
    corpus = ctx.corpus
    data = json.dumps(browse_data(corpus), ensure_ascii=False, separators=(",", ":"))
    return {PAGE: render_page(corpus), DATA: data + "\n"}
