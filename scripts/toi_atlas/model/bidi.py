"""Unicode bidirectional controls: find the unbalanced ones, and keep any from leaking.

An override (U+202E, RIGHT-TO-LEFT OVERRIDE) left open in a title reverses whatever
follows it on the same line: in a browser tab, "Title - ToI Atlas" shows the site
name backwards. Embeddings and overrides are closed by U+202C (PDF), isolates by
U+2069 (PDI), as in the Unicode Bidirectional Algorithm (UAX #9). The checker
refuses a field whose controls do not pair up (TOI130); `contain` closes whatever is
still open in text we show, because cutting a summary at its first sentence can
leave a balanced pair half-open. Pure functions on strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO, closed by PDF
ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI, closed by PDI
PDF, PDI = "\u202c", "\u2069"
_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Unbalanced:
    """The first control that does not pair up: where it is and what is wrong."""

    char: str
    offset: int
    unclosed: bool  # True: opened and never closed; False: closes nothing


def first_unbalanced(text: str) -> Unbalanced | None:
    """The first control that breaks the pairing, or None when every one pairs up.

    Stricter than UAX #9, which lets a PDI close embeddings opened inside its isolate:
    a field should close what it opens, in order.
    """
    stack: list[tuple[str, int]] = []
    for match in _CONTROL.finditer(text):
        char, offset = match.group(), match.start()
        if char in EMBEDDINGS or char in ISOLATES:
            stack.append((char, offset))
            continue
        opener = stack[-1][0] if stack else ""
        if (char == PDF and opener in EMBEDDINGS) or (char == PDI and opener in ISOLATES):
            stack.pop()
        elif stack:
            return Unbalanced(*stack[-1], unclosed=True)
        else:
            return Unbalanced(char, offset, unclosed=False)
    return Unbalanced(*stack[0], unclosed=True) if stack else None


def contain(text: str) -> str:
    """`text` with stray closers dropped and every open control closed at its end."""
    if not _CONTROL.search(text):
        return text
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for match in _CONTROL.finditer(text):
        char = match.group()
        out.append(text[pos : match.start()])
        pos = match.end()
        if char in EMBEDDINGS or char in ISOLATES:
            stack.append(char)
        elif char == PDF and stack and stack[-1] in EMBEDDINGS:
            stack.pop()
        elif char == PDI and ISOLATES.intersection(stack):
            while stack.pop() not in ISOLATES:  # a PDI also ends embeddings inside it
                out.append(PDF)
        else:
            continue  # closes nothing: drop it
        out.append(char)
    out.append(text[pos:])
    out.extend(PDI if char in ISOLATES else PDF for char in reversed(stack))
    return "".join(out)
