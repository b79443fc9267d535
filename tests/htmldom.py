"""HTML as a comparable tree: two bodies are DOM-equivalent when they hold the same
elements, attributes and text (entities decoded), whatever whitespace stands between
block elements. Used to hold the work pages to the HTML Python-Markdown made of them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

Node = tuple[str, tuple[tuple[str, str], ...], list["Node | str"]]
VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr"})
# Whitespace alone between these elements' children is not shown.
BLOCKS = frozenset({"", "ul", "ol", "details", "div", "table", "thead", "tbody", "tr"})
_SPACE = re.compile(r"\s+")


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: Node = ("", (), [])
        self.stack: list[Node] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node: Node = (tag, tuple(sorted((k, v or "") for k, v in attrs)), [])
        self.stack[-1][2].append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1][2].append((tag, tuple(sorted((k, v or "") for k, v in attrs)), []))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack[-1][0] == tag, f"</{tag}> closes <{self.stack[-1][0]}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        children = self.stack[-1][2]
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


def _normal(node: Node, in_pre: bool = False) -> Node:
    tag, attrs, children = node
    pre = in_pre or tag == "pre"
    out: list[Node | str] = []
    for child in children:
        if isinstance(child, str):
            if pre:
                out.append(child)
            elif child.strip() or tag not in BLOCKS:
                out.append(_SPACE.sub(" ", child))
        else:
            out.append(_normal(child, pre))
    return (tag, attrs, out)


def dom(html: str) -> Node:
    parser = _Tree()
    parser.feed(html)
    parser.close()
    assert len(parser.stack) == 1, f"<{parser.stack[-1][0]}> is never closed"
    return _normal(parser.root)
