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

from ..model.corpus import Corpus, Work
from ..model.csl import csl_item
from ..read.site import Site
from ..wording import counted
from ..write.bibtext import entry_to_bibtex
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


def all_bib(ctx: Context, *, clean: bool) -> str:
    works = ctx.corpus.works.values()
    what = "our custom fields stripped" if clean else "with ToI Atlas fields (tags, edges, summary)"
    # No "@" in these comment lines: BibTeX parsers read any "@" as the start of an entry.
    head = f"% ToI Atlas: {counted(len(works), 'work')}, {what}.\n"
    head += "% String macros are expanded.\n"
    # Clean, each entry is the text its work page and cite file show (made once).
    texts = map(ctx.bibtex, works) if clean else (entry_to_bibtex(w.raw) for w in works)
    return head + "".join("\n" + text for text in texts)


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
        "data/all.bib": all_bib(ctx, clean=False),
        "data/all-clean.bib": all_bib(ctx, clean=True),
        "data/works.csl.json": dumps([csl_item(w) for w in corpus.works.values()]),
        "data/feed.xml": feed(corpus, site),
    }
