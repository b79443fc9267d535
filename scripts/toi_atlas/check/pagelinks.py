"""Links from hand-written pages to work pages (TOI607).

MkDocs checks a hand-written page's links to other pages it builds, but it no longer
builds work pages (the generator makes them from the theme's shell), so it leaves a
link to `atlas/works/<key>/` unchecked. This check knows which works exist.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..diagnostics import Diagnostic, Span
from ..read.site import page_url

# A Markdown link or an HTML href/src whose target mentions atlas/works/.
_LINK = re.compile(r"""(?:\]\(|(?:href|src)=["'])([^)"'\s]*atlas/works/[^)"'\s]*)""")
WORKS = "atlas/works/"


def broken_links(docs: Path, slugs: set[str]) -> Iterator[tuple[Path, int, str]]:
    """(page, line, link) for each link from a page outside docs/atlas to a work page
    that will not exist, or to a work's old `.md` path."""
    atlas = docs / "atlas"
    for path in sorted(docs.rglob("*.md")):
        if path.is_relative_to(atlas):
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue  # MkDocs reports a page it cannot read
        here = page_url(posixpath.relpath(path.relative_to(docs).as_posix(), "atlas"))
        for n, line in enumerate(lines, 1):
            for link in _LINK.findall(line):
                if not _exists(here, link, slugs):
                    yield path, n, link


def _exists(here: str, link: str, slugs: set[str]) -> bool:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return True  # an absolute URL: not ours to check
    target = posixpath.normpath(posixpath.join(here or ".", unquote(parts.path)))
    if not target.startswith(WORKS):
        return True  # mentions atlas/works/ but points elsewhere
    rest = target.removeprefix(WORKS)
    if rest in ("", "index.md"):
        return True  # the list of all works
    return rest in slugs and parts.path.endswith("/")


def check_page_links(
    docs: Path, slugs: set[str], display: Callable[[Path], str]
) -> list[Diagnostic]:
    """`display` names a page in the report (its path from the project root)."""
    return [
        Diagnostic(
            "TOI607",
            Span(display(path), line),
            f"links to `{link}`, which is not a work page",
            "link to a work by its folder URL, `…/atlas/works/<key>/`, with a key in bib/",
        )
        for path, line, link in broken_links(docs, slugs)
    ]
