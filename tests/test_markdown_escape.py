"""md_escape: any text, put where our pages put it, renders as exactly that text."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from toi_atlas.render.markdown import md_escape

# The extensions mkdocs.yml enables, plus ones a maintainer might add later and that
# give punctuation a meaning (md_escape must hold for those too).
EXTENSIONS = [
    "tables",
    "attr_list",
    "md_in_html",
    "admonition",
    "toc",
    "pymdownx.highlight",
    "pymdownx.superfences",
    "pymdownx.details",
    "pymdownx.tilde",
    "pymdownx.caret",
    "pymdownx.mark",
    "pymdownx.emoji",
    "pymdownx.magiclink",
    "def_list",
]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


_MD = markdown.Markdown(extensions=EXTENSIONS)


def rendered(source: str) -> tuple[list[str], str]:
    parser = _Text()
    parser.feed(_MD.reset().convert(source))
    return parser.tags, "".join(parser.text)


punctuation = st.sampled_from([*"\\`*_{}[]()#+-.!|<>&\"'~^=$:@%/;,?0123456789 ", "--"])
texts = st.lists(
    st.one_of(punctuation, st.text(alphabet="abcXYZ éş", min_size=1, max_size=4)), max_size=12
).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_escaped_text_is_only_text(text: str) -> None:
    plain = " ".join(text.split())
    assume(plain)
    escaped = md_escape(text)
    for source, tags, shown in (
        (escaped, ["p"], plain),
        (f"- {escaped}", ["ul", "li"], plain),
        (f"[{escaped}](x.md)", ["p", "a"], plain),
        (
            f"| a |\n|---|\n| {escaped} |",
            ["table", "thead", "tr", "th", "tbody", "tr", "td"],
            "a" + plain,
        ),
    ):
        got_tags, got_text = rendered(source)
        assert (got_tags, "".join(got_text.split("\n")).strip()) == (tags, shown), source


def test_line_start_markers_are_escaped() -> None:
    for text in ("1. Not a list", "- Not a list", "2023) Not a list", "# Not a heading"):
        tags, got = rendered(md_escape(text))
        assert tags == ["p"] and got == text
