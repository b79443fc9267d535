"""Naming "the essay" on generated pages.

Summaries and topic descriptions say "the essay" for the critique the atlas is built
around. A reader who arrives from a search engine has not met it yet, so each page
names it, with a link to its work page, where it first mentions it.
"""

from __future__ import annotations

import re

from ..model.corpus import Corpus
from .markdown import MD, Flavour, work_path, work_url

# The source essay of the whole atlas (PRODUCT: "the essay in sources/"); a corpus
# without it (the test fixtures, a fork) simply keeps the words "the essay".
ESSAY_KEY = "segerie2023against"
# "the essay" as words of escaped Markdown: not "essays", not inside a longer word.
_MENTION = re.compile(r"\b([Tt]he essay)\b(?!s)")


class EssayNamer:
    """Names the essay at its first mention on one page; later mentions stay as written.

    Make one per page and pass every text through it in reading order. The texts are
    Markdown (or HTML, with `flavour=HTML`) already escaped, so the words cannot sit
    inside markup.
    """

    def __init__(self, corpus: Corpus, page: str, flavour: Flavour = MD) -> None:
        essay = corpus.works.get(ESSAY_KEY)
        self._link = (
            flavour.link(
                flavour.em(flavour.escape(essay.title or essay.key)), work_url(essay, page)
            )
            if essay is not None and work_path(essay) != page  # its own page names it
            else ""
        )
        self.done = not self._link

    def __call__(self, text: str) -> str:
        if self.done:
            return text
        named, count = _MENTION.subn(rf"\1 {self._link}", text, count=1)
        self.done = count > 0
        return named
