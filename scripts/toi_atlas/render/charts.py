"""Static, accessible SVG charts for the home page, drawn at build time (no script).

Each chart carries its numbers in `data-count` attributes and in a table beside it, so
readers of screen readers (and tests) get the same figures as the picture.
"""

from __future__ import annotations

from html import escape

from ..model.corpus import Corpus, main_stance
from ..read.taxonomy import Term
from ..wording import counted


def works_per_year(corpus: Corpus) -> dict[int, dict[str, int]]:
    """Year -> stance -> number of works (each work counted once, by its main stance)."""
    years = [w.year for w in corpus.works.values() if w.year]
    if not years:
        return {}
    table = {
        y: dict.fromkeys(corpus.taxonomy.stances, 0) for y in range(min(years), max(years) + 1)
    }
    for w in corpus.works.values():
        stance = main_stance(w)
        if w.year and stance in table[w.year]:
            table[w.year][stance] += 1
    return table


def year_chart(corpus: Corpus) -> str:
    """The chart twice: columns of years for wide screens, rows of years for phones.

    CSS shows one of the two. A phone cannot show 20 columns legibly, and a chart wider
    than the screen hides the latest years, which are the point of the chart.
    """
    return _year_columns(corpus) + _year_rows(corpus)


def _year_columns(corpus: Corpus) -> str:
    table = works_per_year(corpus)
    if not table:
        return ""
    stances = list(corpus.taxonomy.stances.values())
    top = max(sum(row.values()) for row in table.values()) or 1
    width, height, left, bottom, pad = 720, 260, 34, 28, 10
    bar_w = (width - left - pad) / len(table)
    scale = (height - bottom - pad) / top
    parts = [
        f'<svg class="toi-chart toi-chart--wide" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="toi-ch-years-t toi-ch-years-d" xmlns="http://www.w3.org/2000/svg">',
        '<title id="toi-ch-years-t">Works per year, stacked by main stance</title>',
        f'<desc id="toi-ch-years-d">{counted(len(corpus.works), "work")} '
        f"from {min(table)} to {max(table)}; "
        "the table below gives every number.</desc>",
    ]
    for tick in _ticks(top):
        y = height - bottom - tick * scale
        parts.append(
            f'<line class="toi-ch-grid" x1="{left}" x2="{width - pad}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="toi-ch-axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{tick}</text>"
        )
    for i, (year, row) in enumerate(table.items()):
        x = left + i * bar_w
        base = float(height - bottom)
        for stance in stances:
            count = row[stance.id]
            if not count:
                continue
            h = count * scale
            base -= h
            parts.append(
                f'<rect class="toi-ch-{stance.id}" x="{x + 1:.1f}" y="{base:.1f}" '
                f'width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" data-year="{year}" '
                f'data-stance="{stance.id}" data-count="{count}">'
                f"<title>{year}: {count} {escape(stance.name.lower())}</title></rect>"
            )
        if len(table) <= 12 or year % 2 == 0:
            parts.append(
                f'<text class="toi-ch-axis" x="{x + bar_w / 2:.1f}" y="{height - 10}" '
                f'text-anchor="middle">{year}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _year_rows(corpus: Corpus) -> str:
    """Years as rows, newest first, bars growing to the right: fits 340 px."""
    table = works_per_year(corpus)
    if not table:
        return ""
    stances = list(corpus.taxonomy.stances.values())
    top = max(sum(row.values()) for row in table.values()) or 1
    width, left, pad, row_h = 340, 40, 26, 16
    height = row_h * len(table) + 8
    scale = (width - left - pad) / top
    parts = [
        f'<svg class="toi-chart toi-chart--narrow" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="toi-ch-yrows-t toi-ch-yrows-d" xmlns="http://www.w3.org/2000/svg">',
        '<title id="toi-ch-yrows-t">Works per year, newest first, stacked by main stance</title>',
        f'<desc id="toi-ch-yrows-d">{counted(len(corpus.works), "work")} '
        f"from {min(table)} to {max(table)}; "
        "the table below gives every number.</desc>",
    ]
    for i, (year, row) in enumerate(sorted(table.items(), reverse=True)):
        y = 4 + i * row_h
        parts.append(
            f'<text class="toi-ch-axis" x="{left - 6}" y="{y + 12}" text-anchor="end">{year}</text>'
        )
        x = float(left)
        for stance in stances:
            count = row[stance.id]
            if not count:
                continue
            w = count * scale
            parts.append(
                f'<rect class="toi-ch-{stance.id}" x="{x:.1f}" y="{y + 2}" width="{w:.1f}" '
                f'height="{row_h - 4}"><title>{year}: {count} '
                f"{escape(stance.name.lower())}</title></rect>"
            )
            x += w
        if total := sum(row.values()):
            parts.append(f'<text class="toi-ch-axis" x="{x + 4:.1f}" y="{y + 12}">{total}</text>')
    parts.append("</svg>")
    return "".join(parts)


def year_table(corpus: Corpus) -> list[str]:
    table = works_per_year(corpus)
    stances = list(corpus.taxonomy.stances.values())
    head = "| Year | " + " | ".join(escape(s.name) for s in stances) + " | All |"
    rows = [
        f"| {year} | " + " | ".join(str(row[s.id]) for s in stances) + f" | {sum(row.values())} |"
        for year, row in table.items()
        if sum(row.values())
    ]
    return [head, "|---:|" + "---:|" * (len(stances) + 1), *rows]


def matrix_chart(corpus: Corpus, terms: list[Term], caption: str, browse: str = "") -> str:
    """Topics x stances as a grid of shaded cells with the count written in each.

    Drawn twice, as the year chart: a wide grid, and a narrow one for phones whose stance
    heads are abbreviated and topic names wrapped, so every column fits 340 px.
    With `browse` (the browse page's URL as seen from the page, ending in '?facet='), each
    non-zero cell links to exactly those works.
    """
    return _matrix(corpus, terms, caption, browse, narrow=False) + _matrix(
        corpus, terms, caption, browse, narrow=True
    )


def _wrap(name: str, width: int) -> list[str]:
    """At most two lines of at most `width` characters; a longer name ends in '…'."""
    lines: list[str] = [""]
    for word in name.split():
        if lines[-1] and len(lines[-1]) + 1 + len(word) > width:
            if len(lines) == 2:
                lines[-1] = lines[-1][: width - 1] + "…"
                break
            lines.append("")
        lines[-1] = f"{lines[-1]} {word}".strip()
    return [line if len(line) <= width else line[: width - 1] + "…" for line in lines]


def _matrix(corpus: Corpus, terms: list[Term], caption: str, browse: str, *, narrow: bool) -> str:
    stances = list(corpus.taxonomy.stances.values())
    if narrow:
        label_w, cell_w, cell_h, head = 150, 38, 30, 30
    else:
        label_w, cell_w, cell_h, head = 260, 86, 22, 30
    width = label_w + cell_w * len(stances)
    height = head + cell_h * len(terms) + 6
    counts = {t.id: corpus.works_on(t.id) for t in terms}
    top = (
        max(
            (sum(1 for _, s in counts[t.id] if s == st.id) for t in terms for st in stances),
            default=1,
        )
        or 1
    )
    ident = (
        "toi-ch-" + "".join(c for c in caption.lower() if c.isalnum()) + ("-n" if narrow else "")
    )
    variant = "toi-chart--narrow" if narrow else "toi-chart--wide"
    parts = [
        f'<svg class="toi-chart toi-matrix {variant}" viewBox="0 0 {width} {height}" '
        f'role="{"group" if browse else "img"}" '
        f'aria-labelledby="{ident}-t" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-t">{escape(caption)}: number of works per stance; '
        "the table below gives the same numbers</title>",
    ]
    for j, st in enumerate(stances):
        short = st.name[:4] if narrow and len(st.name) > 5 else st.name
        parts.append(
            f'<text class="toi-ch-axis" x="{label_w + j * cell_w + cell_w / 2}" y="18" '
            f'text-anchor="middle"><title>{escape(st.name)}</title>'
            f"{escape((st.symbol or '') + ' ' + short)}</text>"
        )
    for i, term in enumerate(terms):
        y = head + i * cell_h
        lines = _wrap(term.name, 24) if narrow else [term.name[:40]]
        first = y + cell_h / 2 + 4 - 6 * (len(lines) - 1)
        spans = "".join(
            f'<tspan x="{label_w - 6}" y="{first + 12 * k:.0f}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        parts.append(
            f'<text class="toi-ch-label" text-anchor="end"><title>{escape(term.name)}</title>'
            f"{spans}</text>"
        )
        for j, st in enumerate(stances):
            count = sum(1 for _, s in counts[term.id] if s == st.id)
            shade = 0.08 + 0.8 * count / top if count else 0
            x = label_w + j * cell_w
            cell = (
                f'<rect class="toi-ch-{st.id}" x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" '
                f'height="{cell_h - 2}" fill-opacity="{shade:.2f}" data-topic="{term.id}" '
                f'data-stance="{st.id}" data-count="{count}"/>'
                f'<text class="toi-ch-cell" x="{x + cell_w / 2}" y="{y + cell_h / 2 + 4:.0f}" '
                f'text-anchor="middle">{count}</text>'
            )
            if browse and count:
                href = escape(f"{browse}{term.id}&stance={st.id}", quote=True)
                what = f"{counted(count, 'work')}: {st.name.lower()} on {term.name}"
                label = escape(what, quote=True)
                cell = f'<a href="{href}" aria-label="{label}">{cell}</a>'
            parts.append(cell)
    parts.append("</svg>")
    return "".join(parts)


def _ticks(top: int) -> list[int]:
    step = max(1, round(top / 4))
    return list(range(0, top + 1, step))
