"""The index of all works, the home-page figures and the vocabulary reference."""

from __future__ import annotations

from itertools import groupby

from ..diagnostics import CODES
from ..model.corpus import Corpus
from ..read.taxonomy import TOPIC_SECTIONS
from ..wording import counted
from .charts import matrix_chart, year_chart, year_table
from .context import Context
from .htmllists import RAW, raw_list
from .markdown import (
    md_escape,
    stance_label,
    topic_link,
    topic_path,
    url_rel,
    work_link,
    work_path,
)

HOME_SNIPPET = "snippets/home-figures.md.txt"


def render_works_index(corpus: Corpus) -> str:
    tax = corpus.taxonomy
    page = "works/index.md"
    works = corpus.sorted_works()
    lines = [
        "---",
        "title: All works",
        # A list of every title: search should land on the work pages themselves (and
        # at 10,000 works the page exceeds Zensical's search-index limit).
        "search:",
        "  exclude: true",
        "---",
        "",
        "# All works",
        "",
        f"All {counted(len(works), 'work')} in the corpus, newest first. Each links to its page "
        "with the summary, the topics it argues about and its place in the debate.",
        "",
    ]
    order = list(tax.stances)
    for year, group in groupby(works, key=lambda w: w.year):
        items = list(group)
        lines += [f"## {year or 'Undated'} ({len(items)})", ""]
        rows = []
        for w in items:
            kind = tax.kinds.get(w.kind)
            stances = sorted({t.stance for t in w.tags if t.stance in tax.stances}, key=order.index)
            labels = " ".join(stance_label(tax, s) for s in stances)
            who = md_escape(w.author_line) if w.author_line else ""
            line = (
                f'<span class="toi-kind">{md_escape(kind.name if kind else w.kind)}'
                f"</span> {labels} {who}".rstrip()
            )
            rows.append(RAW.item(work_link(w, page, RAW) + RAW.br + line))
        lines += [*raw_list(rows), ""]
    return "\n".join(lines) + "\n"


def render_home_figures(corpus: Corpus) -> str:
    """Figures for the hand-written home page, included with pymdownx.snippets.

    Links are relative to the home page (docs/index.md), which includes this file.
    """
    tax = corpus.taxonomy
    n = len(corpus.works)
    stance_counts = {s: len(corpus.works_with_stance(s)) for s in tax.stances}
    lines = [
        '<div class="toi-figures" markdown>',
        "",
        f"**{counted(n, 'work')}** · **{len(tax.tois)} theories of impact** · "
        f"**{len(tax.endstories)} end stories** · **{len(tax.agendas)} agendas** · "
        f"**{sum(len(w.edges) for w in corpus.works.values())} typed connections**",
        "",
        "By stance (a work counts once per stance it takes): "
        + " · ".join(f"{stance_label(tax, s)} {c}" for s, c in stance_counts.items()),
        "",
        "</div>",
        "",
        "### Works per year",
        "",
        f'<div class="toi-chart-wrap">{year_chart(corpus)}</div>',
        "",
        '??? note "The same numbers as a table"',
        "",
        *("    " + row for row in year_table(corpus)),
        "",
    ]
    for section, label in (("tois", "Theories of impact"), ("endstories", "End stories")):
        facet = "toi" if section == "tois" else "endstory"
        browse = f"atlas/browse/?{facet}="
        terms = sorted(tax.section(section).values(), key=lambda t: t.number or 10_000)
        lines += [
            f"### {label}",
            "",
            # Raw SVG links are not rewritten by the site builder: the home page is
            # served at the site root, so the browse page is at atlas/browse/.
            f'<div class="toi-chart-wrap">{matrix_chart(corpus, terms, label, browse)}</div>',
            "",
            "Each number opens the list of those works on the browse page.",
            "",
            f'??? note "{label}: the same numbers as a table"',
            "",
            f"    | {label} | Works | "
            + " | ".join(stance_label(tax, s) for s in tax.stances)
            + " |",
            "    |---|---:|" + "---:|" * len(tax.stances),
        ]
        for term in terms:
            works = corpus.works_on(term.id)
            # Each count opens the browse page filtered on exactly those works.
            base = f"atlas/browse.md?{facet}={term.id}"
            cells = []
            for st in tax.stances:
                count = sum(1 for _, s in works if s == st)
                cells.append(f"[{count}]({base}&stance={st})" if count else "0")
            link = f"[{md_escape(term.name)}](atlas/{topic_path(term)})"
            lines.append(f"    | {link} | [{len(works)}]({base}) | " + " | ".join(cells) + " |")
        lines.append("")
    latest = sorted(
        (w for w in corpus.works.values() if w.added),
        key=lambda w: (w.added or "", w.key),
        reverse=True,
    )[:8]
    if latest:
        lines += ["### Latest additions", ""]
        for w in latest:
            link = f"[{md_escape(w.title or w.key)}]({url_rel('../index.md', work_path(w))})"
            lines.append(f"- {link} ({w.year or 'n.d.'}), added {md_escape(w.added or '')}")
        lines.append("")
    return "\n".join(lines) + "\n"


def render_reference(corpus: Corpus) -> str:
    """Allowed values and checker codes, generated from the one vocabulary source."""
    tax = corpus.taxonomy
    page = "reference.md"
    lines = [
        "---",
        "title: Allowed values and checker codes",
        "---",
        "",
        "# Allowed values and checker codes",
        "",
        "Generated from `bib/taxonomy.yaml` and the checker's code table, so it is "
        "always current. See the [contributor guide](../contributing.md) for the "
        "field syntax.",
        "",
    ]
    for section in TOPIC_SECTIONS:
        label = {
            "tois": "Theories of impact (`tois`)",
            "endstories": "End stories (`endstories`)",
            "agendas": "Agendas (`agendas`)",
        }[section]
        lines += [f"## {label}", "", "| id | name |", "|---|---|"]
        for term in tax.section(section).values():
            lines.append(f"| `{term.id}` | {topic_link(term, page)} |")
        lines.append("")
    lines += [
        "## Stances (`stance`, or `:stance` after a tag)",
        "",
        "| id | label | when |",
        "|---|---|---|",
    ]
    for term in tax.stances.values():
        lines.append(
            f"| `{term.id}` | {stance_label(tax, term.id)} | {md_escape(term.description)} |"
        )
    lines += [
        "",
        "## Edge types (field names)",
        "",
        "| field | reads as | inverse | CiTO property | meaning |",
        "|---|---|---|---|---|",
    ]
    for term in tax.edgetypes.values():
        lines.append(
            f"| `{term.id}` | {md_escape(term.name)} | {md_escape(term.inverse or '')} "
            f"| `cito:{term.cito}` | {md_escape(term.description)} |"
        )
    lines += ["", "## Kinds (`kind`)", "", "| id | name |", "|---|---|"]
    lines += [f"| `{t.id}` | {md_escape(t.name)} |" for t in tax.kinds.values()]
    lines += [
        "",
        "## Checker codes",
        "",
        "Run `toi-atlas check --explain CODE` for the text below in a terminal.",
        "",
        "| code | severity | problem | what to do |",
        "|---|---|---|---|",
    ]
    for doc in CODES.values():
        lines.append(
            f"| `{doc.code}` | {doc.severity.value} | {md_escape(doc.title)} | "
            f"{md_escape(doc.explanation)} |"
        )
    lines.append("")
    return "\n".join(lines) + "\n"


def render(ctx: Context) -> dict[str, str]:
    corpus = ctx.corpus
    return {
        "works/index.md": render_works_index(corpus),
        HOME_SNIPPET: render_home_figures(corpus),
        "reference.md": render_reference(corpus),
    }
