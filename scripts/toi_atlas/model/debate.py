"""The debate on one topic, computed from tags and typed, scoped edges.

Pure data, no Markdown: `render/topics.py` and `render/diagram.py` draw it, tests
check it. An edge belongs to a topic's debate when it is scoped to that topic, or
when it is unscoped and both works are tagged with the topic; an edge scoped to
another topic never leaks in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..read.taxonomy import Taxonomy
from .corpus import Corpus, Edge, Work

# Which stances and edge types play which part is the taxonomy's `role` (taxonomy.ROLES).


@dataclass
class Critique:
    work: Work
    targets: list[Work] = field(default_factory=list)  # works it rebuts on this topic
    replies: list[tuple[Work, str]] = field(default_factory=list)  # (work, edge type)


@dataclass
class Debate:
    topic: str
    case_for: list[Work]
    critiques: list[Critique]
    evidence: dict[str, list[tuple[Work, Work]]]  # side -> (evidence, the work it supports)
    others: list[tuple[Work, str | None]]  # tagged works in no section above, with stance
    edges: list[Edge]

    @property
    def unanswered(self) -> list[Critique]:
        return [c for c in self.critiques if not c.replies]


def on_topic(edge: Edge, topic: str, corpus: Corpus) -> bool:
    if edge.scope is not None:
        return edge.scope == topic
    src, dst = corpus.works.get(edge.source), corpus.works.get(edge.target)
    return bool(src and dst and src.stance_on(topic) and dst.stance_on(topic))


def side_of(work: Work, topic: str, tax: Taxonomy) -> str:
    """Which side a supported work is on (`for`, `against`, `other`): the role of its
    stance on the topic, else of its default stance."""
    stance = tax.stances.get(work.stance_on(topic) or work.default_stance or "")
    return stance.role if stance is not None and stance.role else "other"


def build_debate(topic: str, corpus: Corpus) -> Debate:
    works = corpus.sorted_works()
    edges = [
        e for w in works for e in w.edges if e.target in corpus.works and on_topic(e, topic, corpus)
    ]
    tax = corpus.taxonomy
    pro, con = tax.stance_with_role("for"), tax.stance_with_role("against")
    objections, supports = tax.edges_with_role("objection"), tax.edges_with_role("support")
    replies = tax.edges_with_role("objection", "reply")
    tagged = corpus.works_on(topic)
    case_for = [w for w, stance in tagged if stance == pro]
    advocates = {w.key for w in case_for}
    critics = {w.key: Critique(w) for w, stance in tagged if stance == con}
    for e in edges:
        if e.type in objections and (e.target in advocates or e.source in critics):
            crit = critics.setdefault(e.source, Critique(corpus.works[e.source]))
            target = corpus.works[e.target]
            if target not in crit.targets:
                crit.targets.append(target)
    for e in edges:
        if e.type in replies and e.target in critics and e.source != e.target:
            reply = (corpus.works[e.source], e.type)
            if reply not in critics[e.target].replies:
                critics[e.target].replies.append(reply)
    # An advocate's rebuttal of a critique is a reply, not a second critique.
    critiques = [c for k, c in critics.items() if k not in advocates or not c.targets]
    evidence: dict[str, list[tuple[Work, Work]]] = {"for": [], "against": [], "other": []}
    for e in edges:
        if e.type in supports:
            target = corpus.works[e.target]
            evidence[side_of(target, topic, tax)].append((corpus.works[e.source], target))
    placed = advocates | {c.work.key for c in critiques}
    placed |= {r.key for c in critiques for r, _ in c.replies}
    placed |= {src.key for pairs in evidence.values() for src, _ in pairs}
    others: list[tuple[Work, str | None]] = [
        (w, stance) for w, stance in tagged if stance and w.key not in placed
    ]
    return Debate(topic, case_for, critiques, evidence, others, edges)
