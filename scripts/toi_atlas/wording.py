"""Counts and dates in words: "1 work", "2 works", "3 December 2026". Every count the
site or a command prints goes through `counted`, so no page says "1 entries"; every date
a reader sees goes through `long_date`."""

from __future__ import annotations

import datetime as dt

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def counted(n: int, one: str, many: str | None = None) -> str:
    """`counted(1, "work")` -> "1 work"; `counted(3, "entry", "entries")` -> "3 entries"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def long_date(day: dt.date) -> str:
    """`3 December 2026`: spelled out, so no reader mistakes the day for the month."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
