"""Reading lists against the corpus and the pages that show them (TOI602-604)."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic, Span
from ..model.corpus import Corpus
from ..read.readinglists import ReadingList, snippet_path


def check_reading_lists(
    lists: list[ReadingList], corpus: Corpus, display: str, docs: Path
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rl in lists:
        for item in rl.every_item:
            work = corpus.works.get(item.key)
            if work is None:
                out.append(
                    Diagnostic(
                        "TOI602",
                        Span(display, item.line),
                        f"reading list `{rl.id}` names `{item.key}`, which is not in bib/",
                        "fix the key or add the work first",
                    )
                )
            elif work.readingtime is None:
                out.append(
                    Diagnostic(
                        "TOI603",
                        Span(display, item.line),
                        f"`{item.key}` in reading list `{rl.id}` has no `readingtime`",
                        "add readingtime = {minutes} to the entry",
                    )
                )
        page = docs / "reading" / f"{rl.id}.md"
        include = f'--8<-- "atlas/{snippet_path(rl.id)}"'
        if not page.is_file() or include not in page.read_text(encoding="utf-8"):
            out.append(
                Diagnostic(
                    "TOI604",
                    Span(display, rl.line),
                    f"no page shows reading list `{rl.id}`",
                    f"create docs/reading/{rl.id}.md containing the line {include}",
                )
            )
    return out
