"""The argument as a tree: relations kept or refused, theses, walks and computed status."""

from __future__ import annotations

from pathlib import Path

from toi_atlas.model.claimtree import Refusal, Status, build_tree
from toi_atlas.read.claims import Claim, load_claims


def claim(
    ident: str,
    *,
    topics: tuple[str, ...] = ("auditing",),
    objects_to: tuple[str, ...] = (),
    supports: tuple[str, ...] = (),
    thesis: str | None = None,
) -> Claim:
    return Claim(
        ident,
        f"The full sentence of {ident}.",
        topics,
        made_by=("w2023",),
        supported_by=(),
        disputed_by=(),
        line=1,
        gist=f"Gist of {ident}",
        thesis=thesis,
        objects_to=objects_to,
        supports=supports,
    )


# thesis <- open                    (an objection nobody answers)
# thesis <- answered-obj <- reply    (an objection with a reply)
# thesis <+ backing, settled; settled <- obj2 <- reply2
DEBATE = [
    claim("thesis", thesis="auditing"),
    claim("open", objects_to=("thesis",)),
    claim("answered-obj", objects_to=("thesis",)),
    claim("reply", objects_to=("answered-obj",)),
    claim("backing", supports=("thesis",)),
    claim("settled", supports=("thesis",)),
    claim("obj2", objects_to=("settled",)),
    claim("reply2", objects_to=("obj2",)),
]


def test_status_is_computed_from_objections_and_their_replies() -> None:
    tree = build_tree(DEBATE)
    assert tree.refused == ()
    assert tree.status("open") is Status.UNANSWERED  # nobody objects to it
    assert tree.status("backing") is Status.UNANSWERED
    assert tree.status("thesis") is Status.CONTESTED  # `open` has no reply
    assert tree.status("answered-obj") is Status.CONTESTED  # its objection `reply` is open
    assert tree.status("settled") is Status.ANSWERED  # its one objection has a reply
    # A support is not an objection: backing a claim does not answer it.
    assert build_tree([claim("a"), claim("b", supports=("a",))]).status("a") is Status.UNANSWERED


def test_children_parents_and_theses() -> None:
    tree = build_tree(DEBATE)
    assert tree.thesis("auditing") == DEBATE[0]
    assert tree.thesis("microscope-ai") is None
    # supports first, then objections, each in file order
    children = [r.source for r in tree.children("thesis")]
    assert children == ["backing", "settled", "open", "answered-obj"]
    assert [c.id for c in tree.objections("thesis")] == ["open", "answered-obj"]
    assert [c.id for c in tree.supporters("thesis")] == ["backing", "settled"]
    assert [(r.target, r.kind) for r in tree.parents("reply")] == [("answered-obj", "objects_to")]
    assert tree.theses_reached("reply2") == ["thesis"]
    assert tree.theses_reached("thesis") == ["thesis"]
    assert build_tree([claim("alone")]).theses_reached("alone") == []


def test_walk_nests_answers_under_what_they_answer_and_marks_repeats() -> None:
    two_parents = [*DEBATE, claim("both", objects_to=("open", "obj2"))]
    steps = list(build_tree(two_parents).walk("thesis"))
    shape = [(s.claim.id, s.depth, s.repeat) for s in steps]
    assert shape == [
        ("thesis", 0, False),
        ("backing", 1, False),
        ("settled", 1, False),
        ("obj2", 2, False),
        ("reply2", 3, False),
        ("both", 3, False),
        ("open", 1, False),
        ("both", 2, True),  # shown once in full; the second time only as a pointer
        ("answered-obj", 1, False),
        ("reply", 2, False),
    ]
    assert steps[0].relation is None
    assert steps[3].relation is not None and steps[3].relation.kind == "objects_to"


def test_relation_to_a_claim_on_another_topic_is_refused() -> None:
    tree = build_tree(
        [
            claim("thesis", thesis="auditing"),
            claim("elsewhere", topics=("microscope-ai",), objects_to=("thesis",)),
            claim("bridge", topics=("microscope-ai", "auditing"), objects_to=("thesis",)),
        ]
    )
    [refused] = tree.refused
    assert (refused.relation.source, refused.reason) == ("elsewhere", Refusal.NO_SHARED_TOPIC)
    assert [c.id for c in tree.objections("thesis")] == ["bridge"]
    assert tree.status("elsewhere") is Status.UNANSWERED


def test_a_cycle_is_refused_at_the_relation_that_closes_it() -> None:
    tree = build_tree(
        [
            claim("a", objects_to=("b",)),
            claim("b", supports=("c",)),
            claim("c", objects_to=("a",)),  # c -> a -> b -> c
            claim("d", objects_to=("d",)),
            claim("e", objects_to=("nowhere",)),
        ]
    )
    reasons = [(r.relation.source, r.relation.target, r.reason) for r in tree.refused]
    assert reasons == [
        ("c", "a", Refusal.CYCLE),
        ("d", "d", Refusal.SELF),
        ("e", "nowhere", Refusal.UNKNOWN),
    ]
    assert [(r.source, r.target) for r in tree.relations] == [("a", "b"), ("b", "c")]
    assert [s.claim.id for s in tree.walk("c")] == ["c", "b", "a"]  # the walk ends


def test_loader_reads_v2_keys_with_the_line_of_each_item(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(
        "claims:\n"
        "  - id: t\n"
        "    thesis: auditing\n"
        "    gist: A gist\n"
        "    text: A text.\n"
        "    topics: [auditing]\n"
        "    made_by: [w2023]\n"
        "  - id: o\n"
        "    gist: Another gist\n"
        "    text: Another text.\n"
        "    topics: [auditing]\n"
        "    objects_to:\n"
        "      - t\n"
        "    supports: t\n"
        "    made_by: [w2023]\n",
        encoding="utf-8",
    )
    (thesis, objection), diags = load_claims(path, "bib/claims.yaml")
    assert diags == []
    assert (thesis.thesis, thesis.gist, thesis.line_of("thesis")) == ("auditing", "A gist", 3)
    assert (objection.objects_to, objection.supports) == (("t",), ("t",))
    assert objection.line_of("objects_to:t") == 13
    assert objection.line_of("supports:t") == 14
    assert objection.line_of("nothing") == objection.line == 8
