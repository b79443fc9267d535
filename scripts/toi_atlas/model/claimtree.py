"""The argument as a graph of claims: theses, objections, supports, and each claim's status.

Pure data, no I/O and no taxonomy: `build_tree(claims)` keeps every relation it can
(`objects_to` and `supports`, read as edges from the claim that declares them to the
claim they name) and records the ones it refuses, with why, so that the checker
reports them and the pages never meet a dangling id or a cycle.

Status is computed, never typed (docs/data-model.md): a claim nobody objects to is
unanswered; one with an objection that has no reply of its own is contested; one
whose objections all have a reply is answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from ..read.claims import RELATIONS, Claim


class Status(StrEnum):
    UNANSWERED = "unanswered"
    CONTESTED = "contested"
    ANSWERED = "answered"


class Refusal(StrEnum):
    UNKNOWN = "unknown claim"
    SELF = "relation to itself"
    CYCLE = "closes a cycle"
    NO_SHARED_TOPIC = "no shared topic"


@dataclass(frozen=True)
class Relation:
    """`source` objects to (`kind` objects_to) or supports (`kind` supports) `target`."""

    source: str
    target: str
    kind: str
    line: int


@dataclass(frozen=True)
class Refused:
    relation: Relation
    reason: Refusal


@dataclass(frozen=True)
class Step:
    """One claim in a depth-first walk of a tree: how it hangs under its parent."""

    claim: Claim
    depth: int
    relation: Relation | None  # None for the root of the walk
    repeat: bool  # already shown earlier in the walk (a claim with two parents)


@dataclass(frozen=True)
class ClaimTree:
    claims: dict[str, Claim]  # in file order
    relations: tuple[Relation, ...]  # the kept ones, in file order
    refused: tuple[Refused, ...]
    theses: dict[str, str]  # topic -> id of the first claim declaring itself its thesis
    _in: dict[str, tuple[Relation, ...]] = field(repr=False)  # target -> relations into it
    _out: dict[str, tuple[Relation, ...]] = field(repr=False)  # source -> its relations
    statuses: dict[str, Status] = field(repr=False)

    def children(self, claim_id: str) -> tuple[Relation, ...]:
        """Relations into the claim: its supports first, then its objections, file order."""
        return self._in.get(claim_id, ())

    def parents(self, claim_id: str) -> tuple[Relation, ...]:
        """The claim's own relations: what it objects to or supports."""
        return self._out.get(claim_id, ())

    def objections(self, claim_id: str) -> list[Claim]:
        return [self.claims[r.source] for r in self.children(claim_id) if r.kind == "objects_to"]

    def supporters(self, claim_id: str) -> list[Claim]:
        return [self.claims[r.source] for r in self.children(claim_id) if r.kind == "supports"]

    def status(self, claim_id: str) -> Status:
        return self.statuses[claim_id]

    def thesis(self, topic: str) -> Claim | None:
        ident = self.theses.get(topic)
        return self.claims[ident] if ident else None

    def is_thesis(self, claim_id: str) -> bool:
        return claim_id in self.theses.values()

    def theses_reached(self, claim_id: str) -> list[str]:
        """Ids of the theses this claim hangs under (itself, if it is one), nearest first."""
        found: list[str] = []
        seen: set[str] = set()
        todo = [claim_id]
        while todo:
            current = todo.pop(0)
            if current in seen:
                continue
            seen.add(current)
            if self.is_thesis(current):
                found.append(current)
            todo += [r.target for r in self.parents(current)]
        return found

    def on_topic(self, topic: str) -> list[Claim]:
        return [c for c in self.claims.values() if topic in c.topics]

    def walk(self, root: str, seen: set[str] | None = None) -> Iterator[Step]:
        """Depth first from `root`. A claim met again (in this walk or in `seen`, which
        the walk updates) is a repeat and its children are not walked again."""
        shown = set() if seen is None else seen
        yield from self._walk(root, 0, None, shown)

    def _walk(
        self, ident: str, depth: int, relation: Relation | None, shown: set[str]
    ) -> Iterator[Step]:
        repeat = ident in shown
        yield Step(self.claims[ident], depth, relation, repeat)
        if repeat:
            return
        shown.add(ident)
        for child in self.children(ident):
            yield from self._walk(child.source, depth + 1, child, shown)

    def roots(self, claims: Iterable[Claim]) -> list[Claim]:
        """Among `claims`, those with no relation to another of them: where walks start."""
        ids = {c.id for c in claims}
        return [c for c in claims if not any(r.target in ids for r in self.parents(c.id))]


def build_tree(claims: Iterable[Claim]) -> ClaimTree:
    by_id: dict[str, Claim] = {}
    for claim in claims:
        by_id.setdefault(claim.id, claim)
    kept: list[Relation] = []
    refused: list[Refused] = []
    out: dict[str, list[Relation]] = {}
    for claim in by_id.values():
        for kind in RELATIONS:
            for target in getattr(claim, kind):
                rel = Relation(claim.id, target, kind, claim.line_of(f"{kind}:{target}"))
                reason = _refusal(rel, by_id, out)
                if reason is None:
                    kept.append(rel)
                    out.setdefault(rel.source, []).append(rel)
                else:
                    refused.append(Refused(rel, reason))
    theses: dict[str, str] = {}
    for claim in by_id.values():
        if claim.thesis:
            theses.setdefault(claim.thesis, claim.id)
    into: dict[str, list[Relation]] = {}
    # Supports before objections under each claim: the case, then what is said against it.
    for rel in sorted(kept, key=lambda r: r.kind != "supports"):
        into.setdefault(rel.target, []).append(rel)
    return ClaimTree(
        claims=by_id,
        relations=tuple(kept),
        refused=tuple(refused),
        theses=theses,
        _in={k: tuple(v) for k, v in into.items()},
        _out={k: tuple(v) for k, v in out.items()},
        statuses=_statuses(by_id, kept),
    )


def _refusal(
    rel: Relation, claims: dict[str, Claim], out: dict[str, list[Relation]]
) -> Refusal | None:
    if rel.target not in claims:
        return Refusal.UNKNOWN
    if rel.target == rel.source:
        return Refusal.SELF
    if not set(claims[rel.source].topics) & set(claims[rel.target].topics):
        return Refusal.NO_SHARED_TOPIC
    if _reaches(rel.target, rel.source, out):
        return Refusal.CYCLE
    return None


def _reaches(start: str, goal: str, out: dict[str, list[Relation]]) -> bool:
    seen: set[str] = set()
    todo = [start]
    while todo:
        current = todo.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            todo += [r.target for r in out.get(current, ())]
    return False


def _statuses(claims: dict[str, Claim], kept: list[Relation]) -> dict[str, Status]:
    objected: dict[str, list[str]] = {}
    for rel in kept:
        if rel.kind == "objects_to":
            objected.setdefault(rel.target, []).append(rel.source)
    statuses: dict[str, Status] = {}
    for ident in claims:
        objections = objected.get(ident, [])
        if not objections:
            statuses[ident] = Status.UNANSWERED
        elif any(o not in objected for o in objections):
            statuses[ident] = Status.CONTESTED
        else:
            statuses[ident] = Status.ANSWERED
    return statuses
