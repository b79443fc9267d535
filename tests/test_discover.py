"""`toi-atlas discover`, `accept` and `reject` end to end, against the three services
served on 127.0.0.1 in their documented formats (discover_world.py), over the fixture
corpus in fixtures/discover/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import TAXONOMY
from discover_world import FIXTURE, HELD_OUT_ARXIV, HELD_OUT_TITLE, serve
from toi_atlas.cli import main


def project(base: Path) -> Path:
    bib = base / "bib"
    bib.mkdir(parents=True)
    shutil.copy(TAXONOMY, bib / "taxonomy.yaml")
    for path in FIXTURE.iterdir():
        shutil.copy(path, bib / path.name)
    return base


@pytest.fixture
def world(httpserver, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in serve(httpserver).items():
        monkeypatch.setenv(name, value)


def queue(root: Path) -> list[dict]:
    return json.loads((root / "discover" / "queue.json").read_text(encoding="utf-8"))["candidates"]


def discover(root: Path, *extra: str) -> int:
    return main(["discover", "--root", str(root), *extra])


def test_held_out_work_citing_central_atlas_works_ranks_first(world, tmp_path: Path) -> None:
    root = project(tmp_path)
    assert discover(root) == 0
    items = queue(root)
    titles = [i["record"]["title"] for i in items]
    assert titles[0] == HELD_OUT_TITLE
    noise = [n for n, t in enumerate(titles) if t.startswith("Fast Pixel Attribution")]
    assert len(noise) == 5  # every noise work is queued, all below the held-out one
    first = items[0]
    assert first["record"]["arxiv"] == HELD_OUT_ARXIV
    assert "auditing-deception" in first["tois"] or "auditing" in first["tois"]
    assert "enumerative-safety" in first["endstories"]
    assert any(r.startswith("cites 4 atlas works: essay2024,") for r in first["reasons"])


def test_one_work_named_by_three_services_is_proposed_once(world, tmp_path: Path) -> None:
    root = project(tmp_path)
    assert discover(root) == 0
    arxiv_ids = [i["record"]["arxiv"] for i in queue(root) if i["record"]["arxiv"]]
    dois = [i["record"]["doi"] for i in queue(root) if i["record"]["doi"]]
    assert arxiv_ids.count(HELD_OUT_ARXIV) == 1
    assert len(dois) == len(set(dois))
    first = queue(root)[0]
    assert first["record"]["source"] == "OpenAlex, Semantic Scholar, arXiv"


def test_atlas_works_are_never_proposed(world, tmp_path: Path) -> None:
    root = project(tmp_path)
    assert discover(root) == 0
    queued = {(i["record"]["doi"], i["record"]["arxiv"]) for i in queue(root)}
    atlas = {("10.5555/reply.2024", None), (None, "2401.00001"), (None, "2201.00002")}
    assert queued & atlas == set()
    titles = {i["record"]["title"] for i in queue(root)}
    assert not any(t.startswith("Atlas work") for t in titles)


def test_the_queue_holds_bibtex_report_and_data(world, tmp_path: Path) -> None:
    root = project(tmp_path)
    assert discover(root) == 0
    folder = root / "discover"
    assert sorted(p.name for p in folder.iterdir()) == ["queue.bib", "queue.json", "queue.md"]
    keys = [i["key"] for i in queue(root)]
    bib = (folder / "queue.bib").read_text(encoding="utf-8")
    assert [
        line.split("{", 1)[1].rstrip(",") for line in bib.splitlines() if line.startswith("@")
    ] == keys
    assert "added" not in bib and "checked" not in bib
    report = (folder / "queue.md").read_text(encoding="utf-8")
    assert all(f"`{k}`" in report for k in keys)
