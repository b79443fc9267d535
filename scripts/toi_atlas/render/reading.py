"""The generated part of each reading list: items with byline, note and reading time."""

from __future__ import annotations

from ..read.readinglists import ReadingItem, ReadingList, snippet_path
from ..wording import counted, long_date
from .context import Context
from .markdown import byline, md_escape, stance_label, work_url


def render_list(rl: ReadingList, ctx: Context) -> str:
    corpus = ctx.corpus
    works = [corpus.works[i.key] for i in rl.items if i.key in corpus.works]
    total = sum(w.readingtime or 0 for w in works)
    lines = [
        f'<p class="toi-reading-total">{counted(len(works), "work")} · '
        f"about {counted(total, 'minute')} "
        "of reading in all (our estimate of each item's reading time)</p>",
        "",
    ]
    if rl.reviewed is not None:  # without it the checker warns (TOI605)
        lines += [f'<p class="toi-reviewed">Last reviewed {long_date(rl.reviewed)}</p>', ""]
    lines += _items(rl, rl.items, ctx, numbered=True)
    if rl.then:
        lines += ['<p class="toi-reading-then">Then, at more length:</p>', ""]
        lines += _items(rl, rl.then, ctx, numbered=False)
    return "\n".join(lines) + "\n"


def _items(
    rl: ReadingList, items: tuple[ReadingItem, ...], ctx: Context, *, numbered: bool
) -> list[str]:
    corpus = ctx.corpus
    page = f"../reading/{rl.id}.md"  # the hand-written page that includes this snippet
    lines: list[str] = []
    for n, item in enumerate(items, 1):
        work = corpus.works.get(item.key)
        if work is None:
            continue  # reported by the checker (TOI602)
        minutes = f"{work.readingtime} min" if work.readingtime else "time unknown"
        stances = sorted(
            {t.stance for t in work.tags if t.stance in corpus.taxonomy.stances},
            key=list(corpus.taxonomy.stances).index,
        )
        labels = " ".join(stance_label(corpus.taxonomy, s) for s in stances)
        marker = f"{n}." if numbered else "-"
        # Python-Markdown continues a list item only at four spaces, whatever the marker.
        lines += [
            f"{marker} **[{md_escape(work.title or work.key)}]({work_url(work, page)})** "
            f'<span class="toi-readingtime">{minutes}</span>  ',
            f"    {byline(work)} {labels}",
        ]
        if item.note:
            lines += ["", f"    {md_escape(item.note)}"]
        lines.append("")
    return lines


def render(ctx: Context) -> dict[str, str]:
    return {snippet_path(rl.id): render_list(rl, ctx) for rl in ctx.reading_lists}
