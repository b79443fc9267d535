"""`toi-atlas site`: pour the work pages into a site MkDocs or Zensical has built.

The theme renders one shell page, `atlas/works/_shell/`, whose title, description,
body and table of contents are placeholders (`shell_page` below). Here the
shell is cut once at those placeholders, and each work's fragment (made by
`toi-atlas build`) fills it: the same header, navigation, footer, scripts and print
styles as every other page, at the cost of joining strings. The works then join the
site's search index (MkDocs' and Zensical's formats) and sitemap, and the shell leaves
the site.

Only files that change are written, so a preview can fill again after each edit.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Span
from .files import atomic_write, safe_target

# The shell page: the theme renders it once, at the depth of every work page, so its
# relative links hold for all of them. Keys cannot start with "_" (identity.KEY_RE).
SHELL_PAGE = "works/_shell.md"
SHELL_TITLE = "TOIATLASSHELLTITLE"
SHELL_DESCRIPTION = "TOIATLASSHELLDESCRIPTION"
SHELL_BODY = "TOIATLASSHELLBODY"
SHELL_TOC = "TOIATLASSHELLTOC"
SHELL_H1 = "toiatlasshellh1"
FRAGMENT_VERSION = 1  # of the fragments render/workhtml.py writes


def shell_page() -> str:
    """The Markdown of the shell: a title, a description and a body to be replaced, and
    one h2 so that the theme renders its table of contents (one entry, the model for
    each of a work's sections). Kept out of search; `toi-atlas site` removes it."""
    return (
        "---\n"
        f"title: {SHELL_TITLE}\n"
        f"description: {SHELL_DESCRIPTION}\n"
        "search:\n  exclude: true\n"
        "---\n\n"
        f"# {SHELL_TITLE} {{ #{SHELL_H1} }}\n\n"
        f"{SHELL_BODY}\n\n"
        f"## {SHELL_TOC}\n"
    )


SHELL_DIR = "atlas/works/_shell"
WORKS_DIR = "atlas/works"
CITE_DIR = "atlas/cite"  # each work's BibTeX file, linked from its page
_SLOT = re.compile(
    "|".join(re.escape(t) for t in (SHELL_TITLE, SHELL_DESCRIPTION, f"#{SHELL_H1}", "/_shell/"))
    + "|\x00(body|toc)\x00"
)


class ShellError(ValueError):
    """The built site has no usable shell page."""


@dataclass(frozen=True)
class Shell:
    """The shell page cut into literal text and slots, in turn."""

    parts: tuple[str, ...]  # literal text, then a slot name, then text, ...
    toc_item: str  # one entry of the table of contents, for `#toiatlasshelltoc`

    @classmethod
    def parse(cls, html: str) -> Shell:
        h1 = html.find(f'<h1 id="{SHELL_H1}"')
        toc_head = html.find(f'<h2 id="{SHELL_TOC.lower()}"')
        end = html.find("</h2>", toc_head)
        if min(h1, toc_head, end) < 0 or SHELL_BODY not in html[h1:end]:
            raise ShellError("its title, body and section placeholders are not all there")
        html = html[:h1] + "\x00body\x00" + html[end + len("</h2>") :]
        link = html.find(f'href="#{SHELL_TOC.lower()}"')
        start, stop = html.rfind("<li", 0, link), html.find("</li>", link)
        if min(link, start, stop) < 0:
            raise ShellError("its table of contents is missing")
        item = html[start : stop + len("</li>")]
        html = html[:start] + "\x00toc\x00" + html[stop + len("</li>") :]
        parts: list[str] = []
        at = 0
        for m in _SLOT.finditer(html):
            parts += [html[at : m.start()], m.group(1) or m.group()]
            at = m.end()
        parts.append(html[at:])
        return cls(tuple(parts), item)

    def fill(self, slug: str, fragment: dict[str, Any]) -> str:
        """The page of one work. The fragment's text is HTML already escaped by the
        generator (title and description as front matter, body as converted)."""
        slots = self._slots(slug, fragment)
        return "".join(slots[part] if i % 2 else part for i, part in enumerate(self.parts))

    def fill_bytes(self, slug: str, fragment: dict[str, Any]) -> bytes:
        """`fill` as UTF-8: the shell's text is encoded once, not once per page (most of
        a page is the shell: header, navigation, footer)."""
        slots = self._slots(slug, fragment)
        return b"".join(
            slots[part].encode("utf-8") if i % 2 else self._encoded[i]
            for i, part in enumerate(self.parts)
        )

    @cached_property
    def _encoded(self) -> tuple[bytes, ...]:
        return tuple(part.encode("utf-8") for part in self.parts)

    def _slots(self, slug: str, fragment: dict[str, Any]) -> dict[str, str]:
        toc = "".join(
            self.toc_item.replace(f"#{SHELL_TOC.lower()}", f"#{ident}").replace(SHELL_TOC, text)
            for ident, text in fragment["toc"]
        )
        return {
            SHELL_TITLE: fragment["title"],
            SHELL_DESCRIPTION: fragment["description"],
            f"#{SHELL_H1}": f"#{fragment['h1']}",
            "/_shell/": f"/{slug}/",
            "body": fragment["body"],
            "toc": toc,
        }


@dataclass(frozen=True)
class FillStats:
    pages: int
    written: int
    removed: int
    search_files: tuple[str, ...]
    cite_files: int = 0  # BibTeX files put into the site (see publish_cite)


def fragments(folder: Path) -> dict[str, dict[str, Any]]:
    """{slug: fragment} from the work pages' folder `toi-atlas build` writes."""
    found = {}
    works = folder / "works"
    try:
        # Names, not Paths, sorted: comparing 10,000 Paths costs a tenth of a second.
        names = sorted(e.name for e in os.scandir(works) if e.name.endswith(".json"))
    except FileNotFoundError:
        names = []
    for name in names:
        with open(os.path.join(works, name), "rb") as fh:
            data = json.loads(fh.read())  # UTF-8, as JSON must be
        if not isinstance(data, dict) or data.get("version") != FRAGMENT_VERSION:
            raise ShellError(f"{name} is from another version: run `toi-atlas build --force`")
        found[name.removesuffix(".json")] = data
    return found


def read_shell(site: Path) -> Shell:
    """The shell the theme rendered into `site`, which then leaves the site."""
    shell_file = site / SHELL_DIR / "index.html"
    try:
        shell = Shell.parse(shell_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ShellError(f"{SHELL_DIR}/index.html is missing: build the site first") from None
    shutil.rmtree(site / SHELL_DIR)
    return shell


def fill_site(
    site: Path, folder: Path, shell: Shell | None = None, only: set[str] | None = None
) -> FillStats:
    """Write every work page into `site` (or those in `only`, after an edit), and update
    the search index and sitemap. `shell` is read from the site (and removed from it)
    unless given: a preview keeps it for the next edit. Raises ShellError or OSError."""
    shell = shell or read_shell(site)
    works = fragments(folder)
    pages = _Pages(site)
    written = 0
    for slug, fragment in works.items():
        if only is not None and slug not in only:
            continue
        written += pages.put(slug, shell.fill_bytes(slug, fragment))
    removed = _remove_stale(site / WORKS_DIR, set(works))
    searched = _update_search(site, works)
    _update_sitemaps(site, sorted(works))
    cited = publish_cite(folder / "cite", site, only)
    return FillStats(len(works), written, removed, searched, cited)


# What slugify_key makes of a key: such a name is one plain folder name, never `..`.
_SLUG = re.compile(r"[a-z0-9][a-z0-9_.-]*")


class _Pages:
    """Writes work pages into the site's works folder. A page whose folder this fill
    creates is new: it is written straight (no temporary file, no comparison, no path
    resolved), which is most of a fill after a fresh `mkdocs build`; a folder already
    there may be a symlink, so its page goes through the careful path."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.works = safe_target(site, f"{WORKS_DIR}/index.html").parent
        self.folders: dict[Path, Path] = {}

    def put(self, slug: str, data: bytes) -> bool:
        """Write the page of `slug` unless it holds `data` already; True if written."""
        if _SLUG.fullmatch(slug):
            try:
                (self.works / slug).mkdir(parents=True)
            except FileExistsError:
                pass
            else:
                (self.works / slug / "index.html").write_bytes(data)
                return True
        target = safe_target(self.site, f"{WORKS_DIR}/{slug}/index.html", self.folders)
        if _holds(target, data):
            return False
        atomic_write(target, data)
        return True


def publish_cite(source: Path, site: Path, only: set[str] | None = None) -> int:
    """Put the works' BibTeX files (`x.bib`, each linked from its work page) from
    `source` into the site's `atlas/cite/`, and take out those of works that are gone;
    the number put in. Nothing when `source` does not exist (the build then writes
    them into docs/, and MkDocs copies them).

    Hard links where the file system allows, else copies: at 10,000 works a copy each
    is seconds of a build, a link a fraction of one. `toi-atlas build` replaces a file
    it changes (write.files.atomic_write) and never writes into one, so a link never
    changes under the site; a file already in the site is replaced, never written
    through. Names are only those `slugify_key` makes."""
    try:
        names = {n for n in os.listdir(source) if n.endswith(".bib") and _SLUG.fullmatch(n[:-4])}
    except FileNotFoundError:
        return 0
    into = safe_target(site, f"{CITE_DIR}/x.bib").parent
    into.mkdir(parents=True, exist_ok=True)
    there = set(os.listdir(into))
    put = 0
    for name in sorted(names):
        if only is not None and name[:-4] not in only:
            continue
        src, dst = source / name, into / name
        if name in there:
            if _same_file(src, dst):
                continue
            tmp = into / f".{name}.toi-atlas.tmp"
            tmp.unlink(missing_ok=True)
            _link_or_copy(src, tmp)
            os.replace(tmp, dst)
        else:
            _link_or_copy(src, dst)
        put += 1
    if only is None:
        for name in there - names:
            if name.endswith(".bib"):
                (into / name).unlink()
    return put


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(src, dst)


def _same_file(src: Path, dst: Path) -> bool:
    """`dst` is `src` (the link a fill made) or holds what it holds; not a symlink."""
    if dst.is_symlink():
        return False
    try:
        return os.path.samefile(src, dst) or src.read_bytes() == dst.read_bytes()
    except OSError:
        return False


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _remove_stale(works_dir: Path, slugs: set[str]) -> int:
    """Folders of works no longer in the corpus (a preview's site outlives edits). The
    only page MkDocs builds under atlas/works/ is its index.html, a file; the shell is
    kept until `remove_shell`."""
    removed = 0
    if not works_dir.is_dir():
        return 0
    for entry in works_dir.iterdir():
        ours = entry.is_dir() and entry.name not in slugs and entry.name != "_shell"
        if ours and {p.name for p in entry.iterdir()} <= {"index.html"}:
            shutil.rmtree(entry)
            removed += 1
    return removed


def _entry(slug: str, fragment: dict[str, Any], zensical: bool) -> dict[str, Any]:
    search = fragment["search"]
    # As the theme's index holds titles: markup escaped, quotes as they are.
    title = html.escape(html.unescape(fragment["title"]), quote=False)
    entry: dict[str, Any] = {
        "location": f"{WORKS_DIR}/{slug}/",
        "title": title,
        "text": search["text"],
    }
    if zensical:
        entry["level"] = 1
        entry["path"] = [title]
    if search["tags"] or zensical:  # Zensical lists tags on every entry, MkDocs when any
        entry["tags"] = search["tags"]
    if not zensical:
        entry["boost"] = search["boost"]
    return entry


def _work_page(location: str) -> bool:
    """A work page's (or the shell's) entry; the list of all works is not one."""
    page = location.split("#")[0]
    return page.startswith(f"{WORKS_DIR}/") and page not in (
        f"{WORKS_DIR}/",
        f"{WORKS_DIR}/index.html",
    )


def _update_search(site: Path, works: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    """Add the works to the search index MkDocs' search plugin (search/search_index.json,
    `docs`) or Zensical (search.json, `items`) wrote, replacing any earlier entries of
    work pages: title, byline, kind, stance and summary, never edges or citations."""
    done = []
    for rel, key in (("search/search_index.json", "docs"), ("search.json", "items")):
        path = site / rel
        if not path.is_file():
            continue
        index = json.loads(path.read_text(encoding="utf-8"))
        kept = [d for d in index.get(key, []) if not _work_page(str(d.get("location", "")))]
        zensical = key == "items"
        kept += [_entry(slug, f, zensical) for slug, f in works.items()]
        index[key] = kept
        atomic_write(path, json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode())
        done.append(rel)
    return tuple(done)


_URL_BLOCK = re.compile(r"[ \t]*<url>\s*<loc>([^<]*)</loc>.*?</url>\n?", re.S)


def _update_sitemaps(site: Path, slugs: list[str]) -> None:
    """Work pages join sitemap.xml (and its .gz) in the shell's format, the shell leaves."""
    path = site / "sitemap.xml"
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    blocks = list(_URL_BLOCK.finditer(text))
    model = next((m for m in blocks if m.group(1).endswith(f"/{SHELL_DIR}/")), None)
    if model is None:
        return  # a sitemap we cannot read: left as the builder wrote it
    works_prefix = model.group(1).removesuffix("_shell/")
    kept = [
        m.group()
        for m in blocks
        if not m.group(1).startswith(works_prefix) or m.group(1) == works_prefix
    ]
    new = [model.group().replace("/_shell/", f"/{slug}/") for slug in slugs]
    head = text[: blocks[0].start()] if blocks else text
    tail = text[blocks[-1].end() :] if blocks else ""
    body = "".join(kept + new)
    atomic_write(path, (head + body + tail).encode("utf-8"))
    gz = site / "sitemap.xml.gz"
    if gz.is_file():
        atomic_write(gz, gzip.compress((head + body + tail).encode("utf-8"), mtime=0))


def fill_diagnostic(site: Path, problem: str) -> Diagnostic:
    return Diagnostic(
        "TOI904",
        Span(site.as_posix(), 1),
        f"cannot put the work pages into the site: {problem}",
        "run `toi-atlas build`, then `mkdocs build` (or `zensical build`), then `toi-atlas site`",
    )
