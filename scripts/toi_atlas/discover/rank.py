"""How much a candidate matters to this debate: ties, recency, closeness in wording.

score = Σ weight(tied atlas work) + SIMILARITY × best TF-IDF similarity + recency

An atlas work's weight grows with how central it is in the corpus graph: 1 + log2(1 +
its typed edges both ways + the claims that name it), so citing the essay (dozens of
connections) counts several times more than citing a work nothing points to, while
many peripheral ties still add up. Recency halves every `HALF_LIFE` years. The
constants are set by hand; tests/test_discover_rank.py holds the order they must give.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..model.corpus import Corpus
from ..read.claims import Claim
from .candidates import Candidate
from .suggest import Neighbours, Suggestion

SIMILARITY = 4.0
HALF_LIFE = 2.0  # years


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    suggestion: Suggestion
    reasons: tuple[str, ...]


def atlas_weights(corpus: Corpus, claims: Iterable[Claim]) -> dict[str, float]:
    degree: Counter[str] = Counter()
    for work in corpus.works.values():
        for edge in work.edges:
            degree[edge.source] += 1
            degree[edge.target] += 1
    for claim in claims:
        for key in {*claim.made_by, *claim.supported_by, *claim.disputed_by}:
            degree[key] += 1
    return {key: 1.0 + math.log2(1 + degree[key]) for key in corpus.works}


def recency(year: int | None, this_year: int) -> float:
    if year is None:
        return 0.0
    return 0.5 ** (max(0, this_year - year) / HALF_LIFE)


def rank(
    candidates: list[Candidate],
    corpus: Corpus,
    claims: Iterable[Claim],
    this_year: int,
    model: Neighbours | None = None,
) -> list[Ranked]:
    """Best first; ties in score go to the newer work, then the title."""
    weights = atlas_weights(corpus, claims)
    model = model or Neighbours(corpus)
    rows = model.similarities([f"{c.title} {c.abstract}" for c in candidates])
    out = []
    for candidate, row in zip(candidates, rows, strict=True):
        tie_score = sum(weights.get(k, 1.0) for k in candidate.ties)
        best = max(row, default=0.0)
        score = tie_score + SIMILARITY * best + recency(candidate.year, this_year)
        suggestion = model.suggest(row, candidate.ties, candidate.searches)
        out.append(Ranked(candidate, score, suggestion, reasons(candidate, weights, suggestion)))
    out.sort(key=lambda r: (-r.score, -(r.candidate.year or 0), r.candidate.title.lower()))
    return out


def _keys(keys: set[str], weights: dict[str, float]) -> str:
    """The most central first: those are the ties a curator weighs."""
    return ", ".join(sorted(keys, key=lambda k: (-weights.get(k, 1.0), k)))


def _works(n: int) -> str:
    return f"{n} atlas work{'s' if n != 1 else ''}"


def reasons(
    candidate: Candidate, weights: dict[str, float], suggestion: Suggestion
) -> tuple[str, ...]:
    """Plain text (keys and ids only), escaped wherever it is shown."""
    out = []
    if candidate.cites:
        out.append(f"cites {_works(len(candidate.cites))}: {_keys(candidate.cites, weights)}")
    if candidate.cited_by:
        by = candidate.cited_by
        out.append(f"cited by {_works(len(by))}: {_keys(by, weights)}")
    if candidate.searches:
        out.append("found by the arXiv search for " + ", ".join(sorted(candidate.searches)))
    if suggestion.closest:
        out.append("closest: " + ", ".join(f"{k} ({s:.2f})" for k, s in suggestion.closest[:3]))
    return tuple(out)
