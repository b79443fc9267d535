"""Identifiers and identity: is this the same work, and what is its key?

The checker (TOI401, TOI402), `add` and `import` all ask these two questions, so
the answers live here, once. A work is seen as `Facts`: plain Unicode (callers
convert LaTeX first), normalised on demand. Nothing here reads files or the network.

Same work (`same_work`), in this order:

1. the same DOI, or the same arXiv id (any version, prefix or URL form): same work;
2. two different DOIs, or two different arXiv ids: two works, whatever else agrees;
3. the same citation key and title (an export read twice; keys are unique in bib/),
   or the same URL, when the URL names one work by its form (`WORK_URLS`: a DOI or
   arXiv link, a LessWrong or Alignment Forum post, an OpenReview forum, ...), or
   when the titles agree too and nothing below differs. A journal issue, a
   proceedings volume or a book is one URL for many works, so a shared URL of
   another form says nothing by itself;
4. the same title, when both name authors (or editors), they share a family name,
   year, volume, number, pages and edition do not differ where both give them, and
   year, venue or pages agree. Recurring columns ("Editorial comments" every issue) and
   works of one name by different authors ("Epistulae") stay apart, and an entry
   without authors is never a duplicate on its title alone.

Rules 1 to 3 are certain (TOI401, an error); rule 4 is a likely duplicate (TOI402).
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Generic, Literal, TypeVar
from urllib.parse import urlsplit

from .normalise import ascii_fold, norm_title

if TYPE_CHECKING:
    from .corpus import Work

T = TypeVar("T")

# --- identifiers ---------------------------------------------------------------------

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
ARXIV_RE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})$")
_ARXIV_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf)/([^?#\s]+?)(?:v\d+)?(?:\.pdf)?(?:[?#].*)?$", re.IGNORECASE
)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI_IN_URL = re.compile(r"doi\.org/(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_ARXIV_PREFIX = re.compile(r"^arxiv:\s*", re.IGNORECASE)
_ARXIV_VERSION = re.compile(r"v\d+$")
_ARXIV_ANY_CASE = re.compile(ARXIV_RE.pattern, re.IGNORECASE)  # norm_arxiv lower-cases
_UNSAFE_URL_CHAR = re.compile(r"[\s\x00-\x1f\x7f]")

# URLs that name one work by their form (compared after `norm_url`). Anything else may
# be a container: an issue, a volume, a book, a conference's page.
WORK_URLS = re.compile(
    r"""^(?:
      (?:lesswrong\.com|alignmentforum\.org|greaterwrong\.com|forum\.effectivealtruism\.org)
        /posts/\w+
    | openreview\.net/(?:forum|pdf)\?id=
    | arxiv\.org/(?:abs|pdf)/.
    | (?:dx\.)?doi\.org/10\.
    | aclanthology\.org/[\w.-]+
    | (?:distill\.pub|transformer-circuits\.pub)/\d{4}/[\w-]+
    | proceedings\.mlr\.press/v\d+/[\w-]+
    | (?:proceedings\.neurips\.cc|papers\.nips\.cc)/paper.*/hash/
    | (?:youtube\.com/watch\?v=|youtu\.be/)\w
    )""",
    re.VERBOSE,
)


@lru_cache(maxsize=1 << 15)
def is_safe_url(url: str) -> bool:
    """Absolute http(s) URL with a host and no whitespace or control characters."""
    if not url or _UNSAFE_URL_CHAR.search(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def norm_url(url: str) -> str:
    """`https://www.Example.org/a/?q=1#s` -> `example.org/a?q=1`.

    Scheme, `www.`, host case, trailing slashes and fragment do not tell URLs apart.
    """
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return host + parts.path.rstrip("/") + (("?" + parts.query) if parts.query else "")


def norm_arxiv(value: str) -> str:
    """`arXiv:2301.01234v2` -> `2301.01234`: the id up to prefix, version and case."""
    return _ARXIV_VERSION.sub("", _ARXIV_PREFIX.sub("", value.strip())).lower()


def norm_doi(value: str) -> str:
    """`https://doi.org/10.1/AB` or `doi:10.1/AB` -> `10.1/ab` (DOIs ignore case)."""
    return _DOI_PREFIX.sub("", value.strip()).lower()


def arxiv_from_url(url: str | None) -> str | None:
    """The arXiv id an arxiv.org abs or pdf link names, as written (without version)."""
    if not url:
        return None
    m = _ARXIV_URL.search(url)
    return m.group(1) if m else None


def arxiv_eprint(eprint: str | None, archive: str | None) -> str | None:
    """`eprint` as written when it is an arXiv id: `archiveprefix`/`eprinttype` arXiv or unset."""
    if eprint and eprint.strip() and (archive or "").strip().lower() in ("arxiv", ""):
        return eprint.strip()
    return None


def doi_from_url(url: str | None) -> str | None:
    m = _DOI_IN_URL.search(url) if url and "doi" in url.lower() else None
    return m.group(1).lower() if m else None


def year_of(value: str | None) -> int | None:
    """The first four-digit run: `2023`, `2023-05-01`, `{\\noopsort{1992b}}1992` -> 1992."""
    found = re.search(r"\d{4}", value or "")
    return int(found.group()) if found else None


@lru_cache(maxsize=1 << 12)  # the URLs an issue or a book shares come up again and again
def names_one_work(url: str) -> bool:
    """Whether a (normalised) URL names one work by its form, not an issue or a book."""
    return WORK_URLS.match(url) is not None


# --- a work as identity sees it ------------------------------------------------------

# Not names: they say nobody is known, so two of them are not a shared author.
_NOBODY = frozenset({"anonymous", "anon", "others", "unknown", "nn"})


@dataclass(frozen=True)
class Facts:
    """What identity reads of a work, in plain Unicode (no LaTeX).

    `names` are the authors (else editors) in BibTeX name syntax, `Doe, Jane` or
    `Jane Doe`; a name wholly in braces (`{OpenAI}`) is an organisation or a handle.
    """

    title: str = ""
    names: tuple[str, ...] = ()
    key: str = ""  # the citation key as written, if any
    year: int | None = None
    doi: str | None = None
    arxiv: str | None = None
    url: str | None = None
    venue: str = ""
    volume: str = ""
    number: str = ""
    pages: str = ""
    edition: str = ""

    # The identifiers every lookup files the work under, normalised once.
    doi_id: str = field(init=False, repr=False, compare=False)
    arxiv_id: str = field(init=False, repr=False, compare=False)
    url_id: str = field(init=False, repr=False, compare=False)
    title_id: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        doi = norm_doi(self.doi or "") or doi_from_url(self.url) or ""
        url = self.url.strip() if self.url else ""
        object.__setattr__(self, "doi_id", doi)
        object.__setattr__(self, "arxiv_id", _arxiv_id(self.arxiv, url, doi))
        object.__setattr__(self, "url_id", norm_url(url) if url else "")
        object.__setattr__(self, "title_id", norm_title(self.title))

    # Compared only when titles collide, so computed then.
    @cached_property
    def families(self) -> frozenset[str]:
        found = (norm_title(family_name(n)) for n in self.names)
        return frozenset(f for f in found if f and f not in _NOBODY)

    @cached_property
    def place(self) -> dict[str, str]:
        """Which printing it is: year, volume, number, pages, edition (normalised)."""
        values = {
            "year": str(self.year or ""),
            "volume": norm_title(self.volume),
            "number": norm_title(self.number),
            "pages": _norm_pages(self.pages),
            "edition": norm_title(self.edition),
        }
        return {name: value for name, value in values.items() if value}


def _arxiv_id(eprint: str | None, url: str, doi: str) -> str:
    """From `eprint`, else an arxiv.org link, else a DataCite arXiv DOI; "" if none."""
    in_doi = _ARXIV_DOI.match(doi) if doi.startswith("10.48550/") else None
    in_url = arxiv_from_url(url) if "arxiv" in url.lower() else None
    for value in (eprint, in_url, in_doi and in_doi.group(1)):
        bare = norm_arxiv(value) if value else ""
        if bare and _ARXIV_ANY_CASE.match(bare):  # an `eprint` may be another archive's
            return bare
    return ""


def _norm_pages(pages: str) -> str:
    """`121--121` -> `121`, `12–14` -> `12-14`: page ranges up to dash style."""
    parts = re.findall(r"[0-9a-z]+", pages.lower())
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = parts[:1]
    return "-".join(parts)


def family_name(name: str) -> str:
    """`Doe, Jane` or `Jane van der Berg` -> `Doe`, `Berg`; `{Center for AI Safety}` whole.

    BibTeX's rule for plain names: the part before a comma, else the words after the
    last lower-case one (`van der`) or the last word; a leading `von` part is dropped.
    pybtex's parser gives the same for these and costs fifty times more, per name.
    """
    text = " ".join(name.split())
    if is_organisation(text):
        return text[1:-1].strip()
    if "," in text:
        words = text.split(",")[0].split()
        while len(words) > 1 and words[0][:1].islower():
            words = words[1:]
        return " ".join(words)
    words = text.split()
    von = [i for i, w in enumerate(words[:-1]) if w[:1].islower()]
    return " ".join(words[von[-1] + 1 :]) if von else (words[-1] if words else "")


def is_organisation(name: str) -> bool:
    """A BibTeX name wholly in braces (`{OpenAI}`, not `{\\"O}zt{\\"u}rk, A.`)."""
    text = " ".join(name.split())
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "{") - (ch == "}")
        if depth == 0:
            return i == len(text) - 1
    return False


def facts_of_work(work: Work) -> Facts:
    """A checked corpus entry as identity sees it."""
    raw = work.raw
    return Facts(
        title=work.title,
        names=work.authors or work.editors,
        key=work.key,
        year=year_of(raw.get("year") or raw.get("date")),  # as import reads it
        doi=work.doi,
        arxiv=work.arxiv,
        url=work.url,
        venue=work.venue,
        volume=raw.get("volume") or "",
        number=raw.get("number") or raw.get("issue") or "",
        pages=raw.get("pages") or "",
        edition=raw.get("edition") or "",
    )


# --- the rule ------------------------------------------------------------------------

Evidence = Literal["DOI", "arXiv id", "key", "URL", "title"]


@dataclass(frozen=True)
class Reason:
    """Why two entries are one work: what they share."""

    evidence: Evidence

    @property
    def certain(self) -> bool:
        """An identifier proves it (TOI401); a title only suggests it (TOI402)."""
        return self.evidence != "title"

    def __str__(self) -> str:
        return f"same {self.evidence}"


def same_work(a: Facts, b: Facts) -> Reason | None:
    """Whether `a` and `b` are one work, and why (the rule is the module docstring)."""
    if a.doi_id and a.doi_id == b.doi_id:
        return Reason("DOI")
    if a.arxiv_id and a.arxiv_id == b.arxiv_id:
        return Reason("arXiv id")
    if _both_differ(a.doi_id, b.doi_id) or _both_differ(a.arxiv_id, b.arxiv_id):
        return None
    same_title = bool(a.title_id) and a.title_id == b.title_id
    if a.key and a.key == b.key and same_title and not _placed_apart(a, b):
        return Reason("key")  # the same export read twice
    same_url = bool(a.url_id) and a.url_id == b.url_id
    if same_url and ((same_title and not _placed_apart(a, b)) or names_one_work(a.url_id)):
        return Reason("URL")
    if same_title and a.families & b.families and not _placed_apart(a, b) and _agree(a, b):
        return Reason("title")
    return None


def _both_differ(a: str, b: str) -> bool:
    return bool(a and b and a != b)


def _placed_apart(a: Facts, b: Facts) -> bool:
    """Year, volume, number, pages or edition given by both and different."""
    return any(b.place.get(name, value) != value for name, value in a.place.items())


def _agree(a: Facts, b: Facts) -> bool:
    """Year, venue or pages given by both and equal."""
    venue = norm_title(a.venue)
    return any(a.place.get(n) and a.place.get(n) == b.place.get(n) for n in ("year", "pages")) or (
        bool(venue) and venue == norm_title(b.venue)
    )


class Index(Generic[T]):
    """Works seen so far, each with a payload (a `Work`, a key), to find a work's twin.

    Two works can only be the same if they share a DOI, arXiv id, URL or title, so
    each is filed under those and a lookup compares a handful of candidates.
    """

    def __init__(self) -> None:
        self._filed: dict[tuple[str, str], list[tuple[Facts, T]]] = {}

    def add(self, facts: Facts, item: T) -> None:
        for label in _labels(facts):
            self._filed.setdefault(label, []).append((facts, item))

    def find(self, facts: Facts) -> tuple[T, Reason] | None:
        """The first work filed that `same_work` calls the same as `facts`, and why."""
        for label in _labels(facts):
            filed = self._filed.get(label, ())
            if label[0] == "title":
                # Only rule 4 can need this list (the others have their own labels), and it
                # needs a shared family name: recurring "Anonymous" items make it long.
                mine = facts.families if filed else frozenset()
                filed = [(k, i) for k, i in filed if mine and mine & k.families]
            for known, item in filed:
                reason = same_work(facts, known)
                if reason is not None:
                    return item, reason
        return None


def _labels(facts: Facts) -> Iterator[tuple[str, str]]:
    for kind, value in (
        ("doi", facts.doi_id),
        ("arxiv", facts.arxiv_id),
        ("key", facts.key),
        ("url", facts.url_id),
        ("title", facts.title_id),
    ):
        if value:
            yield kind, value


def find_same(facts: Facts, known: Iterable[tuple[Facts, T]]) -> tuple[T, Reason] | None:
    """`Index.find` over a one-off list."""
    index: Index[T] = Index()
    for other, item in known:
        index.add(other, item)
    return index.find(facts)


# --- keys ----------------------------------------------------------------------------

KEY_MAX = 100  # characters; keys become file names and URLs
KEY_RE = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9_.:+-]{{0,{KEY_MAX - 1}}}$")
# Words a key skips, read off the corpus: `bricken2023monosemanticity` for
# "Towards Monosemanticity", `makelov2023subspace` for "Is This the Subspace".
KEY_STOPWORDS = frozenset(
    {
        *("a", "an", "the", "of", "on", "in", "at", "to", "for", "from", "and", "or"),
        *("with", "by", "as", "is", "are", "be", "it", "its", "this", "that", "these"),
        *("those", "how", "toward", "towards", "but", "do", "does"),
    }
)
KEY_NAME_CHARS, KEY_WORD_CHARS = 40, 30  # 40 + 4 + 30 + a suffix stays far below KEY_MAX


def make_key(facts: Facts) -> str:
    """`lastnameYEARfirstword`, lower-case ASCII: `nanda2023think`, `berg2017gradcam`.

    The first author's family name (an organisation's or handle's first word; else
    the venue's first word; else `anon`) without digits, the year, and the first
    title word that is not a stop word and has a letter.
    """
    first = _key_name(facts.names[0]) if facts.names else ""
    venue = (facts.venue.split() or [""])[0]
    author = re.sub(r"[0-9]", "", ascii_fold(first) or ascii_fold(venue))
    word = next(
        (
            folded
            for w in facts.title.split()
            for folded in [ascii_fold(w)]
            if folded and folded not in KEY_STOPWORDS and re.search(r"[a-z]", folded)
        ),
        "",
    )
    year = str(facts.year) if facts.year is not None else ""
    return (author[:KEY_NAME_CHARS] or "anon") + year + word[:KEY_WORD_CHARS]


def _key_name(name: str) -> str:
    """A person's family name; an organisation's or a handle's first word."""
    if is_organisation(name):
        return (family_name(name).split() or [""])[0]
    return family_name(name)


def suffixes() -> Iterator[str]:
    """ "", then b ... z (the bare key is the first, `a`), then 27, 28, ..."""
    yield ""
    yield from "bcdefghijklmnopqrstuvwxyz"
    n = 27
    while True:
        yield str(n)
        n += 1


def unique_key(stem: str, taken: Container[str]) -> str:
    """The stem with the first free suffix; `taken` holds casefolded keys (TOI106)."""
    return next(stem + s for s in suffixes() if (stem + s).casefold() not in taken)
