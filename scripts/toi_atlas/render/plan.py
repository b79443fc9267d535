"""Every output of the generator for one checked corpus: {path in output folder: text}.

Apart from the pipeline so that `check`, and a build with nothing to render, never
import the renderers and the formatting libraries behind them (citeproc-py, lxml,
feedgen, rdflib): about 0.1 s of every `check`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostic
from ..model.corpus import Corpus
from ..write.fill import SHELL_PAGE, shell_page
from . import (
    argdown,
    browse,
    claimspage,
    downloads,
    exports,
    graph,
    indexes,
    pages,
    reading,
    topics,
)
from .context import Context
from .markdown import work_path

# One module per output kind; each maps the corpus to {path in output folder: text}.
# Work pages apart (`pages.render`): they are HTML fragments, not files of docs/atlas.
RENDERERS: dict[str, Callable[[Context], dict[str, str]]] = {
    "browse": browse.render,
    "topics": topics.render,
    "indexes": indexes.render,
    "exports": exports.render,
    "reading": reading.render,
    "claims": claimspage.render,
    "graph": graph.render,
    "argdown": argdown.render,
}


@dataclass(frozen=True)
class Plan:
    """`docs`: {path under docs/atlas: text}, built by MkDocs (or Zensical) with the
    rest of the site. `works`: {work page path: fragment}, the HTML the generator
    writes itself (workhtml) and `toi-atlas site` pours into the theme's shell. `cite`:
    {cite/x.bib: BibTeX}, kept beside the fragments, not in docs/ (MkDocs would copy
    each of them, 10,000 at 10,000 works); `toi-atlas site` puts them into the site
    (write.fill.publish_cite)."""

    docs: dict[str, str]
    works: dict[str, dict[str, Any]]
    cite: dict[str, str]
    kept: frozenset[str] = frozenset()  # work pages not rendered: their fragments stand


def render_all(
    ctx: Context,
    keep: frozenset[str] = frozenset(),
    work_pages: dict[str, dict[str, Any]] | None = None,
) -> Plan:
    """Every output; the work pages in `keep` are not rendered again (reuse.py).
    `work_pages`: what `pages.render(ctx, keep)` gave, when the caller rendered them first."""
    works = pages.render(ctx, keep) if work_pages is None else work_pages
    plan: dict[str, str] = {}
    for output in RENDERERS.values():
        plan.update(output(ctx))
    # The Data page lists the exports' sizes, so it is rendered after them.
    sizes = {p.removeprefix("data/"): len(t.encode()) for p, t in plan.items() if p[:5] == "data/"}
    plan[downloads.PAGE] = downloads.render(ctx, sizes)
    plan[SHELL_PAGE] = shell_page()
    kept = keep & {work_path(w) for w in ctx.corpus.works.values()}
    return Plan(plan, works, pages.cite_files(ctx), kept)


def dropped(corpus: Corpus, plan: Plan) -> list[Diagnostic]:
    """Nothing lost: every work must have its page in the plan."""
    return [
        Diagnostic("TOI901", w.span, f"no page generated for `{w.key}`", "report this as a bug")
        for w in corpus.works.values()
        if work_path(w) not in plan.works and work_path(w) not in plan.kept
    ]
