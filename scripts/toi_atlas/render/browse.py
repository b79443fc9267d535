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

from ..model.corpus import Corpus, Work
from ..read.taxonomy import Taxonomy
from .context import Context
from .markdown import first_sentence, page_script
from .ris import ris_record

PAGE = "browse.md"
DATA = "data/browse.json"
RIS = "data/works.ris.json"  # key -> RIS record, for the "RIS" download of a selection
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


# A facet longer than this shows its first SHORT_FACET values and a "Show all" button
# (no scroll box inside the scrolling page; ticked values stay visible when folded).
LONG_FACET = 12
SHORT_FACET = 8


def _facet_html(facet: str, values: list[tuple[str, str]]) -> list[str]:
    long = len(values) > LONG_FACET
    lines = [
        f'<fieldset class="toi-facet{" toi-folded" if long else ""}" id="toi-facet-{facet}" '
        f'data-facet="{facet}">',
        f"<legend>{LEGENDS[facet]}</legend>",
    ]
    for i, (value, name) in enumerate(values):
        ident = html.escape(f"toi-{facet}-{value}", quote=True)
        extra = " toi-extra" if long and i >= SHORT_FACET else ""
        lines.append(
            f'<div class="toi-option{extra}"><input type="checkbox" id="{ident}" name="{facet}" '
            f'value="{html.escape(value, quote=True)}"><label for="{ident}">'
            f'{html.escape(name)} <span class="toi-count" aria-hidden="true"></span></label></div>'
        )
    if long:
        lines.append(
            f'<button type="button" class="toi-showall" aria-expanded="false" '
            f'aria-controls="toi-facet-{facet}" data-all="Show all {len(values)}" '
            f'data-fewer="Show fewer">Show all {len(values)}</button>'
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


_HELP = (
    '<details class="toi-help"><summary>How filters combine</summary>'
    "<p>Within one group, values combine with <strong>OR</strong> (a work matches if it "
    "has any of them); across groups they combine with <strong>AND</strong>. Once you pick "
    "a theory of impact, end story or agenda, the stance filter looks at the stance a work "
    "takes <em>on those topics</em>, and each result shows that stance beside the topic. "
    "The number beside each value is how many works you would get by adding it. Every "
    "choice is kept in the address bar, so a filtered view can be bookmarked and shared.</p>"
    "</details>"
)


def _form(corpus: Corpus) -> list[str]:
    """The filter form: on wide screens a column beside the results, on phones the
    content of a sheet that browse.js opens over them."""
    years = [w.year for w in corpus.works.values() if w.year]
    low, high = (min(years), max(years)) if years else (1900, 2100)
    facets = facet_values(corpus.taxonomy)
    lines = [
        '<form class="toi-facets" id="toi-form" role="search" aria-label="Filter works">',
        _HELP,
        '<div class="toi-field"><label for="toi-q">Search titles, authors and summaries</label>',
        '<input type="search" id="toi-q" name="text" autocomplete="off"></div>',
        '<fieldset class="toi-facet toi-years"><legend>Year</legend>',
        f'<span class="toi-pair"><label for="toi-from">From</label> <input type="number" '
        f'id="toi-from" name="from" min="{low}" max="{high}" placeholder="{low}" '
        'inputmode="numeric"></span>',
        f'<span class="toi-pair"><label for="toi-to">to</label> <input type="number" '
        f'id="toi-to" name="to" min="{low}" max="{high}" placeholder="{high}" '
        'inputmode="numeric"></span>',
        "</fieldset>",
    ]
    for facet in FACETS:
        lines += _facet_html(facet, facets[facet])
    lines += [
        '<p class="toi-reset"><button type="button" class="md-button" id="toi-reset">'
        "Clear all filters</button></p>",
        "</form>",
    ]
    return lines


def _results() -> list[str]:
    """Status, sort, active filters, export and the list of works."""
    return [
        '<div class="toi-main">',
        '<div class="toi-bar">',
        '<button type="button" class="md-button toi-open" id="toi-open" aria-haspopup="dialog" '
        'aria-controls="toi-sheet">Filters<span class="toi-badge" id="toi-open-count" hidden>'
        "</span></button>",
        '<p id="toi-status" role="status" aria-live="polite" tabindex="-1">Loading the works…</p>',
        '<span class="toi-pair toi-sort"><label for="toi-sort">Sort</label> '
        '<select id="toi-sort" name="sort" form="toi-form">',
        *[f'<option value="{k}">{v}</option>' for k, v in SORTS.items()],
        "</select></span>",
        "</div>",
        '<div class="toi-active" id="toi-active" hidden>',
        # role="list": Safari drops the list role of a <ul> styled without bullets.
        '<ul class="toi-active-list" id="toi-active-list" role="list" '
        'aria-label="Active filters"></ul>',
        '<button type="button" class="toi-clear" id="toi-clear">Clear all</button>',
        "</div>",
        '<div class="toi-export" role="group" aria-labelledby="toi-export-label">',
        '<span id="toi-export-label">Download</span>',
        '<button type="button" class="md-button" id="toi-download">BibTeX</button>',
        '<button type="button" class="md-button" id="toi-ris">RIS</button>',
        '<button type="button" class="md-button" id="toi-csl">CSL-JSON</button>',
        '<button type="button" class="md-button" id="toi-copy">Copy keys</button>',
        '<span class="toi-pair"><input type="checkbox" id="toi-keep"> <label for="toi-keep">'
        "BibTeX with ToI Atlas fields</label></span>",
        "</div>",
        '<ol class="toi-results" id="toi-results"></ol>',
        '<p><button type="button" class="md-button" id="toi-more" hidden>Show more</button></p>',
        "</div>",
    ]


def render_page(corpus: Corpus) -> str:
    browser = [
        _LEGACY_QUERY,
        '<div class="toi-browse" id="toi-browse" markdown="0">',
        # Wide screens: the form is a column left of the results, first in the page (and
        # in keyboard order). Phones: that column is hidden, the results come first and
        # browse.js moves the form into the sheet while the "Filters" button holds it open.
        '<div class="toi-side" id="toi-side">',
        '<a class="toi-skip" href="#toi-status">Skip to the results</a>',
        *_form(corpus),
        "</div>",
        '<dialog class="toi-sheet" id="toi-sheet" aria-labelledby="toi-sheet-title">',
        '<div class="toi-sheet-head"><h2 id="toi-sheet-title">Filters</h2>',
        '<button type="button" class="md-button md-button--primary" id="toi-done">'
        "Show results</button></div>",
        "</dialog>",
        *_results(),
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
            '<noscript><p class="toi-nojs"><strong>This page needs JavaScript to filter.</strong> '
            "The lists linked below work without it.</p>"
            "<style>.toi-browse{display:none}</style></noscript>",
            "",
            *browser,
            "",
            "Prefer plain lists? [All works by year](works/index.md){ #toi-works-link }, "
            "[theories of impact](toi/index.md), [end stories](endstory/index.md), "
            "[agendas](agenda/index.md), [stances](stance/index.md). "
            "The data behind this page: [browse.json](data/browse.json){ #toi-browse-data }, "
            "[all.bib](data/all.bib){ #toi-allbib }, "
            "[all-clean.bib](data/all-clean.bib){ #toi-cleanbib }, "
            "[works.csl.json](data/works.csl.json){ #toi-csljson }, "
            "[works.ris.json](data/works.ris.json){ #toi-risjson } (one RIS record per key).",
            "",
            page_script("../javascripts/browse.js", "toi-browse-script"),
            "",
        ]
    )


def render(ctx: Context) -> dict[str, str]:
    corpus = ctx.corpus
    data = json.dumps(browse_data(corpus), ensure_ascii=False, separators=(",", ":"))
    ris = {w.key: ris_record(w) for w in corpus.works.values()}
    return {
        PAGE: render_page(corpus),
        DATA: data + "\n",
        RIS: json.dumps(ris, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n",
    }
