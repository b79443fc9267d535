"""Short labels for drawings: unique within a set of works, and fitted to a width.

The debate diagram and the argument graph name works by credit ("Casper 2023"). Two
works often share one, so a distinguishing title word is added ("Casper 2023 ·
Engineer's"). The generator has no browser to measure text, so widths are estimated
from Helvetica/Arial advance widths (what Material's system font stack resolves to on
most machines) with a margin for wider fonts; a label that does not fit is wrapped and,
at the last line, shortened with an ellipsis; callers keep the full text in <title>.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from ..model.corpus import Work

SEPARATOR = " · "
ELLIPSIS = "…"
# Wider system fonts (San Francisco, DejaVu Sans) run up to about 10% wider than Arial.
SAFETY = 1.12
BOLD = 1.08
# Advance widths in thousandths of an em (Helvetica's AFM; Arial and Liberation Sans match).
_WIDTHS = {
    **dict.fromkeys("ijl'|", 222),
    **dict.fromkeys(" ,.:;!fIt/[]\\·", 278),
    **dict.fromkeys('-r()`{}"', 333),
    **dict.fromkeys("Jcksvxyz?", 500),
    **dict.fromkeys("0123456789abdeghnopqu$#_L", 556),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("mM", 833),
    "W": 944,
    "%": 889,
    "@": 1015,
    ELLIPSIS: 1000,
    "—": 1000,
    "–": 556,
}
_DEFAULT = 600  # letters with accents and anything else: a little wider than most
_SMALL_WORDS = """a an and are as at be by can did do does for from has have how in into is
it its may might no not of on or our should that the their this to toward towards vs we
what when where which who why will with would you"""
_STOPWORDS = frozenset(_SMALL_WORDS.split())
_YEAR = re.compile(r"\b\d{4}\b(?!.*\b\d{4}\b)")  # the last year in a label
_WORD = re.compile(r"[^\W_][\w'’-]*")


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated advance width of `text` at `size` px, on the generous side."""
    units = sum(_WIDTHS.get(ch, _DEFAULT) for ch in text)
    return units / 1000 * size * SAFETY * (BOLD if bold else 1.0)


def shorten(text: str, width: float, size: float, *, bold: bool = False, words: bool = True) -> str:
    """`text`, or its longest prefix plus an ellipsis that fits `width`, cut at a space
    where one is near (unless `words` is false)."""
    if text_width(text, size, bold=bold) <= width:
        return text
    cut = len(text)
    while cut > 1 and text_width(text[:cut].rstrip() + ELLIPSIS, size, bold=bold) > width:
        cut -= 1
    space = text.rfind(" ", 0, cut)
    if words and space > cut * 2 // 3:  # a whole word when it costs little room
        cut = space
    return text[:cut].rstrip(" ·,") + ELLIPSIS


def short_label(label: str, width: float, size: float) -> str:
    """A label that fits `width`, shortened in its name part so that the year and the
    distinguishing word stay: "Anthropic Interpretab… 2023 · July"."""
    if text_width(label, size) <= width:
        return label
    year = _YEAR.search(label)
    if year is None:
        return shorten(label, width, size)
    head, tail = label[: year.start()].rstrip(), label[year.start() :]
    room = width - text_width(" " + tail, size)
    if room >= text_width("Abcdef" + ELLIPSIS, size):
        return f"{shorten(head, room, size)} {tail}"
    # A long title word: the name and the word share the room, each cut if need be.
    head = shorten(head, width * 0.55, size, words=False)
    return f"{head} {shorten(tail, width - text_width(head + ' ', size), size, words=False)}"


def wrap(text: str, width: float, size: float, max_lines: int, *, bold: bool = False) -> list[str]:
    """`text` in at most `max_lines` lines of `width` px, broken at spaces; what is left
    over after the last line is cut with an ellipsis."""
    words = text.split()
    lines: list[str] = []
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}", size, bold=bold) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:  # did not fit: the last line carries the rest, shortened
        lines[-1] = " ".join([lines[-1], *words])
    if lines:
        lines[-1] = shorten(lines[-1], width, size, bold=bold)
    lines[:-1] = [shorten(ln, width, size, bold=bold) for ln in lines[:-1]]  # one long word
    return lines


def _distinguishing_word(words: list[str], taken: Callable[[str], bool]) -> str:
    """The first of a title's `words` that no other title in the group contains
    (`taken`): one of three letters or more that is not a stop word when there is one
    ("May" of "Circuits Updates — May 2023" is a stop word, but the only choice),
    capitalised."""
    own = [w for w in words if not taken(w.lower())]
    plain = [w for w in own if w.lower() not in _STOPWORDS]
    best = ([w for w in plain if len(w) >= 3] or plain or own or [""])[0]
    return best[:1].upper() + best[1:]


def _distinguishing_words(group: list[Work]) -> list[str]:
    """`_distinguishing_word` of each work of the group. Each title is split once and
    the group's words counted (a work listed twice counts once, as it is not its own
    other), not every other title split again for each work: a credit shared by
    hundreds of works (a synthetic corpus) made that quadratic."""
    titles = [_WORD.findall(w.title) for w in group]
    lowered = [{word.lower() for word in words} for words in titles]
    distinct = {id(w): own for w, own in zip(group, lowered, strict=True)}
    count = Counter(word for own in distinct.values() for word in own)
    out = []
    for words, own in zip(titles, lowered, strict=True):

        def taken(word: str, own: set[str] = own) -> bool:
            return count[word] > (word in own)

        out.append(_distinguishing_word(words, taken))
    return out


def distinct_labels(works: Iterable[Work]) -> dict[str, str]:
    """Key -> credit, with a title word where works share a credit ("Nanda 2025 ·
    Pragmatic"), or a letter ("Roe 2020 · b") when the titles cannot tell them apart."""
    groups: dict[str, list[Work]] = defaultdict(list)
    for w in works:
        groups[w.credit or w.key].append(w)
    out: dict[str, str] = {}
    for credit, group in groups.items():
        if len(group) == 1:
            out[group[0].key] = credit
            continue
        group = sorted(group, key=lambda w: (w.title.lower(), w.key))
        words = _distinguishing_words(group)
        if "" in words or len({w.lower() for w in words}) < len(words):
            words = [chr(ord("a") + i) if i < 26 else str(i + 1) for i in range(len(group))]
        for w, word in zip(group, words, strict=True):
            out[w.key] = f"{credit}{SEPARATOR}{word}"
    return out
