"""Every output of the generator for one checked corpus: {path in output folder: text}.

Apart from the pipeline so that `check`, and a build with nothing to render, never
import the renderers and the formatting libraries behind them (citeproc-py, lxml,
feedgen, rdflib): about 0.1 s of every `check`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..diagnostics import Diagnostic
from ..model import Corpus
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
RENDERERS: dict[str, Callable[[Context], dict[str, str]]] = {
    "pages": pages.render,
    "browse": browse.render,
    "topics": topics.render,
    "indexes": indexes.render,
    "exports": exports.render,
    "reading": reading.render,
    "claims": claimspage.render,
    "graph": graph.render,
    "argdown": argdown.render,
}


def render_all(ctx: Context) -> dict[str, str]:
    plan: dict[str, str] = {}
    for output in RENDERERS.values():
        plan.update(output(ctx))
    # The Data page lists the exports' sizes, so it is rendered after them.
    sizes = {p.removeprefix("data/"): len(t.encode()) for p, t in plan.items() if p[:5] == "data/"}
    plan[downloads.PAGE] = downloads.render(ctx, sizes)
    return plan


def dropped(corpus: Corpus, plan: dict[str, str]) -> list[Diagnostic]:
    """Nothing lost: every work must have its page in the plan."""
    return [
        Diagnostic("TOI901", w.span, f"no page generated for `{w.key}`", "report this as a bug")
        for w in corpus.works.values()
        if work_path(w) not in plan
    ]
