"""Text from a fetched record: cleaned, checked per field, and shown safely.

A metadata server decides every byte of what `add` writes, so nothing it sends is
written or printed as it came. Invisible characters (controls, terminal escapes,
bidi overrides, zero-width marks) are removed from text; identifiers and links must
match their field's form exactly; and anything echoed to the terminal goes through
`shown`, which makes every such character visible as `\\x1b` or `U+202E`. Pure
functions on strings: the rules for *which* field is dropped or refused live in vetting.py.
"""

from __future__ import annotations

import re
import unicodedata

from ..output import INVISIBLE, LINE_BREAKS, terminal_safe, visible
from ..read.bibsource import braces_balanced
from .identity import ARXIV_RE, is_safe_url

# A DOI as the checker reads it (10.NNNN/suffix), in printable ASCII without the
# characters that end or escape a BibTeX value. Crossref's own advice matches 99.9%
# of DOIs with a narrower set; braces and backslashes occur in none we know of.
_DOI = re.compile(r"10\.\d{4,9}/[!-~]+")
_BIBTEX_SPECIAL = frozenset("{}\\")
_PRIMARY_CLASS = re.compile(r"[a-z-]+(?:\.[A-Za-z-]+)?")  # stat.ML, hep-th, cond-mat.stat-mech


def is_invisible(ch: str) -> bool:
    return unicodedata.category(ch) in INVISIBLE


def clean_text(text: str) -> tuple[str, tuple[str, ...]]:
    """Whitespace collapsed, invisible characters removed; and which ones were removed.

    What `str.split` counts as whitespace (tabs, line ends, U+2028, the separators
    U+001C-001F) becomes a space, as the parsers' own whitespace collapsing does; every
    other control or format character is dropped. The second item lists each removed
    character once, as `shown` writes it, for the warning.
    """
    if text.isprintable():  # the usual case, decided in C: nothing to remove
        return " ".join(text.split()), ()
    kept: list[str] = []
    removed: dict[str, None] = {}
    for ch in text:
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch) in INVISIBLE:
            removed[visible(ch)] = None
        else:
            kept.append(ch)
    return " ".join("".join(kept).split()), tuple(removed)


def shown(value: str, limit: int = 80) -> str:
    """A value quoted in a message: terminal-safe and cut to `limit` characters."""
    cut = value if len(value) <= limit else value[:limit] + f"… ({len(value):,} characters)"
    return f"`{terminal_safe(cut)}`"


def has_invisible(text: str) -> bool:
    return not text.isprintable() and any(
        unicodedata.category(ch) in INVISIBLE | LINE_BREAKS for ch in text
    )


def is_plain(text: str) -> bool:
    """Text a BibTeX value can hold as written: balanced braces, nothing invisible."""
    return braces_balanced(text) and not has_invisible(text)


def is_doi(value: str) -> bool:
    return _DOI.fullmatch(value) is not None and not _BIBTEX_SPECIAL & set(value)


def is_url(value: str) -> bool:
    """An absolute http(s) URL with nothing in it that BibTeX or a terminal would act on."""
    return (
        is_safe_url(value)
        and not _BIBTEX_SPECIAL & set(value)
        and not has_invisible(value)
        and not any(ch.isspace() for ch in value)
    )


def is_arxiv_id(value: str) -> bool:
    return ARXIV_RE.fullmatch(value) is not None


def is_primary_class(value: str) -> bool:
    return _PRIMARY_CLASS.fullmatch(value) is not None


def plausible_year(year: int, this_year: int) -> bool:
    """The checker's rule (TOI111): 1900 up to next year."""
    return 1900 <= year <= this_year + 1
