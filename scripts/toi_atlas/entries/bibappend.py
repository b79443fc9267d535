"""Appending entries to a .bib file: its bytes kept exactly as they were.

`add` and `import` both append: the new entries follow one blank line, in the
file's own line ending (CRLF stays CRLF), and the result must read back with
exactly the entries added. A target that does not parse is refused, so that an
append never buries a defect.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..diagnostics import Diagnostic
from ..read.load import decode, parse_text


def append_entries(existing: bytes, entries: Sequence[str], header: str = "") -> tuple[bytes, int]:
    """`existing` (or `header`, for a new file) + one blank line + `entries`; and the
    line the first new entry starts on. Each entry is text ending in a newline."""
    if not existing:
        existing = header.encode("utf-8")
    nl = b"\r\n" if b"\r\n" in existing else b"\n"
    body = "\n".join(entries).replace("\n", nl.decode()).encode("utf-8")
    if not existing:
        sep = b""
    elif existing.endswith(nl + nl):
        sep = b""  # already a blank line at the end
    elif existing.endswith(nl):
        sep = nl
    else:
        sep = nl + nl
    line = existing.count(b"\n") + sep.count(b"\n") + 1
    return existing + sep + body, line


def read_target(target: Path, display: str) -> tuple[bytes, list[Diagnostic]]:
    """The target's bytes, and why we must not append to it (unreadable, broken)."""
    if not target.exists():
        return b"", []
    data = target.read_bytes()
    text, diags = decode(data, display)
    if text is not None:
        _, parse_diags = parse_text(text, display)
        diags += [d for d in parse_diags if d.code == "TOI101"]
    return data, diags


def verify_append(existing: bytes, new: bytes, added: int) -> bool:
    """The new file must parse and hold exactly `added` more entries than the old one."""
    old_text, _ = decode(existing, "")
    new_text, _ = decode(new, "")
    if new_text is None:
        return False
    old_entries, _ = parse_text(old_text or "", "")
    new_entries, diags = parse_text(new_text, "")
    ok_syntax = not [d for d in diags if d.code in ("TOI100", "TOI101")]
    return ok_syntax and len(new_entries) == len(old_entries) + added
