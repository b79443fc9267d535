"""Hostile and broken input: never a traceback, never a hang, never a write outside.

Each broken bibliography goes through the real command in a subprocess (so a crash
or a hang shows as what a user would see), and hypothesis throws generated text at
the loader and checker in-process.
"""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import entry, make_project, run_tool
from toi_atlas.entries.bibformat import format_bib_text, meaning
from toi_atlas.pipeline import Paths, build, load_and_check
from toi_atlas.read.load import parse_text

MB = 1024 * 1024

BROKEN: dict[str, bytes] = {
    "truncated": entry("a2023").encode()[:-40],
    "unbalanced": b"@misc{b2023, title = {Open {never closed}, year = {2023}}\n"
    + entry("c2023").encode(),
    "hundred-authors": entry(
        "many2023", author=" and ".join(f"Person{i}, Given{i}" for i in range(100))
    ).encode(),
    "five-mb-field": entry("big2023", summary="x " * (5 * MB // 2)).encode(),
    "deep-braces": entry("deep2023", title="{" * 2000 + "deep" + "}" * 2000).encode(),
    "binary": os.urandom(4096),
    "utf16": entry("u2023").encode("utf-16"),
    "latin1": entry("l2023", title="Caf\xe9 Cr\xe8me").encode("latin-1"),
    "bom-crlf": b"\xef\xbb\xbf" + entry("bom2023").replace("\n", "\r\n").encode(),
    "mixed-eol": entry("m2023").replace("\n", "\r", 3).encode(),
    "comments": (
        b'@comment{ unbalanced { in a comment }\n@preamble{ "\\newcommand{\\x}{y}" }\n'
        b"@comment{@misc{fake, title={not an entry}}}\n" + entry("real2023").encode()
    ),
    "slash-key": entry("a/b").encode(),
    "dotdot-key": entry("../../../etc/passwd").encode(),
    "nul-key": entry("nul").encode().replace(b"{nul,", b"{n\x00ul,"),
    "long-key": entry("k" * 5000).encode(),
    "case-keys": (entry("Olah2020zoom") + entry("olah2020zoom", title="Other")).encode(),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_file_gives_diagnostics_not_a_traceback(name: str, tmp_path: Path) -> None:
    root = make_project(tmp_path, {f"{name}.bib": BROKEN[name]})
    proc = run_tool(["toi-atlas", "build"], root)  # run_tool has a timeout: no hang
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode in (0, 1)
    if proc.returncode == 1:
        assert f"bib/{name}.bib:" in proc.stdout
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and "docs" not in p.parts]
    assert {p.relative_to(tmp_path).parts[0] for p in outside} <= {"bib", ".toi-atlas"}


def test_every_entry_is_accounted_for(tmp_path: Path) -> None:
    """Entries that parse become works; the rest each get a diagnostic with a line."""
    text = "".join(BROKEN[k].decode() for k in ("unbalanced", "comments", "hundred-authors"))
    root = make_project(tmp_path, {"mix.bib": text})
    result = load_and_check(Paths(root))
    assert result.corpus is not None
    # "@comment{@misc{fake,...}}": like BibTeX itself, pybtex reads the inner entry
    assert set(result.corpus.works) == {"c2023", "real2023", "many2023", "fake"}
    assert "TOI110" in [d.code for d in result.diagnostics if "fake" in d.message]
    assert [(d.code, d.span.line) for d in result.diagnostics if d.code == "TOI101"] == [
        ("TOI101", 1)
    ]
    assert len(result.corpus.works["many2023"].authors) == 100


def test_case_only_keys_are_refused_not_overwritten(tmp_path: Path) -> None:
    """On macOS and Windows the two pages would be one file: refuse rather than lose one."""
    root = make_project(tmp_path, {"c.bib": BROKEN["case-keys"]})
    result = build(Paths(root))
    assert "TOI106" in [d.code for d in result.diagnostics]
    assert result.stats is None


BIBTEXISH = st.text(
    alphabet=st.sampled_from(
        [*(string.ascii_letters + string.digits + '@{}(),="#%\\ \n\t.-:/'), "é", "\x00", "\r"]
    ),
    max_size=400,
)


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(BIBTEXISH)
def test_loader_never_raises(text: str) -> None:
    entries, diags = parse_text(text, "fuzz.bib")
    # a file's lines end in LF, CRLF or a lone CR; one past the last line is allowed (EOF)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 2
    for d in diags:
        assert d.span.file == "fuzz.bib" and 1 <= d.span.line <= lines
    for e in entries:
        assert 1 <= e.span.line <= lines


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(BIBTEXISH)
def test_formatter_never_raises_and_never_changes_meaning(text: str) -> None:
    after, diags, refusal = format_bib_text(text, "fuzz.bib")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 2
    for d in diags:
        assert d.span.file == "fuzz.bib" and 1 <= d.span.line <= lines
    if after is None:
        assert diags or refusal  # a file left alone always says why
        return
    assert meaning(after) == meaning(text)
    assert format_bib_text(after, "fuzz.bib")[0] == after  # idempotent


FIELD = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(
    max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=FIELD, summary=FIELD, key=st.text(min_size=1, max_size=30))
@example(title="\x1b", summary="", key="0")  # once crashed the Atom feed (empty title)
def test_pipeline_on_generated_entries_stays_inside(
    title: str, summary: str, key: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    base = tmp_path_factory.mktemp("fuzz")
    safe = key.replace("{", "").replace("}", "").replace(",", "").replace("@", "") or "k"
    text = entry(safe, title=title.replace("{", "(").replace("}", ")"), summary=summary)
    root = make_project(base, {"f.bib": text})
    result = build(Paths(root))  # must not raise
    out = (root / "docs" / "atlas").resolve()
    for path in base.rglob("*"):
        if path.is_file() and path.suffix in (".md", ".json", ".bib", ".txt", ".xml"):
            parts = path.relative_to(base).parts
            assert path.resolve().is_relative_to(out) or parts[0] in ("bib", ".toi-atlas")
    if result.stats is None:
        assert result.diagnostics  # refused, and said why


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"url": "javascript:alert(1)"}, "TOI114"),
        ({"url": "data:text/html,<script>alert(1)</script>"}, "TOI114"),
        ({"pdf": " javascript:alert(1)"}, "TOI114"),
        ({"tois": "<script>alert(1)</script>"}, "TOI119"),
        ({"tois": "auditing:<b>x</b>"}, "TOI203"),
        ({"rebuts": "x@<img src=x onerror=alert(1)>"}, "TOI301"),
    ],
)
def test_payloads_in_structured_fields_are_refused(
    fields: dict[str, str], code: str, tmp_path: Path
) -> None:
    """URLs, tags and edges are not free text: markup there stops the build."""
    root = make_project(tmp_path, {"x.bib": entry("x2023", **fields)})
    result = build(Paths(root))
    assert code in [d.code for d in result.diagnostics]
    assert result.stats is None and not (root / "docs").exists()


def test_payload_key_is_refused(tmp_path: Path) -> None:
    bib = entry("k2023").replace("{k2023,", '{"><svg/onload=alert(1)>,')
    root = make_project(tmp_path, {"k.bib": bib})
    result = build(Paths(root))
    assert "TOI105" in [d.code for d in result.diagnostics]
    assert result.stats is None
