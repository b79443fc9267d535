"""Data files: works.json (works with tags) and edges.json (the typed, scoped graph).

Deterministic: sorted by key, sorted dict keys, no timestamps, trailing newline.
"""

from __future__ import annotations

import json
from typing import Any

from ..model import Corpus, Work


def dumps(data: Any) -> str:
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def work_record(work: Work) -> dict[str, Any]:
    return {
        "key": work.key,
        "page": f"works/{work.slug}/",
        "type": work.entry_type,
        "kind": work.kind,
        "title": work.title,
        "authors": list(work.authors),
        "year": work.year,
        "month": work.month,
        "venue": work.venue,
        "url": work.url,
        "doi": work.doi,
        "arxiv": work.arxiv,
        "summary": work.summary,
        "added": work.added,
        "modified": work.modified,
        "readingtime": work.readingtime,
        "topics": [{"id": t.topic, "field": t.field, "stance": t.stance} for t in work.tags],
    }


def render(corpus: Corpus) -> dict[str, str]:
    works = sorted(corpus.works.values(), key=lambda w: w.key)
    edges = [
        {"source": e.source, "type": e.type, "target": e.target, "scope": e.scope}
        for w in works
        for e in w.edges
        if e.target in corpus.works
    ]
    return {
        "data/works.json": dumps({"version": 1, "works": [work_record(w) for w in works]}),
        "data/edges.json": dumps({"version": 1, "edges": edges}),
    }
