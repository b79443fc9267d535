"""Normalised text, so that the checker, `add` and `import` agree on what is "the same".

Two titles or names that differ only in ways a reader would not notice must compare
equal, or a work slips into the corpus twice (identifiers and the rule itself are in
`identity.py`). Suggestions for a mistyped id come from here too, so every command
words them alike. Pure functions on strings; nothing here knows about files or the
model.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

# Letters that Unicode does not decompose into ASCII ones, folded the way they are
# usually written in ASCII (NFKD leaves `ß`, `ø`, `ł` alone, so they would be dropped).
FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
    }
)


_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9]+")


def ascii_fold(text: str) -> str:
    """`Goldowsky-Dill` -> `goldowskydill`, `Rényi` -> `renyi`: letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", text.translate(FOLD))
    plain = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]", "", plain)


def norm_title(title: str) -> str:
    """A title (or name) up to case, accents, spacing and punctuation, in any script.

    `On Rényi: a Y!` -> `onrenyiay`; letters of other scripts are kept, so two titles in
    Greek or Chinese still compare by their letters.
    """
    if title.isascii():  # most titles: the same result, without a loop per character
        return _NOT_ASCII_ALNUM.sub("", title.lower())
    plain = unicodedata.normalize("NFKD", title.translate(FOLD)).casefold()
    return "".join(ch for ch in plain if ch.isalnum() and not unicodedata.combining(ch))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest choice (`did you mean `x`?`), or "" when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def one_of(word: str, choices: Iterable[str], what: str) -> str:
    """`did_you_mean`, or else the whole list: `stances: advocates, critiques, ...`."""
    options = list(choices)
    return did_you_mean(word, options) or f"{what}: " + ", ".join(options)
