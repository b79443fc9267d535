"""`toi-atlas reject KEY`: record a queued candidate in bib/rejected.yaml, for good.

The file is tracked, so a rejection is shared and reviewed like any edit. The item
keeps the key, the title and the identifiers `identity` matches on (DOI, arXiv id),
so discovery leaves the work out whichever service names it. The new file is read
back before it replaces the old one, which otherwise stays byte for byte as it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
from pathlib import Path

from ..exits import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from ..options import add_root
from ..output import LOG
from ..pipeline import Paths
from ..read.discovery import REJECTED_FILE, load_rejected
from ..write.files import atomic_write
from .command import load_inputs
from .queue import QUEUE_DIR, NotQueued, Queued, QueueError, queued, without

HEADER = (
    "# Works discovery must never propose again; `toi-atlas reject KEY` adds to this list.\n"
    "# Each needs `key` and `title`, and keeps the `doi` or `arxiv` id it was found with.\n"
    "rejected:\n"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        f"Record a candidate from {QUEUE_DIR}/queue.json in bib/{REJECTED_FILE} so that "
        "discovery never proposes it again, and take it off the queue."
    )
    parser.add_argument("key", help="the candidate's key in the queue")
    parser.add_argument("--reason", default="", help="why, in a few words (kept in the file)")
    add_root(parser)


def _say(message: str) -> None:
    LOG.info(f"toi-atlas reject: {message}")  # the log channel makes it terminal-safe


def _scalar(value: str) -> str:
    # A JSON string is a YAML double-quoted scalar: nothing in a title can break out.
    return json.dumps(" ".join(value.split()), ensure_ascii=False)


def item_text(item: Queued, reason: str, today: dt.date) -> str:
    r = item.record
    lines = [f"  - key: {_scalar(item.key)}", f"    title: {_scalar(r.title)}"]
    if r.doi:
        lines.append(f"    doi: {_scalar(r.doi)}")
    if r.arxiv:
        lines.append(f"    arxiv: {_scalar(r.arxiv)}")
    lines.append(f"    date: {today.isoformat()}")
    if reason.strip():
        lines.append(f"    reason: {_scalar(reason)}")
    return "\n".join(lines) + "\n"


def appended(existing: bytes, text: str) -> bytes:
    if not existing.strip():
        return (HEADER + text).encode("utf-8")
    nl = b"" if existing.endswith(b"\n") else b"\n"
    return existing + nl + text.encode("utf-8")


def run(args: argparse.Namespace) -> int:
    paths = Paths(args.root)
    try:
        item = queued(paths.root, args.key)
    except QueueError as exc:
        _say(str(exc))
        return EXIT_USAGE if isinstance(exc, NotQueued) else EXIT_FINDINGS
    if load_inputs(paths, "reject") is None:  # a broken rejected.yaml is reported there
        return EXIT_FINDINGS
    target = paths.bib / REJECTED_FILE
    existing = target.read_bytes() if target.exists() else b""
    data = appended(existing, item_text(item, args.reason, dt.date.today()))
    if not _reads_back(data, item.key):
        _say(
            f"bib/{REJECTED_FILE} does not end in its `rejected:` list, so the item cannot "
            "be appended; nothing written (add it by hand)"
        )
        return EXIT_FINDINGS
    atomic_write(target, data)
    _say(f"rejected `{item.key}`: recorded in {paths.display(target)}")
    try:
        without(paths.root, item.key)
    except (QueueError, OSError) as exc:
        _say(f"{QUEUE_DIR}/ could not be updated ({exc}); discover leaves it out anyway")
    return EXIT_OK


def _reads_back(data: bytes, key: str) -> bool:
    """The new file is valid and its last item is the one appended."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / REJECTED_FILE
        path.write_bytes(data)
        found, diags = load_rejected(path, REJECTED_FILE)
    return not diags and bool(found) and found[-1].key == key
