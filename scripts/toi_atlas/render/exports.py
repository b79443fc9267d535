"""The corpus as data: BibTeX (full and clean), CSL-JSON, works.json + schema, edges, feed.

Deterministic: no build clock anywhere (the feed's dates come from `added`), sorted
keys, trailing newlines, so a rebuild with nothing changed rewrites nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

from feedgen.feed import FeedGenerator  # well-kept Atom/RSS writer; XML by hand is a trap
from pybtex.database import Person

from ..bibtext import entry_to_bibtex
from ..model import Corpus, Work, custom_field_names, latex_to_unicode
from ..site import Site
from ..wording import counted
from .context import Context
from .markdown import first_sentence, xml_safe

FEED_SIZE = 50
SCHEMA = "data/works.schema.json"


def dumps(data: Any) -> str:
    # Compact: indenting forces json's pure-Python encoder (about 5x slower at 10,000
    # works) and these files are read by programs; `jq .` pretty-prints them.
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def work_record(work: Work) -> dict[str, Any]:
    return {
        "key": work.key,
        "page": f"works/{work.slug}/",
        "type": work.entry_type,
        "kind": work.kind,
        "title": work.title,
        "authors": list(work.authors),
        "editors": list(work.editors),
        "more_authors": work.more_authors,
        "year": work.year,
        "month": work.month,
        "venue": work.venue,
        "url": work.url,
        "doi": work.doi,
        "arxiv": work.arxiv,
        "pdf": work.pdf,
        "code": work.code,
        "summary": work.summary,
        "stance": work.default_stance,
        "added": work.added,
        "modified": work.modified,
        "readingtime": work.readingtime,
        "topics": [{"id": t.topic, "field": t.field, "stance": t.stance} for t in work.tags],
        "edges": [{"type": e.type, "target": e.target, "scope": e.scope} for e in work.edges],
    }


def all_bib(corpus: Corpus, *, clean: bool) -> str:
    strip = custom_field_names(corpus.taxonomy) if clean else frozenset()
    what = "our custom fields stripped" if clean else "with ToI Atlas fields (tags, edges, summary)"
    # No "@" in these comment lines: BibTeX parsers read any "@" as the start of an entry.
    head = f"% ToI Atlas: {counted(len(corpus.works), 'work')}, {what}.\n"
    head += "% String macros are expanded.\n"
    return head + "".join("\n" + entry_to_bibtex(w.raw, strip=strip) for w in corpus.works.values())


# BibTeX entry type -> CSL type; for @misc (and any other type) our `kind` decides.
CSL_TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "incollection": "chapter",
    "inbook": "chapter",
    "book": "book",
    "techreport": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
}
CSL_KINDS = {
    # CSL's type for a preprint, as Zotero exports its "preprint" items; the server
    # (arXiv) is the publisher and the id the number: APA's "(arXiv:2309.08600). arXiv."
    "preprint": "article",
    "paper": "article-journal",  # a @misc paper is in a web journal (Distill, Circuits)
    "post": "post-weblog",
    "comment": "post-weblog",
    "sequence": "post-weblog",
    "social": "post",
    "talk": "speech",
    "webpage": "webpage",
    "report": "report",
    "book": "book",
}
# Where the venue goes: the work is *in* a periodical, proceedings, blog or site
# (container-title), was *published by* a body (publisher), or was *given at* an event.
IN_CONTAINER = frozenset(
    ("article-journal", "paper-conference", "chapter", "post-weblog", "post", "webpage")
)
CONTAINER_FIELDS = ("journal", "journaltitle", "booktitle", "howpublished")
PUBLISHER_FIELDS = ("publisher", "institution", "school", "organization", "howpublished")
NUMBERED = frozenset(("article", "report"))  # types whose `number` is an arXiv or report id
SUMMARY_KEY = "toi-atlas-summary"  # in CSL `custom`: our words, not the work's abstract


def _field(work: Work, names: tuple[str, ...]) -> str:
    for name in names:
        value = work.raw.get(name)
        if value and value.strip():
            return latex_to_unicode(value)
    return ""


def _csl_person(person: Person) -> dict[str, str]:
    """A pybtex name as CSL name parts; a name with no given part is a literal (an
    organisation such as `{Center for AI Safety}`, or a single name)."""

    def part(names: list[str]) -> str:
        return latex_to_unicode(" ".join(names))

    given = part([*person.first_names, *person.middle_names])
    family = part(person.last_names)
    if not given:
        return {"literal": " ".join(p for p in (part(person.prelast_names), family) if p)}
    out = {"family": family, "given": given}
    if person.prelast_names:
        out["non-dropping-particle"] = part(person.prelast_names)
    if person.lineage_names:
        out["suffix"] = part(person.lineage_names)
    return out


def csl_names(work: Work, role: str) -> list[dict[str, str]]:
    """The names in `role`; a list that ended in `and others` keeps that as a last
    literal name "others", the form pandoc writes for it and its citeproc prints as
    "et al." (our own "Cite as" does too, see citations.py). Dropping it would turn a
    truncated list into a complete-looking one."""
    people = work.raw.persons.get(role, [])
    cut = bool(people) and str(people[-1]).strip().lower() == "others"  # as model.py reads it
    names = [_csl_person(p) for p in (people[:-1] if cut else people)]
    return [*names, {"literal": "others"}] if cut and names else names


def csl_item(work: Work) -> dict[str, Any]:
    kind = CSL_TYPES.get(work.entry_type) or CSL_KINDS.get(work.kind, "article")
    item: dict[str, Any] = {"id": work.key, "type": kind, "title": work.title}
    for role in ("author", "editor"):
        names = csl_names(work, role)
        if names:
            item[role] = names
    if work.year:
        item["issued"] = {"date-parts": [[work.year, work.month] if work.month else [work.year]]}
    if kind in IN_CONTAINER:
        item["container-title"] = _field(work, CONTAINER_FIELDS)
        item["publisher"] = _field(work, PUBLISHER_FIELDS[:-1])
    elif kind == "speech":
        event = _field(work, ("howpublished", "booktitle", "organization"))
        item["event-title"] = item["event"] = event  # CSL 1.0.2 and 1.0.1 names
        item["genre"] = "Talk"  # APA's bracketed description: "Title [Talk]. Event."
    else:
        item["publisher"] = _field(work, PUBLISHER_FIELDS)
    number = (work.raw.get("number") or "").strip()
    if work.arxiv and kind in NUMBERED and not number:
        item["publisher"] = item.get("publisher") or "arXiv"
        number = f"arXiv:{work.arxiv}"
    item["issue" if kind in IN_CONTAINER else "number"] = number
    item["volume"] = (work.raw.get("volume") or "").strip()
    item["page"] = latex_to_unicode(work.raw.get("pages") or "")
    item["publisher-place"] = latex_to_unicode(work.raw.get("address") or "")
    item["note"] = latex_to_unicode(work.raw.get("note") or "")
    for key, value in (("URL", work.url), ("DOI", work.doi)):
        if value:
            item[key] = value
    # Our summary is not the work's abstract: reference managers would show it as one.
    if work.summary:
        item["custom"] = {SUMMARY_KEY: work.summary}
    return {k: v for k, v in item.items() if v}


def feed(corpus: Corpus, site: Site) -> str:
    """Atom feed of the newest additions (by `added`), newest first."""
    dated = [w for w in corpus.works.values() if w.added]
    newest = sorted(dated, key=lambda w: (w.added or "", w.key), reverse=True)[:FEED_SIZE]
    fg = FeedGenerator()
    fg.id(site.page_url("atlas/"))
    fg.title(f"{site.name}: latest additions")
    fg.subtitle("Works newly added to the map of the interpretability debate.")
    fg.link(href=site.page_url("atlas/data/feed.xml"), rel="self")
    fg.link(href=site.url, rel="alternate")
    fg.language("en")
    fg.generator("toi-atlas")
    stamps = []
    for work in reversed(newest):  # feedgen prepends each entry
        stamp = dt.datetime.fromisoformat(f"{work.added}T00:00:00+00:00")
        stamps.append(stamp)
        entry = fg.add_entry()
        url = site.page_url(f"atlas/works/{work.slug}/")
        entry.id(url)
        entry.link(href=url)
        # feedgen refuses an empty title; the checker refuses control characters (TOI123),
        # so this only guards a title that held nothing else.
        title = xml_safe(work.title) or work.key
        entry.title(title)
        entry.updated(stamp)
        entry.published(stamp)
        entry.summary(xml_safe(first_sentence(work.summary)) if work.summary else title)
        for name in filter(None, map(xml_safe, work.authors[:3])):
            entry.author(name=name)
    fg.updated(max(stamps) if stamps else dt.datetime(2023, 1, 1, tzinfo=dt.UTC))
    xml: bytes = fg.atom_str(pretty=True)
    return xml.decode("utf-8")


def render(ctx: Context) -> dict[str, str]:
    corpus, site = ctx.corpus, ctx.site
    works = sorted(corpus.works.values(), key=lambda w: w.key)
    edges = [
        {"source": e.source, "type": e.type, "target": e.target, "scope": e.scope}
        for w in works
        for e in w.edges
        if e.target in corpus.works
    ]
    schema = resources.files("toi_atlas").joinpath("schema/works.schema.json").read_text("utf-8")
    return {
        "data/works.json": dumps(
            {"$schema": "works.schema.json", "version": 1, "works": [work_record(w) for w in works]}
        ),
        SCHEMA: schema,
        "data/edges.json": dumps({"version": 1, "edges": edges}),
        "data/all.bib": all_bib(corpus, clean=False),
        "data/all-clean.bib": all_bib(corpus, clean=True),
        "data/works.csl.json": dumps([csl_item(w) for w in corpus.works.values()]),
        "data/feed.xml": feed(corpus, site),
    }
