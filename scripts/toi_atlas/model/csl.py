"""A work as a CSL-JSON item: the one description of it that "cite as", the CSL-JSON
export and RIS all start from (so they never disagree about a work's type or names).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pybtex.database import Person

from .corpus import Work, latex_to_unicode

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


# latex_to_unicode of a value, kept: names, venues and publishers recur across a corpus,
# and every build makes every work's item (its hash is the "cite as" memo key).
_text = lru_cache(maxsize=1 << 16)(latex_to_unicode)


def _field(work: Work, names: tuple[str, ...]) -> str:
    for name in names:
        value = work.raw.get(name)
        if value and value.strip():
            return _text(value)
    return ""


def _plain(work: Work, name: str) -> str:
    """A field as text, "" when absent or empty."""
    value = work.raw.get(name)
    return _text(value) if value else ""


def _csl_person(person: Person) -> dict[str, str]:
    """A pybtex name as CSL name parts; a name with no given part is a literal (an
    organisation such as `{Center for AI Safety}`, or a single name)."""

    def part(names: list[str]) -> str:
        return _text(" ".join(names)) if names else ""

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
    item["page"] = _plain(work, "pages")
    item["publisher-place"] = _plain(work, "address")
    item["note"] = _plain(work, "note")
    for key, value in (("URL", work.url), ("DOI", work.doi)):
        if value:
            item[key] = value
    # Our summary is not the work's abstract: reference managers would show it as one.
    if work.summary:
        item["custom"] = {SUMMARY_KEY: work.summary}
    return {k: v for k, v in item.items() if v}
