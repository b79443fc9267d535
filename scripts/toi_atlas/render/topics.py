"""One page per theory of impact, end story, agenda and stance, plus section indexes."""

from __future__ import annotations

import re

from ..model.corpus import Corpus, Work
from ..model.debate import build_debate
from ..read.taxonomy import SECTION_LABELS, Taxonomy, Term
from .argument import CLAIMS_PAGE, legend, render_steps, walks
from .browse import browse_url
from .context import Context
from .diagram import render_svg
from .essay import EssayNamer
from .htmllists import RAW, raw_list, with_sublist
from .markdown import (
    attr,
    first_sentence,
    md_escape,
    rel,
    stance_label,
    topic_link,
    topic_path,
    work_link,
    work_list_item,
    yaml_str,
)

SECTION_PAGES = {
    "tois": (
        "toi",
        "Theories of impact",
        "What interpretability research could be *for*: the twenty theories on Neel "
        "Nanda's longlist, the sub-items the debate treats separately, and the ones the "
        "essay adds. Each page gathers the works that argue for or against it.",
    ),
    "endstories": (
        "endstory",
        "End stories",
        "How interpretability would finally make AI safe, if it succeeds: the end "
        "stories the debate discusses, with the works on each side.",
    ),
    "agendas": (
        "agenda",
        "Agendas",
        "What critics of interpretability propose doing instead, with the works that "
        "argue for or against each alternative.",
    ),
}


FACET = {"toi": "toi", "endstory": "endstory", "agenda": "agenda"}
# Listing pages stay out of search: their bylines made them outrank the works they list.
NOT_SEARCHED = ["search:", "  exclude: true"]
# Work pages are boosted by up to 2 (render.pages.search_boost); a topic's own page
# should still come first for its name ("Auditing" before "Auditing language models").
TOPIC_SEARCH = ["search:", "  boost: 2"]
# A gloss is one line of an index: the first sentence, or its head when that is long.
GLOSS_LIMIT = 170
GLOSS_MAX = 230  # a sentence that cannot be cut well is kept whole up to this length
GLOSS_MIN = 30
_SUBORDINATE = re.compile(r"(If|When|Once|Although|Though|While|Because|Since|As|Unless)\b")


def render_topic(term: Term, ctx: Context) -> str:
    corpus = ctx.corpus
    tax = corpus.taxonomy
    page = topic_path(term)
    works = corpus.works_on(term.id)
    lines = [
        "---",
        f"title: {yaml_str(term.name)}",
        f"description: {yaml_str(term.description)}",
        *TOPIC_SEARCH,
        "---",
        "",
        f"# {md_escape(term.name)}",
        "",
    ]
    kicker = {"toi": "Theory of impact", "endstory": "End story", "agenda": "Agenda"}[term.kind]
    if term.number:
        kicker += f" {term.number} on Nanda's longlist"
    if term.origin == "essay":
        kicker += ", added by the critique"
    if term.parent and term.parent in tax.tois:
        kicker += f", part of {topic_link(tax.tois[term.parent], page)}"
    description = EssayNamer(corpus, page)(md_escape(term.description))
    lines += [f'<p class="toi-kicker">{kicker}</p>', "", description, ""]
    children = [t for t in tax.ordered("tois") if t.parent == term.id]
    if children:
        lines += ["Treated separately:", ""]
        lines += [f"- {topic_link(c, page)}" for c in children]
        lines.append("")
    facet = {"toi": "toi", "endstory": "endstory", "agenda": "agenda"}[term.kind]
    count = f"{len(works)} work{'s' if len(works) != 1 else ''}"
    lines += [
        f"**{count}** in the corpus. "
        f"[Filter all {count} on {md_escape(term.name)}]({browse_url(page, facet, term.id)})",
        "",
    ]
    lines += argument_section(term, ctx, page)
    if not works:
        lines += ["No work in the corpus is tagged with this yet.", ""]
        return "\n".join(lines) + "\n"
    lines += debate_sections(term, ctx, page)
    return "\n".join(lines) + "\n"


def argument_section(term: Term, ctx: Context, page: str) -> list[str]:
    """The thesis and every claim under it, then the topic's other claims as trees.

    The thesis is an h2, so the page's table of contents opens with the argument."""
    tree = ctx.tree
    thesis = tree.thesis(term.id) if term.kind != "agenda" else None
    seen: set[str] = set()
    main = walks(tree, [thesis.id] if thesis else [], seen)
    rest = [c for c in tree.on_topic(term.id) if c.id not in seen]
    others = walks(tree, [c.id for c in tree.roots(rest)], seen)
    if not main and not others:
        return []
    shown = {s.claim.id for s in main + others if not s.repeat}
    lines = [
        f"{legend()} Every claim of every topic: [the claims page]({rel(page, CLAIMS_PAGE)}).",
        "{: .toi-argument-legend }",
        "",
    ]
    lines += render_steps(main, ctx, page, level=2, topic=term.id, shown=shown)
    if others:
        count = sum(not s.repeat for s in others)
        heading = "Other claims on this topic" if main else "Claims on this topic"
        lines += [f"## {heading} ({count})", ""]
        lines += render_steps(others, ctx, page, level=3, topic=term.id, shown=shown)
    return lines


def _items(works: list[Work], page: str, tax: Taxonomy) -> list[str]:
    return raw_list([work_list_item(w, page, tax, flavour=RAW) for w in works])


def _names(works: list[Work], page: str) -> str:
    return ", ".join(work_link(w, page, RAW) for w in works)


def _credited(work: Work, page: str) -> str:
    """A work's title linked, then its short credit: `Title (Smith et al. 2024)`."""
    return f"{work_link(work, page, RAW)} ({md_escape(work.credit)})"


# A debate page lists at most this many works per section; the browse view has the rest.
# Without a cap a topic of a 10,000-work corpus makes a page too big to read or to index.
LIST_LIMIT = 100


def _more(total: int, page: str, facet: str, topic: str, stance: str | None) -> list[str]:
    if total <= LIST_LIMIT:
        return []
    url = browse_url(page, facet, topic) + (f"&stance={stance}" if stance else "")
    return ["", f"… and {total - LIST_LIMIT} more: [see all {total} in the browse view]({url})"]


def debate_sections(term: Term, ctx: Context, page: str) -> list[str]:
    """For, critiques with their replies, still unanswered, evidence, claims, diagram."""
    corpus, tax = ctx.corpus, ctx.corpus.taxonomy
    debate = build_debate(term.id, corpus)
    works_href = "../" * (page.count("/") + 1) + "works/"  # pages are served as folders
    svg = render_svg(debate, term.name, works_href)
    lines: list[str] = []
    if svg:
        # The diagram's labels repeat the sections below; in the search index they made
        # every topic page the top hit for any author's name.
        lines += [f'<div class="toi-diagram-wrap" data-search-exclude>{svg}</div>', ""]
    lines += [f"## The case for ({len(debate.case_for)})", ""]
    facet = {"toi": "toi", "endstory": "endstory", "agenda": "agenda"}[term.kind]
    lines += _items(debate.case_for[:LIST_LIMIT], page, tax) or [
        "No work in the corpus advocates it yet."
    ]
    lines += _more(len(debate.case_for), page, facet, term.id, tax.stance_with_role("for"))
    lines += ["", f"## Critiques ({len(debate.critiques)})", ""]
    objections = tax.edges_with_role("objection")
    critiques = []
    for crit in debate.critiques[:LIST_LIMIT]:
        extra = f"rebuts {_names(crit.targets, page)}" if crit.targets else ""
        replies = [
            RAW.item(
                f"↳ {'rebutted by' if etype in objections else 'answered by'} "
                + _credited(reply, page)
            )
            for reply, etype in crit.replies
        ]
        item = work_list_item(crit.work, page, tax, extra=extra, flavour=RAW)
        critiques.append(with_sublist(item, replies))
    lines += raw_list(critiques)
    if not debate.critiques:
        lines.append("No work in the corpus critiques it yet.")
    lines += _more(len(debate.critiques), page, facet, term.id, tax.stance_with_role("against"))
    lines += ["", f"## Still unanswered ({len(debate.unanswered)})", ""]
    if debate.unanswered:
        lines += [
            "Critiques on this topic that no work in the corpus answers yet: open questions "
            "for anyone who wants to reply.",
            "",
        ]
        unanswered = [RAW.item(_credited(c.work, page)) for c in debate.unanswered[:LIST_LIMIT]]
        if len(debate.unanswered) > LIST_LIMIT:
            unanswered.append(RAW.item(f"… and {len(debate.unanswered) - LIST_LIMIT} more"))
        lines += raw_list(unanswered)
    else:
        lines.append("Every critique here has at least one reply in the corpus.")
    side_names = {"for": "For it", "against": "Against it", "other": "Cited by mixed works"}
    evidence = {k: v for k, v in debate.evidence.items() if v}
    lines += ["", "## Evidence", ""]
    for side, pairs in evidence.items():
        lines += [f"**{side_names[side]}**", ""]
        items = [
            RAW.item(f"{_credited(src, page)} supports {work_link(dst, page, RAW)}")
            for src, dst in pairs[:LIST_LIMIT]
        ]
        if len(pairs) > LIST_LIMIT:
            items.append(RAW.item(f"… and {len(pairs) - LIST_LIMIT} more"))
        lines += [*raw_list(items), ""]
    if not evidence:
        lines += ["No work in the corpus is linked as evidence on this topic yet.", ""]
    if debate.others:
        lines += [f"## Other works on this topic ({len(debate.others)})", ""]
        shown = debate.others[:LIST_LIMIT]
        lines += raw_list([work_list_item(w, page, tax, stance=st, flavour=RAW) for w, st in shown])
        lines += _more(len(debate.others), page, facet, term.id, "")
        lines.append("")
    return lines


def render_stance(term: Term, corpus: Corpus) -> str:
    tax = corpus.taxonomy
    page = f"stance/{term.id}.md"
    rows = corpus.works_with_stance(term.id)
    name_essay = EssayNamer(corpus, page)
    lines = [
        "---",
        f"title: {yaml_str('Stance: ' + term.name)}",
        *NOT_SEARCHED,
        "---",
        "",
        f"# {stance_label(tax, term.id)} {md_escape(term.name)}",
        "",
        md_escape(term.description),
        "",
        f"**{len(rows)} work{'s' if len(rows) != 1 else ''}** take this stance on at "
        f"least one topic. [Filter them]({browse_url(page, 'stance', term.id)})",
        "",
    ]
    for w, topics in rows[:LIST_LIMIT]:
        named = [t for t in (tax.topic(x) for x in topics) if t is not None]
        extra = "on " + ", ".join(topic_link(t, page) for t in named) if named else ""
        lines.append(work_list_item(w, page, tax, extra=extra, namer=name_essay))
    if len(rows) > LIST_LIMIT:
        url = browse_url(page, "stance", term.id)
        lines += ["", f"… and {len(rows) - LIST_LIMIT} more: [see all {len(rows)}]({url})"]
    lines.append("")
    return "\n".join(lines) + "\n"


def gloss(description: str) -> str:
    """A short line for an index: the description's first sentence. A long one is cut
    where what follows only elaborates: at its colon or semicolon, else at the last
    comma that ends a main clause; a sentence that opens with a subordinate clause
    ("If ..., ...") has no such comma and is kept whole, or cut at a word if very long."""
    sentence = first_sentence(description, limit=len(description))
    if len(sentence) <= GLOSS_LIMIT:
        return sentence
    head = re.split(r"[:;]", sentence, maxsplit=1)[0].rstrip(" ,")
    if GLOSS_MIN <= len(head) <= GLOSS_LIMIT:
        return head + "."
    comma = sentence.rfind(", ", 0, GLOSS_LIMIT)
    if comma >= 2 * GLOSS_MIN and not _SUBORDINATE.match(sentence):
        return sentence[:comma] + "."
    if len(sentence) <= GLOSS_MAX:
        return sentence
    return first_sentence(description, limit=GLOSS_LIMIT)


def _stance_counts(corpus: Corpus, term: Term, page: str, facet: str) -> str:
    """Each stance's count as its badge (symbol and number; the word for screen
    readers), linked to the browse page filtered on exactly those works."""
    tax = corpus.taxonomy
    works = corpus.works_on(term.id)
    cells = []
    for st in tax.stances.values():
        n = sum(1 for _, s in works if s == st.id)
        if n:
            badge = (
                f'<span class="toi-stance toi-stance--{attr(st.id)}" title="{attr(st.name)}">'
                f'{attr(st.symbol or "")} {n}<span class="toi-sr"> {attr(st.name)}</span></span>'
            )
            cells.append(f"[{badge}]({browse_url(page, facet, term.id)}&stance={st.id})")
    return " ".join(cells)


def _index_row(corpus: Corpus, term: Term, page: str, name_essay: EssayNamer) -> str:
    facet = FACET[term.kind]
    n = len(corpus.works_on(term.id))
    name = f"{topic_link(term, page)}"
    if term.parent:
        name = f"↳ {name}"  # a sub-item, listed after its parent
    about = name_essay(md_escape(gloss(term.description)))
    works = f"[{n}]({browse_url(page, facet, term.id)})" if n else "0"
    return (
        f'| {name}<br><span class="toi-gloss">{about}</span> | {works} '
        f"| {_stance_counts(corpus, term, page, facet)} |"
    )


def render_section_index(section: str, corpus: Corpus) -> str:
    """Every topic of one section with a one-line gloss and its works by stance.

    Three columns (topic, works, stances as badges), so the table fits the text column
    of a desktop and reads on a phone without scrolling sideways."""
    tax = corpus.taxonomy
    folder, title, intro = SECTION_PAGES[section]
    page = f"{folder}/index.md"
    name_essay = EssayNamer(corpus, page)
    key = " ".join(stance_label(tax, s) for s in tax.stances)
    lines = [
        "---",
        f"title: {yaml_str(title)}",
        f"description: {yaml_str(intro.replace('*', ''))}",
        "---",
        "",
        f"# {title}",
        "",
        name_essay(intro),
        "",
        f"Each count opens those works on the browse page. Stances: {key}.",
        "",
        '<div class="toi-topic-index" markdown>',
        "",
        f"| {SECTION_LABELS[folder]} | Works | By stance |",
        "|---|---:|---|",
    ]
    for term in tax.ordered(section):
        lines.append(_index_row(corpus, term, page, name_essay))
    lines += ["", "</div>", ""]
    return "\n".join(lines) + "\n"


def render_stance_index(corpus: Corpus) -> str:
    tax = corpus.taxonomy
    lines = [
        "---",
        "title: Stances",
        *NOT_SEARCHED,
        "---",
        "",
        "# Stances",
        "",
        "The position a work takes on each topic it is tagged with. A work can hold "
        "different stances on different topics.",
        "",
    ]
    for term in tax.stances.values():
        n = len(corpus.works_with_stance(term.id))
        lines += [
            f"## {stance_label(tax, term.id)} [{md_escape(term.name)}]({term.id}.md) ({n})",
            "",
            md_escape(term.description),
            "",
        ]
    return "\n".join(lines) + "\n"


def render(ctx: Context) -> dict[str, str]:
    corpus = ctx.corpus
    tax = corpus.taxonomy
    out: dict[str, str] = {}
    for section in SECTION_PAGES:
        out[f"{SECTION_PAGES[section][0]}/index.md"] = render_section_index(section, corpus)
        for term in tax.section(section).values():
            out[topic_path(term)] = render_topic(term, ctx)
    out["stance/index.md"] = render_stance_index(corpus)
    for term in tax.stances.values():
        out[f"stance/{term.id}.md"] = render_stance(term, corpus)
    return out
