"""What one build made from each object, carried to the next build in the same process.

The preview builds again and again in one process, and read/parsed.py hands it the very
same entries for every file that did not change; so are the works made from them, and
so on. Whatever is made from such an object by a pure function need not be made again:
a second at 10,000 works for the works, most of one for their identity facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")
V = TypeVar("V")

# Every memo, so `forget_all` can clear them (the benchmark's cold runs, each test).
_ALL: list[Carried[Any, Any]] = []


class Carried(Generic[T, V]):
    """Values made from objects by a pure function, kept from the last pass for objects
    that are the same ones (identity, not equality) under the same `context`."""

    def __init__(self) -> None:
        self._last: dict[int, tuple[T, V]] = {}
        self._context: object = None
        _ALL.append(self)

    def each(
        self, objects: Iterable[T], make: Callable[[T], V], context: object = None
    ) -> Iterator[V]:
        """`make(obj)` for each object, in order; only this pass's values are kept after."""
        known = self._last if context == self._context else {}
        made: dict[int, tuple[T, V]] = {}
        for obj in objects:
            hit = known.get(id(obj))
            # `is`: an id may be reused by a new object once the old one is gone.
            value = hit[1] if hit is not None and hit[0] is obj else make(obj)
            made[id(obj)] = (obj, value)
            yield value
        self._last, self._context = made, context

    def forget(self) -> None:
        self._last, self._context = {}, None


def forget_all() -> None:
    for memo in _ALL:
        memo.forget()
