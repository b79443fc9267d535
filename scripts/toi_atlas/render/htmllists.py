"""Long lists of works as raw HTML blocks inside the Markdown pages MkDocs builds.

A list of works written as Markdown costs Python-Markdown an inline-pattern pass over
every link, entity and line break of every item: at 10,000 works, the list of all works
and the topic pages' lists took most of `mkdocs build`. Written as the HTML that
Python-Markdown made of them, a `<ul>` block that starts a line is passed through
whole (md_in_html leaves a block without `markdown` alone), so the built page does not
change, byte for byte.

Text keeps its Markdown escaping (`md_escape`: numeric entities), which Python-Markdown
passed through as written; links are spelt as it spelt them. MkDocs never rewrites a
link in raw HTML, so these lists hold only links it left alone anyway: folder URLs of
work pages. A link to a Markdown page (which MkDocs rewrites) raises.
"""

from __future__ import annotations

from .markdown import Flavour, attr, md_escape


def _no_page_links(from_page: str, to_page: str) -> str:
    raise ValueError(f"a raw HTML list on {from_page} cannot link to {to_page}")


def _link(text: str, href: str) -> str:
    return f'<a href="{attr(href)}">{text}</a>'


# Markdown's escaping, HTML's markup: what Python-Markdown made of an MD-flavoured line.
RAW = Flavour(
    md_escape,
    _no_page_links,
    _link,
    lambda t: f"<em>{t}</em>",
    lambda t: f"<li>{t}</li>",
    "<br />\n  ",
)


def raw_list(items: list[str]) -> list[str]:
    """Lines of a `<ul>` block of RAW items (nothing for no items). A blank line must
    follow, as after a Markdown list, for Python-Markdown to end the block there."""
    if not items:
        return []
    return ["<ul>", *items, "</ul>"]


def with_sublist(item: str, subitems: list[str]) -> str:
    """A RAW item with a nested list, as Python-Markdown nests an indented list."""
    if not subitems:
        return item
    return item.removesuffix("</li>") + "<ul>\n" + "\n".join(subitems) + "\n</ul>\n</li>"
