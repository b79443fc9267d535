"""When a work appeared, as precisely as its entry says, for the edge-order check (TOI305).

Dates are partial: a post has a day, a paper often only a year. Two dates are
compared at the precision both share, so "2023" is neither before nor after
"2023-08": only what the entries actually state can put one work before another.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from .corpus import Work

_NEW_ARXIV = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")  # 2211.00593: November 2022
_OLD_ARXIV = re.compile(r"/(\d{2})(\d{2})\d{3}$")  # hep-th/9901001: January 1999


class PartialDate(NamedTuple):
    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
            if self.day is not None:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)


def before(a: PartialDate, b: PartialDate) -> bool:
    """`a` is earlier than `b` at the precision both dates have."""
    if a.year != b.year:
        return a.year < b.year
    if a.month is None or b.month is None:
        return False
    if a.month != b.month:
        return a.month < b.month
    return a.day is not None and b.day is not None and a.day < b.day


def stated(work: Work) -> PartialDate | None:
    """The date the entry gives: `date = {YYYY-MM-DD}` if valid, else year and month."""
    raw = (work.raw.get("date") or "").strip()
    try:
        day = dt.date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
    except ValueError:
        day = None  # reported as TOI112
    if day is not None:
        return PartialDate(day.year, day.month, day.day)
    return PartialDate(work.year, work.month) if work.year is not None else None


def arxiv_month(arxiv: str | None) -> PartialDate | None:
    """The month an arXiv identifier was assigned, which is when its first version appeared."""
    match = _NEW_ARXIV.match(arxiv or "") or _OLD_ARXIV.search(arxiv or "")
    if match is None:
        return None
    yy, mm = int(match.group(1)), int(match.group(2))
    if not 1 <= mm <= 12:
        return None
    return PartialDate((1900 if yy >= 91 else 2000) + yy, mm)  # arXiv opened in 1991


def first_appeared(work: Work) -> PartialDate | None:
    """The earliest date we know the work existed: a conference paper dated by its
    proceedings (2023) was often on arXiv months before (2211.00593), and a reply
    written in between is not answering a work from the future."""
    own, preprint = stated(work), arxiv_month(work.arxiv)
    if own is None or (preprint is not None and before(preprint, own)):
        return preprint
    return own
