"""BibTeX text: the one writer, used by `fmt`, `add`, `import` and the exports.

Every entry is written the same way: `@type{key,`, one field per line with a
two-space indent, lower-case names padded so that `=` lines up, a trailing comma
and `}` alone on the last line. Fields follow `FIELD_ORDER`; fields it does not
know keep the order they were written in and go just before our own fields, so
`fmt` never reorders what an author wrote and an export shows an entry as its
file does. Values: runs of ASCII whitespace become one space, the ends are
trimmed, a bare macro or a `#` concatenation stays as written, and an expanded
month name is written back as its macro (`apr`).

Also here: plain Unicode to BibTeX text (`escape_latex`, `bibtex_title`,
`bibtex_name`) for values that come from outside, such as a fetched record.
"""

from __future__ import annotations

import re

from ..read.bibsource import Piece, SourceEntry, braces_balanced
from ..read.load import RawEntry

MATH = re.compile(r"(\$[^$]+\$)")  # TeX inline math, as in arXiv titles


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
# Our own fields (not standard BibTeX) start here in FIELD_ORDER.
OUR_FIELDS = frozenset(FIELD_ORDER[FIELD_ORDER.index("kind") :])
_OUR_FIRST = FIELD_ORDER.index("kind")


def canonical_rank(name: str) -> float:
    """Sort key for every entry written: FIELD_ORDER, with unknown fields just before ours.

    All unknown fields share one rank, so a stable sort keeps them in the order
    the author wrote them.
    """
    return _RANK.get(name.lower(), _OUR_FIRST - 0.5)


# --- values and entries --------------------------------------------------------

_WS_RUN = re.compile(r"[ \t\n\r\f\v]+")  # ASCII only: a no-break space is meant


def _trim(text: str, *, start: bool, end: bool) -> str:
    """Drop the spaces at a value's ends, but never the space of a control space `\\ `."""
    if start:
        text = text.lstrip(" ")
    if end:
        trimmed = text.rstrip(" ")
        text = trimmed + " " if trimmed != text and trimmed.endswith("\\") else trimmed
    return text


def format_piece(piece: Piece, *, first: bool = True, last: bool = True) -> str:
    if piece.kind == "macro":
        return piece.text
    text = _trim(_WS_RUN.sub(" ", piece.text), start=first, end=last)
    if piece.kind == "quoted" and not braces_balanced(text):
        return f'"{text}"'
    return "{" + text + "}"


def format_value(pieces: tuple[Piece, ...]) -> str:
    # Only the ends of the whole value are trimmed: in `lw # { and friends}` the
    # space after `{` is part of the text.
    last = len(pieces) - 1
    return " # ".join(format_piece(p, first=i == 0, last=i == last) for i, p in enumerate(pieces))


def format_entry(entry: SourceEntry) -> str:
    """One entry in canonical form, without a final newline."""
    fields = sorted(entry.fields, key=lambda f: canonical_rank(f.name))  # stable
    width = max((len(f.name) for f in fields), default=0)
    body = [f"  {f.name.lower().ljust(width)} = {format_value(f.pieces)}," for f in fields]
    return "\n".join([f"@{entry.entry_type.lower()}{{{entry.key},", *body, "}"])


# pybtex expands month macros to full names; an export writes them back as the macro.
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


def _expanded_value(name: str, value: str) -> str:
    """A loaded (expanded) value as `format_value` writes it as one piece: a month's
    macro, else braced."""
    month = _MONTH_MACRO.get(" ".join(value.split()).lower()) if name == "month" else None
    return month or "{" + _trim(_WS_RUN.sub(" ", value), start=True, end=True) + "}"


def entry_to_bibtex(raw: RawEntry, strip: frozenset[str] = frozenset()) -> str:
    """A loaded entry (macros expanded) in the canonical layout, without `strip` fields.

    What `format_entry` writes, without building a SourceEntry first: a build writes
    every work twice (with and without our fields), and the pieces cost more than the
    text.
    """
    names = sorted((n for n in raw.fields if n not in strip), key=canonical_rank)  # stable
    width = max(map(len, names), default=0)
    fields = raw.fields
    body = [f"  {n.lower().ljust(width)} = {_expanded_value(n, fields[n].value)}," for n in names]
    return "\n".join([f"@{raw.entry_type.lower()}{{{raw.key},", *body, "}\n"])


# --- plain Unicode to BibTeX text ---------------------------------------------

_LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\^{}",
}
_ESCAPE_RE = re.compile("|".join(re.escape(c) for c in _LATEX_ESCAPES))
_CLAUSE_END = (":", "?", "!", ".", "—", "–")


def escape_latex(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _LATEX_ESCAPES[m.group(0)], text)


def _needs_braces(core: str, *, sentence_case: bool, clause_start: bool) -> bool:
    """Would a BibTeX style lower-case this word wrongly? Acronyms, CamelCase, proper nouns."""
    for part in re.split(r"[-/–]", core):
        letters = [c for c in part if c.isalpha()]
        if any(c.isupper() for c in letters[1:]):
            return True  # AI, GPT-2, LLMs, AlphaZero, iPhone
        if len(letters) == 1 and letters[0].isupper() and part != "A":
            return True  # "Part B", but not the article "A"
    # In a sentence-case title a capital after the first word is a proper noun.
    return sentence_case and not clause_start and core[:1].isupper()


def _is_sentence_case(words: list[str]) -> bool:
    """Sentence case if most longer words after the first are lower case."""
    long = [w for w in words[1:] if len(w) >= 4 and w.isalpha() and not w.isupper()]
    return len(long) >= 2 and sum(w[0].isupper() for w in long) * 2 < len(long)


def bibtex_title(title: str, *, math: bool = False) -> str:
    """Escape LaTeX specials and brace words a style must not lower-case.

    With `math`, `$...$` spans are TeX written by the author and pass through as is.
    """
    segments = MATH.split(title) if math else [title]
    words = [re.sub(r"^\W+|\W+$", "", w) for s in segments[::2] for w in s.split()]
    sentence_case = _is_sentence_case([w for w in words if w])
    out: list[str] = []
    clause_start = True
    for i, segment in enumerate(segments):
        if i % 2:
            out.append(segment)
            clause_start = False
            continue
        for token in re.split(r"(\s+)", segment):
            if not token or token.isspace():
                out.append(token)
                continue
            m = re.match(r"^(\W*)(.*?)(\W*)$", token)
            assert m is not None  # the pattern matches any string
            lead, core, trail = m.groups()
            text = escape_latex(core)
            if core and _needs_braces(core, sentence_case=sentence_case, clause_start=clause_start):
                text = "{" + text + "}"
            out.append(escape_latex(lead) + text + escape_latex(trail))
            clause_start = token.endswith(_CLAUSE_END) or (not core and clause_start)
    return "".join(out).strip()
