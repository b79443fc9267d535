"""One Markdown page per work: citation, summary, links, tags, edges both ways, BibTeX."""

from __future__ import annotations

from collections.abc import Callable

from ..bibtext import entry_to_bibtex
from ..claims import ROLES
from ..model import Corpus, Edge, Work, custom_field_names
from ..taxonomy import SECTION_LABELS
from .argument import status_badge
from .claimspage import PAGE as CLAIMS_PAGE
from .context import Context
from .exports import csl_item
from .markdown import (
    attr,
    byline,
    ext_link,
    fence,
    first_sentence,
    md_escape,
    rel,
    stance_label,
    topic_link,
    work_link,
    work_list_item,
    work_path,
    yaml_str,
)


def cite_path(work: Work) -> str:
    return f"cite/{work.slug}.bib"


def unsearched(title: str) -> str:
    """An h2 whose section stays out of the search index (Material's and Zensical's).

    Readers search for a work by its title, authors and summary, which come before the
    first h2. Links, edges, citations and BibTeX would only make every work match every
    name it mentions, and were 80% of a 37 MiB index at 10,000 works.
    """
    return f"## {title} {{ data-search-exclude }}"


def render_work(work: Work, ctx: Context, cite: dict[str, str], bibtex: str) -> str:
    """The page of one work. Pure: the same corpus always gives the same bytes.

    `cite` is the work's reference in each style ({label: HTML text}) and `bibtex` its
    entry without our fields, both made once for all works by `render`.
    """
    corpus = ctx.corpus
    page = work_path(work)
    tax = corpus.taxonomy
    lines = [
        "---",
        f"title: {yaml_str(work.title or work.key)}",
        f"description: {yaml_str(preview(work))}",
        "---",
        "",
        f"# {md_escape(work.title or work.key)}",
        "",
        f'<p class="toi-byline">{byline(work)}</p>',
        "",
    ]
    badges = sorted(
        {t.stance for t in work.tags if t.stance in tax.stances}, key=list(tax.stances).index
    )
    kind = tax.kinds.get(work.kind)
    meta_bits = [f'<span class="toi-kind">{attr(kind.name if kind else work.kind)}</span>']
    meta_bits += [stance_label(tax, s) for s in badges]
    if work.readingtime:
        meta_bits.append(f'<span class="toi-readingtime">{work.readingtime} min read</span>')
    lines += [f'<p class="toi-meta">{" ".join(meta_bits)}</p>', ""]
    if work.summary:
        lines += [f'<p class="toi-summary">{md_escape(work.summary)}</p>', ""]
    lines += _links(work)
    lines += _topics(work, corpus, page)
    edges = _edges(work, corpus, page)
    lines += edges or _related(work, corpus, page)
    lines += _claims(work, ctx, page)
    lines += _cite(work, cite, bibtex, page)
    lines += _dates(work)
    return "\n".join(lines) + "\n"


def preview(work: Work) -> str:
    """Text for link previews: the summary's first sentence, else a plain byline."""
    if work.summary:
        return first_sentence(work.summary, limit=200)
    return " · ".join(p for p in (work.author_line, str(work.year or ""), work.venue) if p)


def _links(work: Work) -> list[str]:
    items = []
    if work.url:
        items.append(f"- Read: {ext_link(work.url, work.url)}")
    if work.arxiv:
        items.append(f"- arXiv: {ext_link('https://arxiv.org/abs/' + work.arxiv, work.arxiv)}")
    if work.doi:
        items.append(f"- DOI: {ext_link('https://doi.org/' + work.doi, work.doi)}")
    if work.pdf:
        items.append(f"- PDF: {ext_link(work.pdf, work.pdf)}")
    if work.code:
        items.append(f"- Code: {ext_link(work.code, work.code)}")
    return [unsearched("Links"), "", *items, ""] if items else []


def _topics(work: Work, corpus: Corpus, page: str) -> list[str]:
    tax = corpus.taxonomy
    rows = []
    for tag in work.tags:
        term = tax.topic(tag.topic)
        if term is None:
            continue
        rows.append(
            f"| {topic_link(term, page)} | {SECTION_LABELS[term.kind]} | "
            f"{stance_label(tax, tag.stance, page, link=True)} |"
        )
    if not rows:
        return []
    return [
        unsearched("Where it stands"),
        "",
        "| Topic | Type | Stance |",
        "|---|---|---|",
        *rows,
        "",
    ]


def _edge_lines(
    edges: list[Edge], other_key: Callable[[Edge], str], inverse: bool, corpus: Corpus, page: str
) -> list[str]:
    """One line per (edge type, other work), listing every topic the edge is scoped to."""
    tax = corpus.taxonomy
    groups: dict[tuple[str, str], list[str | None]] = {}
    for e in edges:
        if other_key(e) in corpus.works and e.type in tax.edgetypes:
            groups.setdefault((e.type, other_key(e)), []).append(e.scope)
    lines = []
    for (etype, key), scopes in groups.items():
        term = tax.edgetypes[etype]
        verb = (term.inverse or etype) if inverse else term.name
        other = corpus.works[key]
        line = f"- {md_escape(verb)} {work_link(other, page)}"
        if other.credit:
            line += f" ({md_escape(other.credit)})"
        topics = [t for t in (tax.topic(s) for s in scopes if s) if t is not None]
        if topics:
            line += " about " + ", ".join(topic_link(t, page) for t in topics)
        lines.append(line)
    return lines


def _edges(work: Work, corpus: Corpus, page: str) -> list[str]:
    out_lines = _edge_lines(list(work.edges), lambda e: e.target, False, corpus, page)
    incoming = sorted(
        corpus.incoming.get(work.key, []), key=lambda e: (e.type, e.source.lower(), e.scope or "")
    )
    in_lines = _edge_lines(incoming, lambda e: e.source, True, corpus, page)
    if not (out_lines or in_lines):
        return []
    lines = [unsearched("In the debate"), ""]
    if out_lines:
        lines += ["This work:", "", *out_lines, ""]
    if in_lines:
        lines += ["Other works on this one:", "", *in_lines, ""]
    return lines


def related_works(work: Work, corpus: Corpus, limit: int = 5) -> list[Work]:
    """Works sharing the most topics with this one (same stance counts double), then
    neighbours through edges; only used when the work has no edges of its own."""
    mine = {t.topic: t.stance for t in work.tags}
    scores: dict[str, int] = {}
    for other in corpus.works.values():
        if other.key == work.key:
            continue
        score = sum(1 + (mine[t.topic] == t.stance) for t in other.tags if t.topic in mine)
        if score:
            scores[other.key] = score
    ranked = sorted(scores, key=lambda k: (-scores[k], -(corpus.works[k].year or 0), k))
    return [corpus.works[k] for k in ranked[:limit]]


def _related(work: Work, corpus: Corpus, page: str) -> list[str]:
    related = related_works(work, corpus)
    if not related:
        return []
    return [
        unsearched("Related works"),
        "",
        "No work in the corpus is linked to this one yet; these share the most topics with it:",
        "",
        *(work_list_item(w, page, corpus.taxonomy) for w in related),
        "",
    ]


def _dates(work: Work) -> list[str]:
    """From the entry's own fields, never the build clock, so builds stay reproducible."""
    if not work.added:
        return []
    text = f"Added to the atlas on {work.added}"
    if work.modified and work.modified != work.added:
        text += f", last updated on {work.modified}"
    return [f'<p class="toi-dates">{text}.</p>', ""]


def _claims(work: Work, ctx: Context, page: str) -> list[str]:
    """Claims this work makes, gives evidence for or disputes: gist, link to its anchor, status."""
    rows = []
    for claim in ctx.claims:
        for role in ROLES:
            if work.key in claim.role_keys(role):
                link = f"{rel(page, CLAIMS_PAGE)}#{claim.anchor}"
                verb = {
                    "made_by": "Makes",
                    "supported_by": "Gives evidence for",
                    "disputed_by": "Disputes",
                }[role]
                status = status_badge(ctx.tree.status(claim.id))
                rows.append(f"- {verb}: [{md_escape(claim.label)}]({link}) {status}")
    return [unsearched("Claims"), "", *rows, ""] if rows else []


def _cite(work: Work, cite: dict[str, str], bib: str, page: str) -> list[str]:
    lines = [unsearched("Cite"), ""]
    for label, text in cite.items():
        # A raw HTML block, so Markdown leaves it alone; citations.to_html escaped the text.
        lines += [f'<p class="toi-citeas"><strong>{label}</strong>: {text}</p>', ""]
    lines += [
        '??? quote "BibTeX for your reference manager (our tags and summary removed)"',
        "",
        *("    " + line for line in fence(bib, "bibtex")),
        "",
        # A Markdown link, not raw HTML: MkDocs and Zensical rewrite and check it.
        f"    [Download cite.bib]({rel(page, cite_path(work))})"
        f'{{ .md-button download="{attr(work.slug)}.bib" }}',
        "",
    ]
    return lines


def render(ctx: Context) -> dict[str, str]:
    corpus = ctx.corpus
    strip = custom_field_names(corpus.taxonomy)
    works = list(corpus.works.values())
    cited = ctx.citations.cite_all([csl_item(work) for work in works])
    out: dict[str, str] = {}
    for work, cite in zip(works, cited, strict=True):
        bibtex = entry_to_bibtex(work.raw, strip=strip)
        out[work_path(work)] = render_work(work, ctx, cite, bibtex)
        out[cite_path(work)] = bibtex
    return out
