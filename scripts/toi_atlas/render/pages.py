"""One page per work: citation, summary, actions, tags, edges both ways, BibTeX.

Written as the HTML body the theme's shell receives (render.workhtml), the very HTML
Python-Markdown made of these pages' Markdown before, at a fraction of its cost.

The page opens like a publication list entry (title, authors, actions to read and
cite), then the debate around the work, grouped by topic. Long groups are folded with
their count, so even the essay's page (over a hundred connections) stays a few screens.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..model.corpus import Corpus, Edge, MetadataCheck, Work
from ..model.identity import is_safe_url
from ..read.claims import ROLES
from ..read.site import Site
from ..read.taxonomy import SECTION_LABELS, Term
from ..wording import counted, long_date
from .argument import status_badge
from .claimspage import PAGE as CLAIMS_PAGE
from .context import Context
from .essay import EssayNamer
from .markdown import (
    HTML,
    attr,
    file_url_rel,
    first_sentence,
    html_text,
    stance_label,
    topic_link,
    topic_path,
    url_rel,
    work_link,
    work_list_item,
    work_path,
)
from .workhtml import HeadingIds, fragment, highlight, permalink

# A group of more lines than this is folded (a <details> showing its count), unless
# the whole section has at most OPEN_TOTAL lines: then it is short enough to show.
FOLD_AT = 4
OPEN_TOTAL = 12
# Topic groups shown one by one; any further ones are folded together under one line.
SHOWN_GROUPS = 6
PLURAL_LABELS = {"toi": "Theories of impact", "endstory": "End stories", "agenda": "Agendas"}
CLAIM_VERBS = {"made_by": "Makes", "supported_by": "Gives evidence for", "disputed_by": "Disputes"}


def cite_path(work: Work) -> str:
    return f"cite/{work.slug}.bib"


@dataclass
class Page:
    """One work page as it is rendered: its parts, in order, and its section headings
    (id, title), whose ids the theme's table of contents gets."""

    heading: str  # the h1's text, escaped
    parts: list[str] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ids = HeadingIds()
        self.h1 = self.ids.make(self.heading)

    def section(self, title: str, fixed: str = "") -> str:
        """An h2 whose section stays out of the search index (Material's and Zensical's).

        Readers search for a work by its title, authors and summary, which come before
        the first h2. Links, edges, citations and BibTeX would only make every work match
        every name it mentions, and were 80% of a 37 MiB index at 10,000 works.
        """
        ident = fixed or self.ids.make(title)
        self.sections.append((ident, title))
        return f'<h2 data-search-exclude id="{ident}">{title}{permalink(ident)}</h2>'


def render_work(work: Work, ctx: Context, cite: dict[str, str], bibtex: str) -> dict[str, Any]:
    """The fragment of one work's page (workhtml.fragment): head fields and HTML body.
    Pure: the same corpus always gives the same bytes.

    `cite` is the work's reference in each style ({label: HTML text}) and `bibtex` its
    entry without our fields, both made once for all works by `render`.
    """
    corpus = ctx.corpus
    page = work_path(work)
    tax = corpus.taxonomy
    name_essay = EssayNamer(corpus, page, HTML)
    out = Page(html_text(work.title or work.key))
    badges = sorted(
        {t.stance for t in work.tags if t.stance in tax.stances}, key=list(tax.stances).index
    )
    kind = tax.kinds.get(work.kind)
    meta_bits = [f'<span class="toi-kind">{attr(kind.name if kind else work.kind)}</span>']
    meta_bits += [stance_label(tax, s) for s in badges]
    if work.readingtime:
        meta_bits.append(f'<span class="toi-readingtime">{work.readingtime} min read</span>')
    out.parts += [
        f'<p class="toi-byline">{full_byline(work)}</p>',
        f'<p class="toi-meta">{" ".join(meta_bits)}</p>',
        _actions(work),
    ]
    if work.summary:
        out.parts.append(f'<p class="toi-summary">{name_essay(html_text(work.summary))}</p>')
    _topics(out, work, corpus, page)
    if not _edges(out, work, corpus, page):
        _related(out, work, corpus, page, name_essay)
    _claims(out, work, ctx, page)
    _cite(out, work, cite, bibtex, page, ctx.site)
    out.parts += _dates(work)
    head = f'<h1 id="{out.h1}">{out.heading}{permalink(out.h1)}</h1>'
    return fragment(
        title=attr(work.title or work.key),
        description=attr(preview(work)),
        h1=out.h1,
        toc=out.sections,
        body="\n".join([head, *out.parts]),
        tags=[attr(t) for t in search_tags(work)],
        boost=search_boost(work, corpus),
    )


def preview(work: Work) -> str:
    """Text for link previews: the summary's first sentence, else a plain byline."""
    if work.summary:
        return first_sentence(work.summary, limit=200)
    return " · ".join(p for p in (work.author_line, str(work.year or ""), work.venue) if p)


# --- search ---------------------------------------------------------------------------

_NOT_IN_TAGS = re.compile('[&<>"\x00-\x1f\u202a-\u202e\u2066-\u2069]')


def search_tags(work: Work) -> list[str]:
    """The name of every person among the authors (or editors), as the page's search
    `tags`.

    Material ranks a match in `tags` above one in a title, so a search for a surname
    lists that person's works before pages that merely mention them (the end story
    "Olah's interpretability dream", listings full of bylines), and "Chris Olah" matches
    his works twice. Organisations named in several words ("Center for AI Safety") are
    left out: their words would put their works first for any query about safety.
    Themes may print front matter raw, so markup characters are dropped and an
    apostrophe becomes a typographic one (O'Brien -> O’Brien), which no parser reads.
    """
    raw = work.raw.persons
    people = raw.get("author") or raw.get("editor") or []
    names = []
    for person, name in zip(people, work.authors or work.editors, strict=False):
        last = " ".join(person.last_names).strip("{}")
        if person.first_names or person.middle_names or " " not in last:
            names.append(name)
    cleaned = (" ".join(_NOT_IN_TAGS.sub(" ", n.replace("'", "\u2019")).split()) for n in names)
    return list(dict.fromkeys(n for n in cleaned if n))


def search_boost(work: Work, corpus: Corpus) -> float:
    """Between 1 and 2, growing with the work's connections: among works that match a
    query equally (several works by one author), the central ones come first."""
    degree = len(work.edges) + len(corpus.incoming.get(work.key, []))
    return round(1 + min(math.log10(1 + degree) / 3, 0.99), 2)


# --- the head of the page: authors and actions ----------------------------------------


def full_byline(work: Work) -> str:
    """Every author, the year and the venue (lists elsewhere shorten to "et al.")."""
    names = list(work.authors or work.editors)
    if work.more_authors:
        names.append("others")
    who = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1] if names else ""
    parts = [who, str(work.year) if work.year else "", work.venue]
    return " · ".join(html_text(p) for p in parts if p)


def _actions(work: Work) -> str:
    """Read, PDF, arXiv, DOI and code links, then Cite and BibTeX, right under the title."""
    targets = [
        ("Read", work.url),
        ("PDF", work.pdf),
        ("arXiv", f"https://arxiv.org/abs/{work.arxiv}" if work.arxiv else None),
        ("DOI", f"https://doi.org/{work.doi}" if work.doi else None),
        ("Code", work.code),
    ]
    seen: set[str] = set()
    links = []
    for label, url in targets:
        if url and url not in seen and is_safe_url(url):
            primary = " md-button--primary" if not seen else ""
            seen.add(url)
            links.append(
                f'<a class="md-button{primary} toi-action" href="{attr(url)}" '
                f'rel="noopener">{label}</a>'
            )
    # Same-page anchors: the Cite heading, and the download link inside the folded
    # BibTeX block (following it unfolds the block).
    links += [
        '<a class="md-button toi-action toi-action--cite" href="#cite">Cite</a>',
        '<a class="md-button toi-action toi-action--cite" href="#bibtex">BibTeX</a>',
    ]
    return f'<p class="toi-actions" data-search-exclude>{" ".join(links)}</p>'


# --- where it stands, and the debate grouped by topic ------------------------------------


def _topics(out: Page, work: Work, corpus: Corpus, page: str) -> None:
    """One line per kind of topic, the topics grouped by the stance taken on them."""
    tax = corpus.taxonomy
    by_kind: dict[str, dict[str | None, list[Term]]] = {}
    for tag in work.tags:
        term = tax.topic(tag.topic)
        if term is not None:
            by_kind.setdefault(term.kind, {}).setdefault(tag.stance, []).append(term)
    rows = []
    for kind, label in PLURAL_LABELS.items():
        stances = by_kind.get(kind)
        if not stances:
            continue
        n = sum(len(terms) for terms in stances.values())
        parts = [
            f"{stance_label(tax, stance, page, link=True, flavour=HTML)} "
            + ", ".join(topic_link(t, page, HTML) for t in terms)
            for stance, terms in stances.items()
        ]
        head = SECTION_LABELS[kind] if n == 1 else f"{label} ({n})"
        rows.append(
            f"<li><strong>{head}</strong>: " + "; ".join(p.strip() for p in parts) + "</li>"
        )
    if rows:
        out.parts += [out.section("Where it stands"), "<ul>", *rows, "</ul>"]


def _edge_pairs(work: Work, corpus: Corpus) -> Iterator[tuple[str, Work, list[str | None]]]:
    """(verb, other work, scopes) per edge type and other work: this work's own edges
    first, in file order, then the edges of other works on it."""
    tax = corpus.taxonomy
    incoming = sorted(
        corpus.incoming.get(work.key, []), key=lambda e: (e.type, e.source.lower(), e.scope or "")
    )
    sides: list[tuple[list[Edge], bool]] = [(list(work.edges), False), (incoming, True)]
    for edges, inverse in sides:
        pairs: dict[tuple[str, str], list[str | None]] = {}
        for e in edges:
            other = e.source if inverse else e.target
            if other in corpus.works and e.type in tax.edgetypes:
                pairs.setdefault((e.type, other), []).append(e.scope)
        for (etype, key), scopes in pairs.items():
            term = tax.edgetypes[etype]
            verb = (term.inverse or etype) if inverse else term.name
            yield verb, corpus.works[key], scopes


def edge_groups(
    work: Work,
    corpus: Corpus,
    page: str,
    pairs: list[tuple[str, Work, list[str | None]]] | None = None,
) -> list[tuple[Term | None, list[str]]]:
    """The work's connections as list items, grouped by the topic they are about.

    A connection about several topics is listed under each; one about none (or about an
    unknown id, already reported) under None. Largest group first, then topic order.
    `pairs`: the work's `_edge_pairs`, when the caller has them already."""
    tax = corpus.taxonomy
    groups: dict[str | None, list[str]] = {}
    for verb, other, scopes in _edge_pairs(work, corpus) if pairs is None else pairs:
        line = f"{html_text(verb)} {work_link(other, page, HTML)}"
        credit = other.credit
        if credit:
            line += f" ({html_text(credit)})"
        topics = [s if s and tax.topic(s) else None for s in scopes]
        for topic in dict.fromkeys(topics):
            groups.setdefault(topic, []).append(f"<li>{line}</li>")
    if len(groups) < 2:
        return [(tax.topic(t) if t else None, items) for t, items in groups.items()]
    order = {t.id: i for i, t in enumerate(tax.all_topics())}
    ranked = sorted(groups, key=lambda t: (t is None, -len(groups[t]), order.get(t or "", 0)))
    return [(tax.topic(t) if t else None, groups[t]) for t in ranked]


def fold(title: str, items: list[str], *, link: str = "", total: int = 0) -> list[str]:
    """A titled group of list items with its count. Short (or in a short section,
    `total` items in all), it is shown: a head line, linked to `link`, over the list.
    Long, it is folded into a <details> whose summary shows the count; the link, which
    may not sit inside a summary (a control in a control), closes the group."""
    n = len(items)
    if n <= FOLD_AT or total <= OPEN_TOTAL:
        head = f'<a href="{attr(link)}">{title}</a> ({n})' if link else f"{title} ({n})"
        return [f'<p class="toi-group-head">{head}</p>', "<ul>", *items, "</ul>"]
    body = ["<ul>", *items, "</ul>"]
    if link:
        body.append(
            f'<p><a class="toi-group-link" href="{attr(link)}">The debate on {title}</a></p>'
        )
    return folded(f"{title} ({n})", body)


def folded(summary: str, body: list[str]) -> list[str]:
    """A <details> as the theme's `??? toi-group` block makes it (closed, with a summary)."""
    return ['<details class="toi-group">', f"<summary>{summary}</summary>", *body, "</details>"]


def _edges(out: Page, work: Work, corpus: Corpus, page: str) -> bool:
    pairs = list(_edge_pairs(work, corpus))
    groups = edge_groups(work, corpus, page, pairs)
    if not groups:
        return False
    out.parts += [
        out.section("In the debate"),
        f"<p>{counted(len(pairs), 'connection')} with other works, by the topic each is about:</p>",
    ]
    total = sum(len(items) for _, items in groups)
    for term, items in groups[:SHOWN_GROUPS]:
        out.parts += _topic_group(term, items, page, total)
    rest = groups[SHOWN_GROUPS:]
    if rest:
        n = sum(len(items) for _, items in rest)
        inner = [line for term, items in rest for line in _topic_group(term, items, page, total)]
        out.parts += folded(f"{counted(len(rest), 'more topic')} ({n})", inner)
    return True


def _topic_group(term: Term | None, items: list[str], page: str, total: int) -> list[str]:
    if term is None:
        return fold("Not tied to one topic", items, total=total)
    link = url_rel(page, topic_path(term))
    return fold(html_text(term.name), items, link=link, total=total)


def related_works(work: Work, corpus: Corpus, limit: int = 5) -> list[Work]:
    """Works sharing the most topics with this one (same stance counts double), then
    neighbours through edges; only used when the work has no edges of its own."""
    mine = {t.topic: t.stance for t in work.tags}
    scores: dict[str, int] = {}
    # Through the corpus's topic index, not every work: at 10,000 works a pass over the
    # whole corpus for each work without edges made this quadratic.
    for topic, stance in mine.items():
        for other, theirs in corpus.works_on(topic):
            if other.key != work.key:
                scores[other.key] = scores.get(other.key, 0) + 1 + (stance == theirs)
    ranked = sorted(scores, key=lambda k: (-scores[k], -(corpus.works[k].year or 0), k))
    return [corpus.works[k] for k in ranked[:limit]]


def _related(out: Page, work: Work, corpus: Corpus, page: str, name_essay: EssayNamer) -> None:
    related = related_works(work, corpus)
    if not related:
        return
    tax = corpus.taxonomy
    out.parts += [
        out.section("Related works"),
        "<p>No work in the corpus is linked to this one yet; these share the most topics with "
        "it:</p>",
        "<ul>",
        *(work_list_item(w, page, tax, namer=name_essay, flavour=HTML) for w in related),
        "</ul>",
    ]


def _claims(out: Page, work: Work, ctx: Context, page: str) -> None:
    """Claims this work makes, gives evidence for or disputes, grouped by that role:
    gist, link to the claim's anchor on the claims page, status."""
    groups: dict[str, list[str]] = {}
    claims_url = url_rel(page, CLAIMS_PAGE)
    for claim in ctx.claims:
        for role in ROLES:
            if work.key in claim.role_keys(role):
                link = (
                    f'<a href="{attr(f"{claims_url}#{claim.anchor}")}">{html_text(claim.label)}</a>'
                )
                status = status_badge(ctx.tree.status(claim.id))
                groups.setdefault(role, []).append(f"<li>{link} {status}</li>")
    if not groups:
        return
    out.parts.append(out.section("Claims"))
    total = sum(len(rows) for rows in groups.values())
    for role in ROLES:
        if role in groups:
            out.parts += fold(CLAIM_VERBS[role], groups[role], total=total)


def _cite(out: Page, work: Work, cite: dict[str, str], bib: str, page: str, site: Site) -> None:
    out.parts.append(out.section("Cite", "cite"))
    # citations.to_html escaped the text.
    out.parts += [
        f'<p class="toi-citeas"><strong>{label}</strong>: {text}</p>'
        for label, text in cite.items()
    ]
    # The download link's id is the target of the BibTeX action: Material and Chromium
    # open the folded block when the address points inside it.
    download = (
        f'<p><a class="md-button" download="{attr(work.slug)}.bib" '
        f'href="{attr(file_url_rel(page, cite_path(work)))}" id="bibtex">Download cite.bib</a></p>'
    )
    out.parts += [
        '<details class="quote">',
        "<summary>BibTeX for your reference manager (our tags and summary removed)</summary>",
        highlight(bib, "bibtex", site),
        download,
        "</details>",
    ]


def _dates(work: Work) -> list[str]:
    """From the entry's own fields, never the build clock, so builds stay reproducible."""
    lines = []
    if work.added:
        text = f"Added to the atlas on {work.added}"
        if work.modified and work.modified != work.added:
            text += f", last updated on {work.modified}"
        lines.append(f'<p class="toi-dates">{html_text(text)}.</p>')
    if work.checked:
        lines.append(f'<p class="toi-dates toi-checked">{checked_line(work.checked)}</p>')
    return lines


def checked_line(check: MetadataCheck) -> str:
    """ "Metadata checked against arXiv abstract page, 3 December 2026." (escaped)"""
    sources = "; ".join(html_text(s) for s in check.sources)
    return f"Metadata checked against {sources}, {_long_date(check.date)}."


def _long_date(iso: str) -> str:
    """2026-12-03 -> 3 December 2026; a date that does not exist stays as written
    (the checker reports it, TOI133)."""
    try:
        return long_date(dt.date.fromisoformat(iso))
    except ValueError:
        return html_text(iso)


def render(ctx: Context, keep: frozenset[str] = frozenset()) -> dict[str, dict[str, Any]]:
    """The work pages' fragments ({works/x.md: fragment}, poured into the theme's shell by
    `toi-atlas site`). Pages in `keep` (their inputs unchanged since the last build, see
    reuse.py) are not rendered: their fragments on disk stand."""
    pages: dict[str, dict[str, Any]] = {}
    for work in ctx.corpus.works.values():
        path = work_path(work)
        if path not in keep:
            cite = dict(ctx.cite_as.get(work.key, {}))
            pages[path] = render_work(work, ctx, cite, ctx.bibtex(work))
    return pages


def cite_files(ctx: Context) -> dict[str, str]:
    """Each work's entry without our fields, as a file to download ({cite/x.bib: BibTeX},
    built with the site)."""
    return {cite_path(w): ctx.bibtex(w) for w in ctx.corpus.works.values()}
