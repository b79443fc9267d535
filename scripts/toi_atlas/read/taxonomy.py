"""The controlled vocabulary, read from `bib/taxonomy.yaml`.

One source feeds validation, the "allowed values" reference page and CLI help.
The file is user data, so its defects become TOI0xx diagnostics with a line number
rather than exceptions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, Span
from .yamlnodes import YamlFileError, get, line_of, load_file

# Topic sections are the ones a work is tagged with; each gets pages of its own.
TOPIC_SECTIONS: dict[str, str] = {
    "tois": "toi",
    "endstories": "endstory",
    "agendas": "agenda",
}
SECTIONS = ("stances", "tois", "endstories", "agendas", "edgetypes", "kinds")
SECTION_LABELS = {
    "toi": "Theory of impact",
    "endstory": "End story",
    "agenda": "Agenda",
    "stance": "Stance",
}
# How messages name a topic section: "unknown theory of impact `x`".
SECTION_WORD = {section: SECTION_LABELS[kind].lower() for section, kind in TOPIC_SECTIONS.items()}


@dataclass(frozen=True)
class Term:
    """One vocabulary item: a stance, topic, edge type or kind."""

    id: str
    name: str
    description: str
    section: str
    line: int
    number: int | None = None
    parent: str | None = None
    origin: str | None = None
    symbol: str | None = None
    inverse: str | None = None
    cito: str | None = None
    role: str | None = None  # what the debate pages make of a stance or an edge type

    @property
    def kind(self) -> str:
        """Page folder for topics (`toi`, `endstory`, `agenda`), else the section."""
        return TOPIC_SECTIONS.get(self.section, self.section.rstrip("s"))


@dataclass(frozen=True)
class Taxonomy:
    path: str
    stances: dict[str, Term] = field(default_factory=dict)
    tois: dict[str, Term] = field(default_factory=dict)
    endstories: dict[str, Term] = field(default_factory=dict)
    agendas: dict[str, Term] = field(default_factory=dict)
    edgetypes: dict[str, Term] = field(default_factory=dict)
    kinds: dict[str, Term] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Term]:
        value: dict[str, Term] = getattr(self, name)
        return value

    def topic(self, topic_id: str) -> Term | None:
        for name in TOPIC_SECTIONS:
            term = self.section(name).get(topic_id)
            if term is not None:
                return term
        return None

    def all_topics(self) -> list[Term]:
        return [t for name in TOPIC_SECTIONS for t in self.section(name).values()]

    def ordered(self, section: str) -> list[Term]:
        """A section's terms in the order topic indexes list them: the longlist's
        numbering first (sub-items after their parent), then file order."""
        terms = self.section(section)
        index = {tid: i for i, tid in enumerate(terms)}
        return sorted(terms.values(), key=lambda t: (t.number or 10_000, index[t.id]))

    def stance_with_role(self, role: str) -> str | None:
        """The id of the stance that plays `role` (`for`, `against`) in a debate."""
        return next((t.id for t in self.stances.values() if t.role == role), None)

    def edges_with_role(self, *roles: str) -> tuple[str, ...]:
        """The ids of the edge types that play one of `roles` (`objection`, `reply`,
        `support`, `extension`) in a debate, in taxonomy order."""
        return tuple(t.id for t in self.edgetypes.values() if t.role in roles)


# The parts a stance or an edge type can play on a debate page (render/topics.py via
# debate.py): the case for and the critiques; the edges that rebut, answer, back or
# build on a work. Which ids play them is the taxonomy's to say, not the code's.
ROLES = {
    "stances": frozenset({"for", "against"}),
    "edgetypes": frozenset({"objection", "reply", "support", "extension"}),
}


def _role(item: dict[str, object], section: str, line: int, bad: Callable[..., None]) -> str | None:
    role = item.get("role")
    if role is None:
        return None
    allowed = ROLES.get(section, frozenset())
    if role not in allowed:
        choices = ", ".join(sorted(allowed)) or "none in this section"
        bad(line, f"unknown role `{role}` for `{item.get('id')}`", f"roles here: {choices}")
        return None
    return str(role)


def load_taxonomy(path: Path, display: str | None = None) -> tuple[Taxonomy, list[Diagnostic]]:
    """Read and check the taxonomy; on a broken file return an empty one plus TOI001."""
    name = display or str(path)
    diags: list[Diagnostic] = []

    def bad(line: int, msg: str, hint: str = "", code: str = "TOI001") -> None:
        diags.append(Diagnostic(code, Span(name, line), msg, hint))

    try:
        root, data = load_file(path)
    except FileNotFoundError:
        bad(1, "taxonomy file not found", "create bib/taxonomy.yaml (see CONTRIBUTING.md)")
        return Taxonomy(name), diags
    except YamlFileError as exc:
        bad(exc.line, f"taxonomy is not valid YAML: {exc.problem}", "check indentation and quoting")
        return Taxonomy(name), diags
    if not isinstance(data, dict) or root is None:
        bad(1, "taxonomy must be a mapping with sections " + ", ".join(SECTIONS))
        return Taxonomy(name), diags

    sections: dict[str, dict[str, Term]] = {}
    seen: dict[str, str] = {}
    for section in SECTIONS:
        seq_node = get(root, section)
        items = data.get(section)
        if seq_node is None or not isinstance(items, list):
            where = line_of(seq_node) if seq_node is not None else 1
            state = "is not a list of items" if seq_node is not None else "is missing"
            bad(where, f"section `{section}` {state}", "see docs/data-model.md for the shape")
            sections[section] = {}
            continue
        terms: dict[str, Term] = {}
        for item, node in zip(items, seq_node.value, strict=False):
            line = line_of(node)
            if not isinstance(item, dict):
                bad(line, f"item in `{section}` is not a mapping")
                continue
            # Kinds are self-explanatory labels; everything else needs a description.
            needed = ("id", "name") if section == "kinds" else ("id", "name", "description")
            missing = [k for k in needed if not item.get(k)]
            if missing:
                bad(line, f"item in `{section}` lacks {', '.join(missing)}")
                continue
            tid = str(item["id"])
            if tid in seen:
                bad(
                    line,
                    f"id `{tid}` already declared in `{seen[tid]}`",
                    "ids are unique across all sections",
                    code="TOI002",
                )
                continue
            seen[tid] = section
            number = item.get("number")
            terms[tid] = Term(
                id=tid,
                name=str(item["name"]),
                description=" ".join(str(item.get("description") or "").split()),
                section=section,
                line=line,
                number=number if isinstance(number, int) else None,
                parent=item.get("parent"),
                origin=item.get("origin"),
                symbol=item.get("symbol"),
                inverse=item.get("inverse"),
                cito=item.get("cito"),
                role=_role(item, section, line, bad),
            )
        sections[section] = terms
    for section, role in (("stances", "for"), ("stances", "against")):
        playing = [t for t in sections.get(section, {}).values() if t.role == role]
        if len(playing) > 1:
            bad(playing[1].line, f"two stances play the role `{role}`", "give it to one only")

    tois = sections["tois"]
    for term in tois.values():
        if term.parent and term.parent not in tois:
            bad(term.line, f"parent `{term.parent}` of `{term.id}` is not a theory of impact")
    renamed = data.get("renamed") or {}
    if not isinstance(renamed, dict):
        bad(1, "`renamed` must map old ids to new ids")
        renamed = {}
    return Taxonomy(name, renamed={str(k): str(v) for k, v in renamed.items()}, **sections), diags
