"""RIS records (the format EndNote, Zotero, Mendeley and most library catalogues import).

One record per work, written by rispy from the work's CSL-JSON item, so the RIS and the
CSL-JSON download of a selection always say the same thing. The browse page fetches
the records as a map from key to record and only concatenates the selected ones.
"""

from __future__ import annotations

from typing import Any

import rispy  # RIS tag table and writer; a hand-written one would drift from the spec

from ..model.corpus import Work
from ..model.csl import csl_item

# CSL type -> RIS type, as Zotero's RIS translator maps the same kinds of item; CSL's
# plain "article" (mostly preprints) has no RIS type and gets Zotero's default, GEN.
RIS_TYPES = {
    "article-journal": "JOUR",
    "paper-conference": "CONF",
    "chapter": "CHAP",
    "book": "BOOK",
    "report": "RPRT",
    "thesis": "THES",
    "post-weblog": "BLOG",
    "post": "ELEC",
    "webpage": "ELEC",
    "speech": "SLIDE",
}


class _Writer(rispy.RisWriter):
    """rispy's writer without its "1." line before each record: no RIS field, and
    numbering per work would restart at 1 in every concatenated selection."""

    def set_header(self, count: int) -> str:
        return ""


def _line(text: str) -> str:
    # RIS is one field per line: a line break inside a value would start a new tag
    # (or end the record), so every value is folded onto one line.
    return " ".join(text.split())


def _name(name: dict[str, str]) -> str:
    if "literal" in name:
        return _line(name["literal"])
    return _line(f"{name['family']}, {name['given']}")


def ris_fields(item: dict[str, Any]) -> dict[str, Any]:
    """A CSL-JSON item as rispy's field names (only what a CSL item of ours carries)."""
    ref: dict[str, Any] = {
        "type_of_reference": RIS_TYPES.get(item["type"], "GEN"),
        "id": _line(item["id"]),
        "title": _line(item["title"]),
    }
    notes: list[str] = []
    if item.get("author"):
        names = item["author"]
        # The CSL item ends a cut-short list with the literal "others"; RIS has no such
        # marker and a reference manager would file "others" as a person, so the known
        # names are listed and a note says the list is incomplete.
        if names[-1] == {"literal": "others"}:
            names = names[:-1]
            notes.append("Author list incomplete: more authors than the ones listed (et al.).")
        ref["authors"] = [_name(n) for n in names]
    if item.get("editor"):
        ref["secondary_authors"] = [_name(n) for n in item["editor"]]
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        ref["year"] = str(parts[0])
        # RIS dates are YYYY/MM/DD/other, empty parts kept.
        ref["date"] = f"{parts[0]}/{parts[1]:02d}//" if len(parts) > 1 else f"{parts[0]}///"
    if item.get("container-title"):
        ref["secondary_title"] = _line(item["container-title"])
    if item.get("URL"):
        ref["urls"] = [_line(item["URL"])]
    if item.get("DOI"):
        ref["doi"] = _line(item["DOI"])
    if item.get("number"):
        notes.insert(0, _line(item["number"]))
    if notes:
        ref["notes"] = notes
    if item.get("abstract"):
        ref["abstract"] = _line(item["abstract"])
    return ref


_WRITER = _Writer()  # stateless between calls; building its tag table once saves time


def ris_record(work: Work) -> str:
    """One RIS record, from `TY  - ` to `ER  - ` and a newline."""
    text: str = _WRITER.formats([ris_fields(csl_item(work))])
    return text.rstrip("\n") + "\n"
