"""Text from a fetched record: cleaned, checked per field, and shown safely.

A metadata server decides every byte of what `add` writes, so nothing it sends is
written or printed as it came. Invisible characters (controls, terminal escapes,
bidi overrides, zero-width marks) are removed from text; identifiers and links must
match their field's form exactly; and anything echoed to the terminal goes through
`shown`, which makes every such character visible as `\\x1b` or `U+202E`. Pure
functions on strings: the rules for *which* field is dropped or refused live in add.py.
"""

from __future__ import annotations

import re
import unicodedata

from .bibsource import braces_balanced
from .identity import ARXIV_RE, is_safe_url

# Unicode categories that never belong in a field: controls (C0, DEL, C1: ESC starts
# terminal escapes), format characters (bidi overrides U+202A-202E and isolates
# U+2066-2069, zero-width U+200B-200D, U+2060, U+FEFF, tag characters) and lone
# surrogates (not encodable as UTF-8).
_INVISIBLE = frozenset({"Cc", "Cf", "Cs"})
_LINE_BREAKS = frozenset({"Zl", "Zp"})  # U+2028, U+2029: a line break in disguise
# A DOI as the checker reads it (10.NNNN/suffix), in printable ASCII without the
# characters that end or escape a BibTeX value. Crossref's own advice matches 99.9%
# of DOIs with a narrower set; braces and backslashes occur in none we know of.
_DOI = re.compile(r"10\.\d{4,9}/[!-~]+")
_BIBTEX_SPECIAL = frozenset("{}\\")
_PRIMARY_CLASS = re.compile(r"[a-z-]+(?:\.[A-Za-z-]+)?")  # stat.ML, hep-th, cond-mat.stat-mech


def is_invisible(ch: str) -> bool:
    return unicodedata.category(ch) in _INVISIBLE


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
        elif unicodedata.category(ch) in _INVISIBLE:
            removed[visible(ch)] = None
        else:
            kept.append(ch)
    return " ".join("".join(kept).split()), tuple(removed)


def visible(ch: str) -> str:
    """One character as it may be printed: `\\x1b` for controls, `U+202E` for the rest."""
    code = ord(ch)
    if unicodedata.category(ch) == "Cc" and code < 0x100:
        return f"\\x{code:02x}"
    return f"U+{code:04X}"


def terminal_safe(text: str) -> str:
    """`text` with every control, format, surrogate or line-break character made visible."""
    if text.isprintable():
        return text
    return "".join(
        visible(ch) if unicodedata.category(ch) in _INVISIBLE | _LINE_BREAKS else ch for ch in text
    )


def shown(value: str, limit: int = 80) -> str:
    """A value quoted in a message: terminal-safe and cut to `limit` characters."""
    cut = value if len(value) <= limit else value[:limit] + f"… ({len(value):,} characters)"
    return f"`{terminal_safe(cut)}`"


def has_invisible(text: str) -> bool:
    return not text.isprintable() and any(
        unicodedata.category(ch) in _INVISIBLE | _LINE_BREAKS for ch in text
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
