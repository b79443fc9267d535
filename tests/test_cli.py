"""The command line: every defect at once, output formats, exit codes, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, entry, make_project, run_tool, work_sources
from toi_atlas.cli import COMMANDS, MODULES, main, make_parser
from toi_atlas.output import set_verbosity


def _all_fixtures_in_one_project(tmp_path: Path) -> tuple[Path, int]:
    """Every fixture case at once, each file renamed so none overwrites another."""
    files: dict[str, str] = {}
    expected = 0
    for case in sorted((FIXTURES / "cases").iterdir()):
        for bib in case.glob("*.bib"):
            text = bib.read_text(encoding="utf-8")
            if "TOI" not in text.splitlines()[0]:
                continue  # a file its case expects clean (the works behind a claims fixture)
            # keys must not collide between cases, or TOI102 would fire everywhere
            files[f"{case.name}-{bib.name}"] = text
            expected += text.splitlines()[0].count("TOI")
    return make_project(tmp_path, files), expected


def test_all_defects_reported_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, expected = _all_fixtures_in_one_project(tmp_path)
    code = main(["check", "--root", str(root), "--format", "json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 1
    files = {r["file"] for r in rows}
    assert len(files) == len(list((root / "bib").glob("*.bib"))) - 1  # a.bib of TOI102 is clean
    assert len(rows) >= expected
    assert {"TOI101", "TOI104", "TOI201", "TOI301", "TOI401"} <= {r["code"] for r in rows}
    assert all(r["line"] >= 1 and r["hint"] for r in rows)


def test_text_format_is_file_line_code_with_hint(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path, {"w.bib": entry("w2023", tois="auditng")})
    assert main(["check", "--root", str(root)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "bib/w.bib:6: TOI201 error: unknown theory of impact `auditng` in `tois`",
        "    hint: did you mean `auditing`?",
    ]
    assert "1 error(s), 0 warning(s)" in err


def test_github_annotations(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path, {"w.bib": entry("w2023", added="2026-13-01")})
    assert main(["check", "--root", str(root), "--format", "github"]) == 1
    line = capsys.readouterr().out.strip()
    assert line.startswith("::error file=bib/w.bib,line=9,title=TOI112 malformed date::")


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"w.bib": entry("w2023", drop=("summary",))})
    assert main(["check", "--root", str(root)]) == 0
    assert main(["check", "--root", str(root), "--strict"]) == 1


def test_explain_and_usage_errors(capsys) -> None:
    assert main(["check", "--explain", "toi301"]) == 0
    assert capsys.readouterr().out.startswith("TOI301 (error): edge to a missing key")
    assert main(["check", "--explain", "TOI999"]) == 2
    assert main(["frobnicate"]) == 2


def test_clean_corpus_builds_with_exit_zero(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"w.bib": entry("w2023")})
    assert main(["build", "--root", str(root)]) == 0
    assert (work_sources(root) / "w2023.json").is_file()


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00\x00garbage",
        b"@",
        b"@misc{",
        b"@misc{k, author = {and and}, title = {}}",
        b'@comment{x} @preamble{"\\x"} @string{a = b # c}',
        b"}}}}{{{{@@@@",
        "@misc{ключ, title={Ω}}".encode(),
        b"@misc{k, year = {" + b"9" * 5000 + b"}}",
        "@misc{k, year = {²⁰²³}, readingtime = {٣}}".encode(),
    ],
)
def test_garbage_never_gives_a_traceback(data: bytes, tmp_path: Path) -> None:
    root = make_project(tmp_path, {"junk.bib": data})
    proc = run_tool(["toi-atlas", "check"], root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "bib/junk.bib:" in proc.stdout


def _imported_by(args: list[str], cwd: Path) -> set[str]:
    """The modules `python -m toi_atlas ARGS` imports, read from -X importtime."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "toi_atlas", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [line for line in proc.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[-1].strip() for line in lines}


@pytest.mark.parametrize("args", [["check"], ["--help"]], ids=["check", "help"])
def test_check_does_not_import_the_other_commands(args: list[str], tmp_path: Path) -> None:
    root = make_project(tmp_path, {"w.bib": entry("w2023")})
    imported = _imported_by(args, root)
    assert "toi_atlas.cli" in imported
    assert args != ["check"] or "toi_atlas.check.validate" in imported  # the check did run
    lazy = {f"toi_atlas.{name}" for name in MODULES.values()}
    assert not imported & {"requests", "toi_atlas.net.client", *lazy}
    assert not imported & {"toi_atlas.commands.preview", "watchfiles"}  # only `serve` watches files
    # Nor the renderers and their formatting libraries, which only a build needs.
    assert not imported & {
        "toi_atlas.render.plan",
        "toi_atlas.write.incremental",
        "citeproc",
        "rdflib",
    }


def test_noop_build_does_not_import_the_renderers(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"w.bib": entry("w2023")})
    first = _imported_by(["build"], root)
    assert {"toi_atlas.render.plan", "citeproc"} <= first  # the first build renders
    again = _imported_by(["build"], root)
    assert "toi_atlas.write.incremental" in again  # it did compare against the last build
    assert not again & {"toi_atlas.render.plan", "citeproc", "rdflib"}
    # Nor the loaders: nothing is read, the last build's findings are replayed.
    assert not again & {"toi_atlas.read.load", "toi_atlas.check.validate", "pybtex", "yaml"}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_is_the_same_with_lazily_added_options(command: str, capsys) -> None:
    with pytest.raises(SystemExit):
        make_parser().parse_args([command, "--help"])  # every subcommand's options
    eager = capsys.readouterr().out
    assert main([command, "--help"]) == 0  # only this subcommand's options
    assert capsys.readouterr().out == eager
    assert f"usage: toi-atlas {command} [-h]" in eager


def test_quiet_keeps_findings_and_drops_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(tmp_path, {"w.bib": entry("w2023", stance="nonsense")})
    assert main(["check", "--root", str(root)]) == 1
    out, err = capsys.readouterr()
    assert "TOI" in out and "error(s)" in err  # findings on stdout, the summary on stderr
    try:
        assert main(["check", "-q", "--root", str(root)]) == 1
        quiet_out, quiet_err = capsys.readouterr()
        assert quiet_out == out and quiet_err == ""
        assert main(["check", "--root", str(root), "-v"]) == 1
        assert "error(s)" in capsys.readouterr().err
    finally:
        set_verbosity(0)  # the channel's level outlives a call to main
