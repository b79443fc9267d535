"""Counts read right: "1 entry", "2 entries", never "1 entries"."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import entry, make_project
from toi_atlas.cli import main
from toi_atlas.wording import counted


@pytest.mark.parametrize(
    ("n", "words", "expected"),
    [
        (1, ("work",), "1 work"),
        (0, ("work",), "0 works"),
        (2, ("entry", "entries"), "2 entries"),
        (1, ("entry", "entries"), "1 entry"),
        (12000, ("work",), "12,000 works"),
    ],
)
def test_counted(n: int, words: tuple[str, ...], expected: str) -> None:
    assert counted(n, *words) == expected


def test_check_of_one_entry_says_one_entry(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path, {"a.bib": entry("doe2023valid")})
    assert main(["check", "--root", str(root)]) == 0
    assert "checked 1 entry in 1 file\n" in capsys.readouterr().err
