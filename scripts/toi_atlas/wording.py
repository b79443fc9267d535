"""Counts in words: "1 work", "2 works". Every count the site or a command prints
goes through `counted`, so no page says "1 entries"."""

from __future__ import annotations


def counted(n: int, one: str, many: str | None = None) -> str:
    """`counted(1, "work")` -> "1 work"; `counted(3, "entry", "entries")` -> "3 entries"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
