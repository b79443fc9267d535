"""Work pages as HTML fragments: the parts the theme's shell receives, links checked.

MkDocs used to build every work page itself, at about 14 ms a page (Python-Markdown
with a fresh set of extensions, the theme's templates, the search plugin re-reading
the result), which made a 10,000-work site take minutes. Now the theme renders one
shell page (`works/_shell.md`, see `shell_page`) and `toi-atlas site` pours each work
into it. render.pages writes each work's body as HTML directly, the HTML the theme's
Markdown extensions would make of it (heading ids and permalinks as `toc` makes them,
the BibTeX block highlighted as `pymdownx.highlight` does); Python-Markdown, at 5 ms
a page, was most of a cold build. `Converter` still turns other Markdown (the preview's
discovery queue) into a fragment.

MkDocs no longer sees these pages, so it cannot check their links: `check_links` does,
for every relative link a work page holds, and pagelinks for every link a hand-written
page makes to a work page.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit
from xml.etree.ElementTree import Element

import markdown
import yaml
from markdown.extensions.toc import slugify, unique
from markdown.treeprocessors import Treeprocessor

from ..read.site import Site, page_url
from ..write.files import WriteStats, atomic_write, changed, safe_target
from ..write.fill import FRAGMENT_VERSION

# MkDocs puts these first whatever mkdocs.yml lists (config.markdown_extensions).
BUILTIN_EXTENSIONS = ("toc", "tables", "fenced_code")
# Never on a work page: a BibTeX value shown in the page's BibTeX block could otherwise
# name a file to include (`--8<-- "path"`). No work page uses snippets.
UNSAFE_EXTENSIONS = frozenset({"pymdownx.snippets"})
# Ids the work page gives itself (the Cite heading, the BibTeX download link): the
# `toc` extension never gives a heading an id some element already has.
FIXED_IDS = ("cite", "bibtex")


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
    return _tidy(parser.parts)


def _tidy(parts: list[str]) -> str:
    text = _SPACE.sub(" ", "".join(parts)).strip()
    return text.replace("<p> ", "<p>").replace(" </p>", "</p>").replace("</p><p>", "</p> <p>")


_HEAD_BLOCK = re.compile(r"<(p|h1)\b([^>]*)>(.*?)</\1>", re.S)
_TAG = re.compile(r"<[^>]*>")


def head_search_text(head: str) -> str:
    """`search_text` for the head of a work page as `render/pages.py` writes it: flat
    paragraphs after the h1, no text outside them. A regex pass instead of an HTML
    parser (a tenth of the time, which counts at 10,000 pages); the tests hold the two
    equal on every fixture page."""
    parts: list[str] = []
    for m in _HEAD_BLOCK.finditer(head):
        tag, attrs, inner = m.groups()
        if tag == "h1" or "data-search-exclude" in attrs:
            continue
        text = html.unescape(_TAG.sub("", inner))
        parts += [
            "<p>",
            text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
            "</p>",
        ]
    return _tidy(parts)


def fragment_path(page: str) -> str:
    """works/x.md -> works/x.json"""
    return page.removesuffix(".md") + ".json"


class HeadingIds:
    """Heading ids as the `toc` extension gives them (mkdocs.yml: `toc: permalink: true`):
    the slug of the heading's text, made unique on the page in document order."""

    def __init__(self) -> None:
        self.used: set[str] = set(FIXED_IDS)

    def make(self, text: str) -> str:
        """`text` is the heading's escaped HTML text."""
        return unique(slugify(html.unescape(text), "-"), self.used)


def permalink(ident: str) -> str:
    """The anchor `toc` appends to every heading with `permalink: true`."""
    return f'<a class="headerlink" href="#{ident}" title="Permanent link">&para;</a>'


def fragment(
    *,
    title: str,
    description: str,
    h1: str,
    toc: list[tuple[str, str]],
    body: str,
    tags: list[str],
    boost: float,
) -> dict[str, Any]:
    """What `toi-atlas site` pours into the shell for one page. `title`, `description`
    and `tags` are HTML-escaped text, `toc` is (id, title HTML) per h2."""
    cut = body.find("<h2")  # the search text comes from what stands before the first h2
    return {
        "version": FRAGMENT_VERSION,
        "title": title,
        "description": description,
        "h1": h1,
        "toc": [[ident, text] for ident, text in toc],
        "body": body,
        "search": {
            "text": head_search_text(body if cut < 0 else body[:cut]),
            "tags": tags,
            "boost": float(boost),
        },
    }


def highlight(code: str, lang: str, site: Site) -> str:
    """A fenced code block as `pymdownx.superfences` renders it, with mkdocs.yml's
    `pymdownx.highlight` settings. The code gets Python-Markdown's whitespace
    normalisation first (tabs expanded, blank lines emptied), as a fence would."""
    settings = dict(extensions({"markdown_extensions": list(site.markdown_extensions)})[1])
    options = json.dumps(settings.get("pymdownx.highlight") or {}, sort_keys=True)
    lines = code.replace("\x02", "").replace("\x03", "").expandtabs(4).rstrip("\n").split("\n")
    return _highlighter(options)("\n".join(line if line.strip(" ") else "" for line in lines), lang)


@lru_cache(maxsize=4)
def _highlighter(options: str) -> Callable[[str, str], str]:
    """With mkdocs.yml's default settings, Pygments with one formatter made once as
    `pymdownx.highlight` makes it for every block (making it is half the cost of a page);
    with other settings, `pymdownx.highlight` itself."""
    from pymdownx.highlight import BlockHtmlFormatter, Highlight  # Pygments: only when used

    settings = json.loads(options)
    if not settings:
        from pygments import highlight as pygmentize
        from pygments.lexers import get_lexer_by_name

        formatter = BlockHtmlFormatter(cssclass="highlight", wrapcode=True, style="default")
        lexers: dict[str, Any] = {}

        def fast(src: str, lang: str) -> str:
            if lang == "bibtex" and (known := bibtex_html(src)) is not None:
                return known
            if lang not in lexers:
                lexers[lang] = get_lexer_by_name(lang, stripnl=True)
            return str(pygmentize(src, lexers[lang], formatter)).removesuffix("\n")

        return fast
    css_class = settings.pop("css_class", "highlight")
    keep = Highlight.__init__.__code__.co_varnames
    tool = Highlight(None, **{k: v for k, v in settings.items() if k in keep})
    return lambda src, lang: str(tool.highlight(src, lang, css_class))


# The layout write.bibtext gives every entry: `@type{key,`, then `  name<pad> = value,`
# per field (a braced value, or a month's macro), then `}`.
_BIB_HEAD = re.compile(r"@([a-z][a-z0-9_]*)\{([^\s,}]+),")
_BIB_FIELD = re.compile(r"  ([a-z_][a-z0-9_-]*)( +)= (.*),")
_BIB_MACRO = re.compile(r"[a-z][a-z0-9_]*")
_BRACE = re.compile(r"[{}]")
# Words Pygments' lexer reads as other commands than an entry (`@comment...`).
_BIB_COMMANDS = ("comment", "preamble", "string")
_BIB_OPEN = '<div class="highlight"><pre><span></span><code>'
_BIB_CLOSE = '<span class="p">}</span>\n</code></pre></div>'


def bibtex_html(code: str) -> str | None:
    """The HTML Pygments (BibTeXLexer, the formatter `_highlighter` makes) gives an entry
    in write.bibtext's layout, or None for any other text, which Pygments then colours.

    Pygments' regex lexer and HTML formatter took about 1 ms per entry, a third of a
    work page's cost at 10,000 works. In this layout every line has one shape, so its
    tokens are known from one match per line: the entry type (`nc`), key (`nl`), each
    field name (`na`) and value (`s` for a braced one, `nv` for a macro), punctuation
    (`p`) and the spaces around them (`w`). Tests hold it equal to Pygments on every
    work page of the fixtures and on generated entries with hostile values.
    """
    lines = code.split("\n")
    head = _BIB_HEAD.fullmatch(lines[0])
    if head is None or lines[-1] != "}" or "\r" in code or head[1].startswith(_BIB_COMMANDS):
        return None
    out = [
        f'{_BIB_OPEN}<span class="nc">@{head[1]}</span><span class="p">{{</span>'
        f'<span class="nl">{html.escape(head[2], quote=False)}</span><span class="p">,</span>\n'
    ]
    for line in lines[1:-1]:
        field = _BIB_FIELD.fullmatch(line)
        if field is None:
            return None
        name, pad, value = field.groups()
        if _BIB_MACRO.fullmatch(value):
            kind = "nv"
        elif _one_braced_group(value):
            kind = "s"
        else:
            return None
        out.append(
            f'<span class="w">  </span><span class="na">{name}</span><span class="w">{pad}</span>'
            f'<span class="p">=</span><span class="w"> </span><span class="{kind}">'
            f'{html.escape(value, quote=False)}</span><span class="p">,</span>\n'
        )
    out.append(_BIB_CLOSE)
    return "".join(out)


def _one_braced_group(value: str) -> bool:
    """`{...}` whose first brace closes only at its end: one string token to Pygments."""
    if len(value) < 2 or value[0] != "{" or value[-1] != "}":
        return False
    depth = 0
    for brace in _BRACE.finditer(value, 0, len(value) - 1):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            return False
    return depth == 1


_HREF = re.compile(r' href="([^"]*)"')


def check_links(pages: Mapping[str, Mapping[str, Any]], targets: Targets) -> LinkCheck:
    """Every relative link in the work pages' bodies ({works/x.md: fragment}), checked
    against what the site will hold: a folder URL (`../../toi/x/`) must be a page, a
    file URL (`../../cite/x.bib`) a file."""
    check = LinkCheck()
    seen: dict[str, bool] = {}  # work pages share one depth: `../` links resolve alike
    for page, frag in pages.items():
        here = page_url(page)
        for raw in _HREF.findall(frag["body"]):
            url = html.unescape(raw)
            ok = seen.get(url) if url.startswith("../") else None
            if ok is None:
                ok = _link_ok(here, url, targets)
                if url.startswith("../"):
                    seen[url] = ok
            if not ok:
                check.broken.append((posixpath.join("atlas", page), url))
    return check


def _link_ok(here: str, url: str, targets: Targets) -> bool:
    scheme, netloc, path, _query, _anchor = urlsplit(url)
    if scheme or netloc or not path or url.startswith("/"):
        return True  # external, or on this page
    target = posixpath.normpath(posixpath.join(here, unquote(path)))
    if path.endswith("/"):
        return targets.has_url((target + "/").removeprefix("./"))
    return target in targets.files


def save_work_pages(
    pages: Mapping[str, Mapping[str, Any]], folder: Path, kept: frozenset[str] = frozenset()
) -> WriteStats:
    """Write the fragments that changed ({works/x.md: fragment}, as works/x.json) and
    delete those of works that are gone. The `kept` pages' fragments, not rendered
    again, stay as they are (counted as unchanged)."""
    texts = {
        fragment_path(p): json.dumps(f, ensure_ascii=False, separators=(",", ":"))
        for p, f in pages.items()
    }
    todo = changed(folder, texts)
    folder_memo: dict[Path, Path] = {}
    for rel in todo:
        atomic_write(safe_target(folder, rel, folder_memo), texts[rel].encode("utf-8"))
    deleted = 0
    keep = {fragment_path(p) for p in kept}
    # os.walk and strings, not rglob and Path objects: 0.7 s at 10,000 fragments.
    for top, _dirs, names in os.walk(folder):
        prefix = Path(top).relative_to(folder).as_posix()
        for name in sorted(names):
            rel = name if prefix == "." else f"{prefix}/{name}"
            if name.endswith(".json") and rel not in texts and rel not in keep:
                os.unlink(os.path.join(top, name))
                deleted += 1
    return WriteStats(len(todo), len(texts) - len(todo) + len(keep), deleted, tuple(todo))
