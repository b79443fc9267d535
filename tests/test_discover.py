"""`toi-atlas discover`, `accept` and `reject` end to end, against the three services
served on 127.0.0.1 in their documented formats (discover_world.py), over the fixture
corpus in fixtures/discover/."""

from __future__ import annotations

import json
import re
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


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for top in ("bib", "discover")
        for p in sorted((root / top).rglob("*"))
        if p.is_file()
    }


def test_accept_adds_the_candidate_as_add_does_and_it_never_returns(world, tmp_path: Path) -> None:
    from toi_atlas.pipeline import Paths, load_and_check

    root = project(tmp_path)
    assert discover(root) == 0
    key = queue(root)[0]["key"]
    args = ["--tois", "auditing-deception:advocates", "--endstories", "enumerative-safety"]
    assert main(["accept", key, "--root", str(root), *args, "--stance", "advocates"]) == 0
    result = load_and_check(Paths(root))
    assert result.corpus is not None
    work = result.corpus.works[key]
    assert work.arxiv == HELD_OUT_ARXIV
    assert work.added is not None
    assert {(t.topic, t.stance) for t in work.tags} == {
        ("auditing-deception", "advocates"),
        ("enumerative-safety", "advocates"),
    }
    assert [d.code for d in result.diagnostics] == ["TOI120"]  # only the summary to write
    assert key not in [i["key"] for i in queue(root)]
    assert discover(root) == 0
    assert HELD_OUT_ARXIV not in [i["record"]["arxiv"] for i in queue(root)]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--tois", "no-such-toi:advocates"], 2),
        (["--stance", "lukewarm"], 2),
        (["--file", "docs/x.bib"], 2),
    ],
    ids=["unknown-toi", "unknown-stance", "file-outside-bib"],
)
def test_refused_accept_leaves_bib_and_queue_byte_identical(
    world, tmp_path: Path, args: list[str], code: int
) -> None:
    root = project(tmp_path)
    assert discover(root) == 0
    before = snapshot(root)
    assert main(["accept", queue(root)[0]["key"], "--root", str(root), *args]) == code
    assert snapshot(root) == before


def test_accepting_a_work_already_in_the_corpus_is_refused(world, tmp_path: Path) -> None:
    root = project(tmp_path)
    assert discover(root) == 0
    item = queue(root)[0]
    # Someone added it by hand since the queue was written.
    extra = (FIXTURE / "works.bib").read_text(encoding="utf-8").split("@misc{sae2023")[0]
    extra = extra.replace("longlist2022", "byhand2026").replace("2201.00002", HELD_OUT_ARXIV)
    (root / "bib" / "byhand.bib").write_text(extra, encoding="utf-8")
    before = snapshot(root)
    assert main(["accept", item["key"], "--root", str(root), "--tois", "auditing"]) == 1
    assert snapshot(root) == before


def test_accept_of_a_key_not_queued_is_a_usage_error(world, tmp_path: Path) -> None:
    root = project(tmp_path)
    assert discover(root) == 0
    before = snapshot(root)
    assert main(["accept", "nobody2026nothing", "--root", str(root)]) == 2
    assert snapshot(root) == before


def test_reject_records_the_work_so_it_never_comes_back(world, tmp_path: Path) -> None:
    from toi_atlas.pipeline import Paths, load_and_check

    root = project(tmp_path)
    assert discover(root) == 0
    noise = next(i for i in queue(root) if i["record"]["doi"] == "10.5555/noise.2")
    assert main(["reject", noise["key"], "--root", str(root), "--reason", 'off "topic"']) == 0
    assert load_and_check(Paths(root)).diagnostics == []  # rejected.yaml is valid
    assert noise["key"] not in [i["key"] for i in queue(root)]
    first = queue(root)[0]["key"]
    assert main(["reject", first, "--root", str(root)]) == 0  # appends to the file
    assert discover(root) == 0
    dois = [i["record"]["doi"] for i in queue(root)]
    arxiv_ids = [i["record"]["arxiv"] for i in queue(root)]
    assert "10.5555/noise.2" not in dois
    assert HELD_OUT_ARXIV not in arxiv_ids
    assert "10.5555/noise.1" in dois  # the other noise works are still proposed


def test_reject_into_a_file_it_cannot_append_to_changes_nothing(world, tmp_path: Path) -> None:
    root = project(tmp_path)
    assert discover(root) == 0
    (root / "bib" / "rejected.yaml").write_text("rejected: []\nnote: kept by hand\n")
    before = snapshot(root)
    assert main(["reject", queue(root)[0]["key"], "--root", str(root)]) == 1
    assert snapshot(root) == before


def test_no_service_answering_leaves_the_last_queue(world, httpserver, tmp_path: Path) -> None:
    root = project(tmp_path)
    assert discover(root) == 0
    before = snapshot(root)
    httpserver.clear()
    httpserver.expect_request(re.compile(".*")).respond_with_data("down", status=500)
    assert discover(root, "--max-age", "0") == 1
    assert snapshot(root) == before


def test_the_queue_never_enters_the_built_site(world, tmp_path: Path) -> None:
    from toi_atlas.pipeline import Paths

    root = project(tmp_path)
    assert discover(root) == 0
    assert main(["build", "--root", str(root)]) == 0
    keys = [i["key"] for i in queue(root)]
    assert keys
    generated = [p for p in (root / "docs").rglob("*") if p.is_file()]
    assert generated
    for path in generated:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not any(k in text for k in keys), path
    assert HELD_OUT_ARXIV not in " ".join(p.read_text(errors="replace") for p in generated)
    # Not an input of the build either: the queue changing never triggers a rebuild.
    assert not [p for p in Paths(root).inputs() if "discover" in p.parts]


def test_evaluate_prints_leave_one_out_figures(tmp_path: Path, capsys) -> None:
    from toi_atlas.discover.suggest import evaluate
    from toi_atlas.pipeline import Paths, load_and_check

    root = project(tmp_path)
    assert main(["discover", "--evaluate", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "theories of impact" in out and "end stories" in out
    corpus = load_and_check(Paths(root)).corpus
    assert corpus is not None
    result = evaluate(corpus)
    assert result.works == 7
    assert result.text["tois"].total == 7
    assert result.text["endstories"].total == 4  # works with at least one end story
    # Some true ToI is among the top three for at least one hidden work.
    assert result.text["tois"].hits > 0


def test_broken_discovery_file_stops_discover_with_its_code(world, tmp_path: Path, capsys) -> None:
    root = project(tmp_path)
    (root / "bib" / "discovery.yaml").write_text("searches:\n  - topic: nowhere\n    arxiv: [q]\n")
    assert discover(root) == 1
    assert "TOI802" in capsys.readouterr().out
    assert not (root / "discover").exists()
