"""Canonical BibTeX text for one entry: the only code that writes BibTeX.

Used for each work's `cite.bib` and the copy box (with our custom fields
stripped) and for whole-corpus exports. Field order is stable so diffs stay
clean: identification first, then publication details, then our fields.
"""

from __future__ import annotations

from .load import RawEntry

FIELD_ORDER = (
    "author",
    "editor",
    "title",
    "booktitle",
    "journal",
    "journaltitle",
    "volume",
    "number",
    "pages",
    "year",
    "month",
    "date",
    "publisher",
    "institution",
    "school",
    "organization",
    "howpublished",
    "note",
    "doi",
    "eprint",
    "archiveprefix",
    "primaryclass",
    "url",
    "pdf",
    "code",
    "kind",
    "tois",
    "endstories",
    "agendas",
    "stance",
    "rebuts",
    "supports",
    "extends",
    "repliesto",
    "summary",
    "added",
    "modified",
    "readingtime",
    "checked",
)
_RANK = {name: i for i, name in enumerate(FIELD_ORDER)}
# pybtex expands month macros to full names; write them back as the bare macro.
_MONTH_MACRO = {
    "january": "jan",
    "february": "feb",
    "march": "mar",
    "april": "apr",
    "may": "may",
    "june": "jun",
    "july": "jul",
    "august": "aug",
    "september": "sep",
    "october": "oct",
    "november": "nov",
    "december": "dec",
}


def field_sort_key(name: str) -> tuple[int, str]:
    return (_RANK.get(name, FIELD_ORDER.index("kind")), name)  # unknown: before our fields


def format_value(name: str, value: str) -> str:
    flat = " ".join(value.split())
    if name == "month" and flat.lower() in _MONTH_MACRO:
        return _MONTH_MACRO[flat.lower()]
    return "{" + flat + "}"


def entry_to_bibtex(raw: RawEntry, strip: frozenset[str] = frozenset()) -> str:
    names = sorted((n for n in raw.fields if n not in strip), key=field_sort_key)
    width = max((len(n) for n in names), default=0)
    body = [f"  {n.ljust(width)} = {format_value(n, raw.fields[n].value)}," for n in names]
    return "\n".join([f"@{raw.entry_type}{{{raw.key},", *body, "}"]) + "\n"


# Our own fields (not standard BibTeX) start here in FIELD_ORDER.
OUR_FIELDS = frozenset(FIELD_ORDER[FIELD_ORDER.index("kind") :])
_OUR_FIRST = FIELD_ORDER.index("kind")


def canonical_rank(name: str) -> float:
    """Sort key for `fmt` and `import`: FIELD_ORDER, with unknown fields just before ours.

    All unknown fields share one rank, so a stable sort keeps them in the order
    the author wrote them (unlike `field_sort_key`, which sorts them by name).
    """
    return _RANK.get(name.lower(), _OUR_FIRST - 0.5)
