"""The triage queue in discover/: what curators read and what `accept` takes from.

- `queue.md`: the report, best candidate first, with its reasons and suggested tags;
- `queue.bib`: each candidate as canonical BibTeX (as `add` would write it, without
  tags, `added` or `checked`), its suggestions in a comment above it;
- `queue.json`: the same candidates as data, for `accept` and `reject`.

discover/ is neither bib/ (nothing loads it) nor docs/ (nothing publishes it). The
files hold no date, so a rerun that finds the same works changes nothing.
Every write goes through `atomic_write`; text from the services is escaped for
Markdown and BibTeX.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..entries.newentry import Tags, build_entry, key_stem, unique_key
from ..entries.vetting import vet
from ..net.sources import Name, Record, Venue
from ..read.load import RawEntry
from ..render.markdown import ext_link, md_escape
from ..write.bibtext import entry_to_bibtex
from ..write.files import atomic_write
from .rank import Ranked

QUEUE_DIR = "discover"
FORMAT = 1
_NOT_IN_QUEUE = frozenset({"added", "checked"})


@dataclass(frozen=True)
class Queued:
    """One candidate as the queue keeps it."""

    key: str
    record: Record
    score: float
    tois: tuple[str, ...]
    endstories: tuple[str, ...]
    stance: str | None
    reasons: tuple[str, ...]
    abstract: str = ""


def queue_dir(root: Path) -> Path:
    return root / QUEUE_DIR


def make_queue(
    ranked: list[Ranked], taken: set[str], today: dt.date, limit: int
) -> tuple[list[Queued], int]:
    """The best `limit` candidates whose record `add` would accept, with free keys."""
    taken = {k.casefold() for k in taken}
    out: list[Queued] = []
    unusable = 0
    for item in ranked:
        if len(out) == limit:
            break
        vetted = vet(item.candidate.record(), today.year)
        if vetted.refusals:
            unusable += 1
            continue
        key = unique_key(key_stem(vetted.record), taken)
        taken.add(key.casefold())
        s = item.suggestion
        out.append(
            Queued(
                key,
                vetted.record,
                round(item.score, 3),
                s.tois,
                s.endstories,
                s.stance,
                item.reasons,
                item.candidate.abstract,
            )
        )
    return out, unusable


# --- writing -----------------------------------------------------------------------


def queue_entry(item: Queued) -> RawEntry:
    entry = build_entry(item.record, item.key, Tags(), dt.date(2000, 1, 1), "queue.bib")
    fields = {n: f for n, f in entry.fields.items() if n not in _NOT_IN_QUEUE}
    return RawEntry(entry.key, entry.entry_type, fields, entry.persons, entry.span)


def render_bib(items: list[Queued]) -> str:
    parts = []
    for item in items:
        hint = (
            f"% score {item.score:.2f}; suggested tois: {', '.join(item.tois) or '-'}; "
            f"endstories: {', '.join(item.endstories) or '-'}; stance: {item.stance or '-'}\n"
        )
        parts.append(hint + entry_to_bibtex(queue_entry(item)))
    return "\n".join(parts)


def render_report(items: list[Queued], summary: list[str]) -> str:
    lines = [
        "# Discovery queue",
        "",
        "Works tied to the atlas that are not in it yet, best first. For each: "
        "`toi-atlas accept KEY --toi ID:STANCE ...` adds it to bib/ "
        "(suggested tags are only a start), `toi-atlas reject KEY` keeps it out for good.",
        "",
        "## What was asked",
        "",
        *[f"- {md_escape(line)}" for line in summary],
        "",
        f"## Candidates ({len(items)})",
        "",
    ]
    for n, item in enumerate(items, 1):
        r = item.record
        authors = ", ".join(f"{a.given} {a.family}".strip() for a in r.authors[:3])
        more = " et al." if len(r.authors) > 3 else ""
        lines += [
            f"### {n}. `{item.key}`: {ext_link(r.url, r.title)}",
            "",
            f"{md_escape(authors + more) or 'no authors given'} ({r.year or 'no year'}); "
            f"score {item.score:.2f}",
            "",
            *[f"- {md_escape(reason)}" for reason in item.reasons],
            f"- suggested: ToIs {_ids(item.tois)}; end stories {_ids(item.endstories)}; "
            f"stance {_ids((item.stance,) if item.stance else ())}",
            "",
        ]
        if item.abstract:
            cut = item.abstract if len(item.abstract) <= 600 else item.abstract[:600] + "…"
            lines += [f"> {md_escape(cut)}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _ids(ids: tuple[str, ...]) -> str:
    return ", ".join(f"`{i}`" for i in ids) or "none"


def to_json(items: list[Queued], summary: list[str]) -> str:
    data = {
        "format": FORMAT,
        "summary": summary,
        "candidates": [_item_data(i) for i in items],
    }
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _item_data(item: Queued) -> dict[str, Any]:
    r = item.record
    return {
        "key": item.key,
        "score": item.score,
        "tois": list(item.tois),
        "endstories": list(item.endstories),
        "stance": item.stance,
        "reasons": list(item.reasons),
        "abstract": item.abstract,
        "record": {
            "source": r.source,
            "title": r.title,
            "title_math": r.title_math,
            "url": r.url,
            "authors": [[a.family, a.given, a.literal] for a in r.authors],
            "year": r.year,
            "month": r.month,
            "venue": r.venue,
            "venue_kind": r.venue_kind.value,
            "kind": r.kind,
            "doi": r.doi,
            "arxiv": r.arxiv,
            "primaryclass": r.primaryclass,
        },
    }


def write_queue(root: Path, items: list[Queued], summary: list[str]) -> None:
    folder = queue_dir(root)
    for name, text in (
        ("queue.md", render_report(items, summary)),
        ("queue.bib", render_bib(items)),
        ("queue.json", to_json(items, summary)),
    ):
        atomic_write(folder / name, text.encode("utf-8"))


# --- reading back ------------------------------------------------------------------


class QueueError(ValueError):
    """queue.json is missing or not what `discover` writes."""


def read_queue(root: Path) -> tuple[list[Queued], list[str]]:
    path = queue_dir(root) / "queue.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise QueueError(f"no queue in {QUEUE_DIR}/: run `toi-atlas discover` first") from exc
    except (OSError, ValueError) as exc:
        raise QueueError(f"{QUEUE_DIR}/queue.json cannot be read ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise QueueError(f"{QUEUE_DIR}/queue.json is not a queue this version wrote")
    try:
        items = [_item(d) for d in data["candidates"]]
        summary = [str(s) for s in data.get("summary", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise QueueError(f"{QUEUE_DIR}/queue.json is damaged ({exc!r})") from exc
    return items, summary


def _item(d: dict[str, Any]) -> Queued:
    r = d["record"]
    record = Record(
        source=str(r["source"]),
        title=str(r["title"]),
        title_math=bool(r["title_math"]),
        url=str(r["url"]),
        authors=tuple(Name(str(f), str(g), bool(lit)) for f, g, lit in r["authors"]),
        year=_opt_int(r["year"]),
        month=_opt_int(r["month"]),
        venue=str(r["venue"]),
        venue_kind=Venue(r["venue_kind"]),
        kind=str(r["kind"]),
        doi=_opt_str(r["doi"]),
        arxiv=_opt_str(r["arxiv"]),
        primaryclass=_opt_str(r["primaryclass"]),
    )
    return Queued(
        key=str(d["key"]),
        record=record,
        score=float(d["score"]),
        tois=tuple(str(t) for t in d["tois"]),
        endstories=tuple(str(t) for t in d["endstories"]),
        stance=_opt_str(d["stance"]),
        reasons=tuple(str(t) for t in d["reasons"]),
        abstract=str(d.get("abstract", "")),
    )


def _opt_int(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


class NotQueued(QueueError):
    """The queue holds no candidate with that key (a usage error, not a broken queue)."""


def queued(root: Path, key: str) -> Queued:
    """The candidate `key` of the queue, for accept and reject; QueueError if the queue
    is broken, NotQueued if it lacks the key."""
    items, _ = read_queue(root)
    item = next((i for i in items if i.key == key), None)
    if item is None:
        raise NotQueued(f"`{key}` is not in {QUEUE_DIR}/queue.json (see {QUEUE_DIR}/queue.md)")
    return item


def without(root: Path, key: str) -> None:
    """Rewrite the queue without `key` (after accept or reject)."""
    items, summary = read_queue(root)
    write_queue(root, [i for i in items if i.key != key], summary)
