"""Partial dates: compared only as far as both entries state them (TOI305's basis)."""

from __future__ import annotations

import pytest

from toi_atlas.model.chronology import PartialDate, arxiv_month, before


@pytest.mark.parametrize(
    ("a", "b", "earlier"),
    [
        (PartialDate(2022), PartialDate(2023, 8), True),
        (PartialDate(2023), PartialDate(2023, 8), False),  # month unknown: undecided
        (PartialDate(2023, 8), PartialDate(2023), False),
        (PartialDate(2023, 7), PartialDate(2023, 8), True),
        (PartialDate(2023, 8, 15), PartialDate(2023, 8, 17), True),
        (PartialDate(2023, 8, 15), PartialDate(2023, 8), False),  # day unknown: undecided
        (PartialDate(2023, 8, 17), PartialDate(2023, 8, 15), False),
        (PartialDate(2024), PartialDate(2023, 12, 31), False),
    ],
)
def test_before_compares_at_the_shared_precision(
    a: PartialDate, b: PartialDate, earlier: bool
) -> None:
    assert before(a, b) is earlier


@pytest.mark.parametrize(
    ("arxiv", "month"),
    [
        ("2211.00593", PartialDate(2022, 11)),
        ("0704.0001", PartialDate(2007, 4)),
        ("hep-th/9901001", PartialDate(1999, 1)),
        ("math.GT/0309136", PartialDate(2003, 9)),
        ("2213.00001", None),  # no thirteenth month
        (None, None),
    ],
)
def test_arxiv_identifier_gives_the_first_version_month(
    arxiv: str | None, month: PartialDate | None
) -> None:
    assert arxiv_month(arxiv) == month


def test_partial_date_prints_what_it_knows() -> None:
    assert [str(PartialDate(2023)), str(PartialDate(2023, 8)), str(PartialDate(2023, 8, 5))] == [
        "2023",
        "2023-08",
        "2023-08-05",
    ]
