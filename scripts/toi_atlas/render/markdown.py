"""Small, pure helpers that turn untrusted text into safe Markdown and HTML.

Everything that comes from a BibTeX field passes through `md_escape` (text) or
`attr` (attribute values). `md_escape` turns every character that Markdown or
HTML could read as syntax into a numeric entity: the browser shows the same
character, but neither Python-Markdown nor the HTML parser sees markup. Links to
external sites are emitted as HTML with an escaped href, and only after
`is_safe_url` has allowed the scheme.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ..model import bidi
from ..model.corpus import Work
from ..model.identity import is_safe_url
from ..read.site import page_url
from ..read.taxonomy import Taxonomy, Term

# Characters that can start Markdown, HTML or attr_list syntax inline, plus those some
# common extensions give a meaning (~ ^ = $ : @ % for strike, sub/sup, mark, math,
# emoji, mentions). `.`, `-` and `'` only matter at the start of a line (lists) and are
# left alone elsewhere: every entity is an inline-pattern match for Python-Markdown,
# and titles are full of them (a third of `mkdocs build` at 10,000 works).
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+!|<>&\"~^=$:@%]")
_MD_LINE_START = re.compile(r"^(?:[-.']|\d+(?=[.)]))")


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry at all (control codes), for XML exports."""
    return _XML_INVALID.sub("", text)


def md_escape(text: str) -> str:
    """Untrusted text -> Markdown that renders as exactly that text."""
    text = _MD_SPECIAL.sub(_entities, " ".join(text.split()))
    return _MD_LINE_START.sub(_entities, text)


def _entities(match: re.Match[str]) -> str:
    return "".join(f"&#{ord(char)};" for char in match.group())


def html_text(text: str) -> str:
    """Untrusted text -> HTML text that shows exactly that text (whitespace collapsed, as
    `md_escape` does). For the pages the generator writes as HTML itself (work pages)."""
    return html.escape(" ".join(text.split()), quote=False)


def attr(text: str) -> str:
    """Untrusted text -> a double-quoted HTML attribute value."""
    return html.escape(" ".join(text.split()), quote=True)


def yaml_str(text: str) -> str:
    """A front-matter scalar. JSON strings are valid YAML; entities keep <title> inert."""
    return json.dumps(html.escape(" ".join(text.split()), quote=True), ensure_ascii=False)


def rel(from_page: str, to_path: str) -> str:
    """Relative link between two paths inside the output folder (MkDocs checks them)."""
    return _rel_from(posixpath.dirname(from_page) or ".", to_path)


@lru_cache(maxsize=1 << 17)
def _rel_from(folder: str, to_path: str) -> str:
    # Pages share a handful of folders, so the same link is asked for many times;
    # relpath itself costs about 40 µs (it makes both paths absolute).
    return posixpath.relpath(to_path, folder)


def ext_link(url: str | None, text: str) -> str:
    """External link as HTML, or plain escaped text when the URL is not http(s)."""
    if not url or not is_safe_url(url):
        return md_escape(text)
    return f'<a href="{attr(url)}" rel="noopener">{md_escape(text)}</a>'


def fence(content: str, lang: str = "") -> list[str]:
    """A code fence longer than any backtick run inside, so content cannot close it."""
    longest = max((len(m) for m in re.findall(r"`+", content)), default=0)
    ticks = "`" * max(3, longest + 1)
    return [f"{ticks}{lang}", *content.rstrip("\n").split("\n"), ticks]


def first_sentence(text: str, limit: int = 220) -> str:
    """The one-line summary used in lists: first sentence, cut at a word boundary."""
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    one = m.group(1) if m else text
    if len(one) > limit:
        one = one[:limit].rsplit(" ", 1)[0] + "…"
    return bidi.contain(one)  # the cut may fall inside a bidi isolate or override


def work_path(work: Work) -> str:
    """Where the work's page stands among the generated pages. No Markdown file is
    written there any more (the page is made from the theme's shell, see workhtml), but
    links from and to the page are reckoned from it like any other page's."""
    return f"works/{work.slug}.md"


def url_rel(from_page: str, to_page: str) -> str:
    """A link from one page to another as the folder URL the browser resolves against the
    page's own URL (`../../works/x/`). Links to work pages take this form: MkDocs cannot
    check a link to a page it does not build, so it leaves these as written, and the
    generator checks them itself (workhtml.LinkCheck)."""
    return _url_rel_from(page_url(from_page), page_url(to_page))


def _url_rel_from(here: str, there: str) -> str:
    # Both are clean folder URLs from `page_url` (no `..`, no `.`), so the relative link
    # is the common prefix dropped and one `..` per folder left: what posixpath.relpath
    # gives, without its 40 µs of making both absolute (60,000 links at 10,000 works).
    h, t = here.split("/")[:-1] if here else [], there.split("/")[:-1] if there else []
    i = 0
    while i < len(h) and i < len(t) and h[i] == t[i]:
        i += 1
    parts = [".."] * (len(h) - i) + t[i:]
    return "/".join(parts) + "/" if parts else "./"


def file_url_rel(from_page: str, path: str) -> str:
    """A link from a page to a file of the output folder (`cite/x.bib`), as the URL the
    browser resolves against the page's own URL (`../../cite/x.bib`)."""
    return _rel_from(page_url(from_page) or ".", posixpath.join("atlas", path))


@dataclass(frozen=True)
class Flavour:
    """How a page spells text, links and line breaks: Markdown for the pages MkDocs
    builds, HTML for the work pages the generator writes itself. The helpers below
    compute what a link or list line holds once and spell it with one of the two."""

    escape: Callable[[str], str]  # untrusted text
    page_href: Callable[[str, str], str]  # (from page, to page path) -> href
    link: Callable[[str, str], str]  # (escaped text, href)
    em: Callable[[str], str]
    item: Callable[[str], str]  # one list line
    br: str  # a line break inside a list line


def _md_link(text: str, href: str) -> str:
    return f"[{text}]({href})"


def _html_link(text: str, href: str) -> str:
    return f'<a href="{attr(href)}">{text}</a>'


MD = Flavour(md_escape, rel, _md_link, lambda t: f"*{t}*", lambda t: f"- {t}", "  \n  ")
HTML = Flavour(
    html_text,
    url_rel,
    _html_link,
    lambda t: f"<em>{t}</em>",
    lambda t: f"<li>{t}</li>",
    "<br />\n  ",
)


def work_url(work: Work, from_page: str) -> str:
    return url_rel(from_page, work_path(work))


def topic_path(term: Term) -> str:
    return f"{term.kind}/{term.id}.md"


def stance_label(
    tax: Taxonomy,
    stance: str | None,
    from_page: str = "",
    *,
    link: bool = False,
    flavour: Flavour = MD,
) -> str:
    """A stance badge that carries its meaning in text and symbol, not colour alone."""
    term = tax.stances.get(stance or "")
    if term is None:
        return ""
    body = f"{attr(term.symbol or '')} {attr(term.name)}".strip()
    span = (
        f'<span class="toi-stance toi-stance--{attr(term.id)}" '
        f'title="Stance: {attr(term.name)}">{body}</span>'
    )
    if link:
        return flavour.link(span, flavour.page_href(from_page, f"stance/{term.id}.md"))
    return span


def work_link(work: Work, from_page: str, flavour: Flavour = MD) -> str:
    return flavour.link(flavour.escape(work.title or work.key), work_url(work, from_page))


def topic_link(term: Term, from_page: str, flavour: Flavour = MD) -> str:
    return flavour.link(flavour.escape(term.name), flavour.page_href(from_page, topic_path(term)))


def byline(work: Work, flavour: Flavour = MD) -> str:
    parts = [work.author_line, str(work.year) if work.year else "", work.venue]
    return " · ".join(flavour.escape(p) for p in parts if p)


def work_list_item(
    work: Work,
    from_page: str,
    tax: Taxonomy,
    stance: str | None = None,
    extra: str = "",
    namer: Callable[[str], str] | None = None,
    flavour: Flavour = MD,
) -> str:
    """One line in a list of works: title, byline, optional stance, one-line summary.

    `namer` rewrites the escaped one-line summary (render.essay names the essay in it)."""
    bits = [work_link(work, from_page, flavour)]
    if stance:
        bits.append(stance_label(tax, stance))
    line = " ".join(bits)
    meta = byline(work, flavour)
    if meta:
        line += flavour.br + meta
    if extra:
        line += flavour.br + extra
    if work.summary:
        oneline = flavour.escape(first_sentence(work.summary))
        if namer is not None:
            oneline = namer(oneline)
        line += f'{flavour.br}<span class="toi-oneline">{oneline}</span>'
    return flavour.item(line)


def page_script(src: str, ident: str) -> str:
    """Markdown that loads one script on this page only (not on every page, as the
    theme's extra_javascript would).

    The URL comes from a hidden Markdown link, which MkDocs and Zensical both resolve
    for the page's folder (Zensical rewrites a raw `src`, MkDocs does not); a line of
    script then loads it. `src` is relative to the Markdown file, `ident` the link's id.
    """
    return (
        f"[Script of this page]({src}){{ #{ident} hidden }}\n\n"
        f"<script>(function () {{ var a = document.getElementById('{ident}'); "
        "if (!a) return; var s = document.createElement('script'); s.src = a.href; "
        "document.body.appendChild(s); })();</script>\n"
    )
