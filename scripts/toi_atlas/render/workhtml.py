"""Work pages as HTML fragments: each work's Markdown, converted once, links checked.

MkDocs used to build every work page itself, at about 14 ms a page (Python-Markdown
with a fresh set of extensions, the theme's templates, the search plugin re-reading
the result), which made a 10,000-work site take minutes. Now the theme renders one
shell page (`works/_shell.md`, see `shell_page`) and `toi-atlas site` pours each work
into it. Here each work's Markdown becomes the body of its page with one reused
Python-Markdown instance, configured with the very extensions mkdocs.yml gives MkDocs
(so the HTML is the same), and only when that Markdown changed since the last build.

MkDocs no longer sees these pages, so it cannot check their links: `LinkCheck` does,
for every relative link a work page holds, and for every link a hand-written page
makes to a work page (pagelinks).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit
from xml.etree.ElementTree import Element

import markdown
import yaml
from markdown.treeprocessors import Treeprocessor

from ..read.site import page_url
from ..write.files import WriteStats, atomic_write, changed, safe_target, write_plan
from ..write.fill import FRAGMENT_VERSION

# MkDocs puts these first whatever mkdocs.yml lists (config.markdown_extensions).
BUILTIN_EXTENSIONS = ("toc", "tables", "fenced_code")
# Never on a work page: a BibTeX value shown in the page's BibTeX block could otherwise
# name a file to include (`--8<-- "path"`). No work page uses snippets.
UNSAFE_EXTENSIONS = frozenset({"pymdownx.snippets"})


def extensions(config: dict[str, Any]) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The Markdown extensions and their settings from mkdocs.yml, as MkDocs reads them:
    a list of names or {name: settings}, after its three built-in ones."""
    names = list(BUILTIN_EXTENSIONS)
    settings: dict[str, dict[str, Any]] = {}
    for item in config.get("markdown_extensions") or []:
        if isinstance(item, dict):
            for name, conf in item.items():
                names.append(str(name))
                if isinstance(conf, dict):
                    settings[str(name)] = conf
        else:
            names.append(str(item))
    kept = [n for n in dict.fromkeys(names) if n not in UNSAFE_EXTENSIONS]
    return kept, {n: c for n, c in settings.items() if n in kept}


@dataclass(frozen=True)
class Targets:
    """What a link may point at: the pages and files of the built site (paths under
    docs/, e.g. `atlas/toi/x.md`, `atlas/cite/x.bib`) and the work pages' folder URLs."""

    files: frozenset[str]
    work_urls: frozenset[str]

    def has_url(self, url: str) -> bool:
        """A folder URL (`atlas/toi/x/`) that some page is built at."""
        if url in self.work_urls:
            return True
        stem = url.rstrip("/")
        return f"{stem}.md" in self.files or f"{stem}/index.md" in self.files or url == ""


@dataclass
class LinkCheck:
    """The broken links found while converting: (page, link as written)."""

    broken: list[tuple[str, str]] = field(default_factory=list)


class _Links(Treeprocessor):
    """MkDocs' link rewriting for one page, plus a check that each target exists.

    A link to a `.md` page or to a file is written relative to the page's folder among
    the generated files, and becomes a URL relative to the page's own URL, as MkDocs
    makes it. A link without a file extension is already a folder URL (`../x/`): it is
    checked and left as written. Fragments and external links are left alone.
    """

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.doc = ""  # the page, under docs/: atlas/works/x.md
        self.targets = Targets(frozenset(), frozenset())
        self.check = LinkCheck()

    def run(self, root: Element) -> None:
        for el in root.iter():
            for name in ("href", "src"):
                value = el.get(name)
                if value is not None:
                    el.set(name, self.rewrite(value))

    def rewrite(self, url: str) -> str:
        scheme, netloc, path, query, anchor = urlsplit(url)
        if scheme or netloc or not path or url.startswith("/"):
            return url
        here = page_url(self.doc.removeprefix("atlas/"))
        if posixpath.splitext(path.rstrip("/"))[1] == "" or path.endswith("/"):
            target = posixpath.normpath(posixpath.join(here, unquote(path))) + "/"
            if not self.targets.has_url(target.removeprefix("./")):
                self.check.broken.append((self.doc, url))
            return url
        target = posixpath.normpath(posixpath.join(posixpath.dirname(self.doc), unquote(path)))
        if target not in self.targets.files:
            self.check.broken.append((self.doc, url))
            return url
        if target.endswith(".md"):
            built = page_url(target.removeprefix("atlas/"))
            new = posixpath.relpath(built or ".", here or ".") + "/"
        else:
            new = posixpath.relpath(target, here or ".")
        return urlunsplit(("", "", new, query, anchor))


class Converter:
    """One Python-Markdown instance for all work pages, reset between them."""

    def __init__(self, config: dict[str, Any]) -> None:
        names, settings = extensions(config)
        self.md = markdown.Markdown(extensions=names, extension_configs=settings)
        self.links = _Links(self.md)
        # Priority 0, as MkDocs registers its own: after every other treeprocessor.
        self.md.treeprocessors.register(self.links, "toi_atlas_links", 0)

    def convert(self, doc: str, text: str, targets: Targets) -> dict[str, Any]:
        """The fragment of one work page: its head fields, its sections and its body."""
        meta, body = split_front_matter(text)
        self.md.reset()
        self.links.doc, self.links.targets = doc, targets
        html = self.md.convert(body)
        tokens = getattr(self.md, "toc_tokens", [])
        title = tokens[0] if tokens and tokens[0]["level"] == 1 else None
        sections = title["children"] if title else tokens
        search = meta.get("search")
        boost = search.get("boost", 1) if isinstance(search, dict) else 1
        return {
            "version": FRAGMENT_VERSION,
            "title": str(meta.get("title") or ""),
            "description": str(meta.get("description") or ""),
            "h1": title["id"] if title else "",
            "toc": [[s["id"], s["html"]] for s in sections if s["level"] == 2],
            "body": html,
            "search": {
                "text": search_text(html),
                "tags": [str(t) for t in meta.get("tags") or []],
                "boost": float(boost),
            },
        }


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        return {}, text
    head, sep, body = text[4:].partition("\n---\n")
    if not sep:
        return {}, text
    meta = yaml.load(head, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return (meta if isinstance(meta, dict) else {}), body


class _SearchText(HTMLParser):
    """The text the search index gets for a work, as the theme's search plugin makes it:
    the paragraphs before the first h2 (title aside), tags dropped but <p>, and every
    element marked `data-search-exclude` left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = 0  # inside an excluded element: its nesting depth
        self.stack: list[str] = []
        self.done = False
        self.in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "h2":
            self.done = True
            return
        void = tag in ("br", "hr", "img", "input", "meta", "link", "wbr")
        if self.depth:
            if not void:
                self.depth += 1
            return
        if any(name == "data-search-exclude" for name, _ in attrs):
            self.depth = 0 if void else 1
            return
        if tag == "h1":
            self.in_h1 = True
        elif tag == "p":
            self.parts.append("<p>")

    def handle_endtag(self, tag: str) -> None:
        if self.done:
            return
        if self.depth:
            self.depth -= 1
            return
        if tag == "h1":
            self.in_h1 = False
        elif tag == "p":
            self.parts.append("</p>")

    def handle_data(self, data: str) -> None:
        if not (self.done or self.depth or self.in_h1):
            self.parts.append(data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


_SPACE = re.compile(r"\s+")
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>')


def search_text(html: str) -> str:
    parser = _SearchText()
    parser.feed(_HEADERLINK.sub("", html))
    parser.close()
    text = _SPACE.sub(" ", "".join(parser.parts)).strip()
    return text.replace("<p> ", "<p>").replace(" </p>", "</p>").replace("</p><p>", "</p> <p>")


def convert_all(
    sources: dict[str, str], config: dict[str, Any], targets: Targets, workers: int = 0
) -> tuple[dict[str, str], LinkCheck]:
    """{fragment path: JSON} for {page path: Markdown}, converted in parallel when there
    are many (Python-Markdown is about 5 ms a page)."""
    items = sorted(sources.items())
    workers = workers or min(os.cpu_count() or 1, max(1, len(items) // 200))
    if workers <= 1:
        return _convert_chunk(items, config, targets)
    import multiprocessing as mp

    chunks = [items[i::workers] for i in range(workers)]
    with mp.get_context("forkserver").Pool(workers) as pool:
        parts = pool.starmap(_convert_chunk, [(c, config, targets) for c in chunks])
    out: dict[str, str] = {}
    check = LinkCheck()
    for done, found in parts:
        out.update(done)
        check.broken += found.broken
    return out, check


def _convert_chunk(
    items: Iterable[tuple[str, str]], config: dict[str, Any], targets: Targets
) -> tuple[dict[str, str], LinkCheck]:
    conv = Converter(config)
    out = {}
    for path, text in items:
        fragment = conv.convert(posixpath.join("atlas", path), text, targets)
        out[fragment_path(path)] = json.dumps(fragment, ensure_ascii=False, separators=(",", ":"))
    return out, conv.links.check


def fragment_path(page: str) -> str:
    """works/x.md -> works/x.json"""
    return page.removesuffix(".md") + ".json"


def work_pages(
    sources: dict[str, str],
    folders: tuple[Path, Path],
    extensions_config: list[Any],
    targets: Targets,
    *,
    force: bool = False,
) -> tuple[dict[str, str], LinkCheck]:
    """{fragment path: JSON} for the work pages whose Markdown changed since the last
    build (every page with `force`, or when its fragment is missing). `folders` are where
    the last build left the Markdown and the fragments (see `save_work_pages`)."""
    md_dir, html_dir = folders
    todo = set(sources) if force else set(changed(md_dir, sources))
    if not force:
        todo |= {p for p in sources if not (html_dir / fragment_path(p)).is_file()}
    config = {"markdown_extensions": extensions_config}
    return convert_all({p: sources[p] for p in todo}, config, targets)


def save_work_pages(
    sources: dict[str, str], fragments: dict[str, str], folders: tuple[Path, Path]
) -> WriteStats:
    """Write the Markdown (to compare against next time) and the new fragments; delete
    the fragments of works that are gone. Called only once every link checked out, so a
    page with a broken link is converted (and reported) again by the next build."""
    md_dir, html_dir = folders
    write_plan(md_dir, sources)
    folder_memo: dict[Path, Path] = {}
    for rel, text in sorted(fragments.items()):
        atomic_write(safe_target(html_dir, rel, folder_memo), text.encode("utf-8"))
    keep = {fragment_path(p) for p in sources}
    deleted = 0
    if html_dir.is_dir():
        for path in sorted(html_dir.rglob("*.json")):
            if path.relative_to(html_dir).as_posix() not in keep:
                path.unlink()
                deleted += 1
    return WriteStats(len(fragments), len(sources) - len(fragments), deleted, tuple(fragments))
