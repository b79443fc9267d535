"""Findings as data: every problem the loader or checker sees is a `Diagnostic`.

Codes are stable (ruff-style): TOI0xx taxonomy, TOI1xx files and entries,
TOI2xx vocabulary, TOI3xx edges, TOI4xx duplicates, TOI80x discovery files, TOI81x
what `import` finds, TOI82x what `links` finds, TOI9xx build. A code is never reused;
a retired one stays in `CODES` marked retired. Tests compare codes, never message
text, so messages may be reworded freely. Every command prints its findings through
`render`, in one of three formats (text, github, json).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"  # worth knowing, never a failure (even with --strict)


@dataclass(frozen=True)
class CodeDoc:
    code: str
    severity: Severity
    title: str
    explanation: str


def _c(code: str, severity: Severity, title: str, explanation: str) -> CodeDoc:
    return CodeDoc(code, severity, title, explanation)


E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTICE

CODES: dict[str, CodeDoc] = {
    d.code: d
    for d in [
        _c(
            "TOI001",
            E,
            "invalid taxonomy file",
            "bib/taxonomy.yaml is not valid YAML or does not have the documented shape "
            "(sections stances, tois, endstories, agendas, edgetypes, kinds; each item "
            "with id, name and description). Nothing else can be checked without it.",
        ),
        _c(
            "TOI002",
            E,
            "duplicate taxonomy id",
            "Every id in bib/taxonomy.yaml must be unique across all sections, because "
            "edges are scoped by bare id (`key@auditing`).",
        ),
        _c(
            "TOI100",
            E,
            "unreadable file",
            "The file is not UTF-8 text (for example Latin-1, UTF-16 or binary). "
            "Nothing in it was read. `toi-atlas import FILE` reads such a file "
            "(Windows-1252, Latin-1, UTF-16) and writes its entries as UTF-8; or re-save "
            "it as UTF-8.",
        ),
        _c(
            "TOI101",
            E,
            "BibTeX syntax error",
            "The entry could not be parsed (unbalanced braces, missing comma or '=', "
            "truncated file). The entry is skipped and checking resumes at the next "
            "line that starts with '@'.",
        ),
        _c(
            "TOI102",
            E,
            "duplicate key",
            "Two entries, in the same file or in different files, use the same key. "
            "Keys identify works in edges and URLs, so they must be unique.",
        ),
        _c(
            "TOI103",
            E,
            "duplicate field",
            "A field appears twice in one entry. BibTeX would silently keep one of them; "
            "delete the one you do not mean.",
        ),
        _c(
            "TOI104",
            E,
            "undefined @string macro",
            "A field value uses a bare word that is not a month name or an @string "
            "defined earlier in the same file. Usually the value is missing its braces.",
        ),
        _c(
            "TOI105",
            E,
            "unsafe key",
            "Keys become file names and URLs, so they may only contain ASCII letters, "
            "digits and `_ . : + -`, must start with a letter or digit and be at most "
            "100 characters long.",
        ),
        _c(
            "TOI106",
            E,
            "keys differ only by case",
            "Two keys differ only by upper/lower case. Their pages would overwrite each "
            "other on case-insensitive file systems (macOS, Windows), so the build "
            "refuses them.",
        ),
        _c(
            "TOI107",
            E,
            "malformed name list",
            "`author` or `editor` could not be split into names. Separate names with "
            "` and `, write each as `Last, First` or `First Last`.",
        ),
        _c(
            "TOI110",
            E,
            "missing required field",
            "The entry type needs this field (for example `journal` for @article). "
            "Every entry needs `title`, `year` and `url`; most need `author`.",
        ),
        _c(
            "TOI111",
            E,
            "malformed year",
            "`year` must be a four-digit year between 1900 and next year.",
        ),
        _c(
            "TOI112",
            E,
            "malformed date",
            "`added` and `modified` must be ISO dates, YYYY-MM-DD, that exist; biblatex's "
            "`date` may also be a year, a year and month, or a range `a/b` of these.",
        ),
        _c(
            "TOI113",
            E,
            "malformed reading time",
            "`readingtime` is a whole number of minutes between 1 and 1000.",
        ),
        _c(
            "TOI114",
            E,
            "unsafe or malformed URL",
            "`url`, `pdf` and `code` must be absolute http(s) URLs. Other schemes "
            "(javascript:, data:, file:) are refused because they would run or open "
            "something in the reader's browser.",
        ),
        _c(
            "TOI115",
            E,
            "malformed DOI",
            "A DOI looks like `10.NNNN/suffix` (no `https://doi.org/` prefix).",
        ),
        _c(
            "TOI116",
            E,
            "malformed arXiv id",
            "An arXiv id is new-style `2211.00593` or old-style `hep-th/9901001`, "
            "without a version suffix or an `arXiv:` prefix.",
        ),
        _c(
            "TOI117",
            E,
            "arXiv id does not match URL",
            "The entry's URL points at a different arXiv paper than its `eprint`.",
        ),
        _c(
            "TOI118",
            E,
            "malformed month",
            "`month` should be a three-letter month macro (jan ... dec) or 1-12.",
        ),
        _c(
            "TOI119",
            E,
            "malformed field list",
            "A tag or edge list has an empty item (for example a doubled comma) or an "
            "item with more than one ':' or '@'.",
        ),
        _c(
            "TOI120",
            W,
            "missing summary",
            "Every work should carry a `summary` of one to three sentences in our own "
            "words saying what it claims and why it matters to the debate.",
        ),
        _c(
            "TOI121",
            W,
            "untagged work",
            "The work names no theory of impact, end story or agenda, so no topic page lists it.",
        ),
        _c(
            "TOI122",
            W,
            "missing added date",
            "`added` (YYYY-MM-DD) orders the feed of additions and the 'latest' list.",
        ),
        _c(
            "TOI123",
            E,
            "control character in field",
            "A field holds a control character (U+0000 to U+001F other than tab and line "
            "ends, U+007F to U+009F). None belongs in a bibliography; they come from "
            "pastes and wrong encodings, show as nothing on the page and cannot be "
            "written to the XML exports.",
        ),
        _c(
            "TOI130",
            E,
            "unbalanced bidi control",
            "A field holds a Unicode bidirectional control (U+202A to U+202E, U+2066 to "
            "U+2069) that is never closed, or a closing one (U+202C, U+2069) with nothing "
            "to close. An open override reverses the text after it wherever the field is "
            "shown, up to the browser tab's ' - ToI Atlas'. Right-to-left words need no "
            "controls; delete them.",
        ),
        _c(
            "TOI131",
            W,
            "invisible character",
            "A title or edge field holds a zero-width character (U+200B to U+200D, U+2060 "
            "or U+FEFF). It cannot be seen, so two titles or keys that look the same "
            "compare different. Some scripts need U+200C or U+200D; elsewhere delete it.",
        ),
        _c(
            "TOI132",
            W,
            "implausibly long text",
            "A title longer than 300 characters or a summary longer than 1,000 is almost "
            "certainly a paste of the wrong thing (a whole abstract, a page of text). A "
            "summary is one to three sentences in our own words.",
        ),
        _c(
            "TOI133",
            E,
            "malformed metadata check",
            "`checked` records when and against what a curator compared the entry's "
            "metadata: `YYYY-MM-DD: source`, several sources separated by `;` "
            "(checked = {2026-12-03: arXiv abstract page; NeurIPS proceedings}).",
        ),
        _c(
            "TOI201",
            E,
            "unknown theory of impact",
            "The id in `tois` is not declared in bib/taxonomy.yaml.",
        ),
        _c(
            "TOI202",
            E,
            "unknown end story",
            "The id in `endstories` is not declared in bib/taxonomy.yaml.",
        ),
        _c(
            "TOI203",
            E,
            "unknown stance",
            "The stance (in `stance` or after ':' in a tag) is not declared in bib/taxonomy.yaml.",
        ),
        _c(
            "TOI204",
            E,
            "unknown agenda",
            "The id in `agendas` is not declared in bib/taxonomy.yaml.",
        ),
        _c(
            "TOI205",
            E,
            "unknown kind",
            "`kind` is not one of the kinds declared in bib/taxonomy.yaml.",
        ),
        _c(
            "TOI206",
            E,
            "missing stance",
            "A tag has no ':stance' and the entry has no default `stance` field.",
        ),
        _c(
            "TOI207",
            W,
            "tag listed twice",
            "The same topic appears twice in one tag field; keep one.",
        ),
        _c(
            "TOI301",
            E,
            "edge to a missing key",
            "An edge field (rebuts, supports, extends, repliesto) names a key that no "
            "entry in bib/ has.",
        ),
        _c(
            "TOI302",
            E,
            "edge scoped to an unknown topic",
            "The part after '@' must be a declared theory of impact, end story or agenda id.",
        ),
        _c("TOI303", E, "self-edge", "A work cannot rebut, support, extend or reply to itself."),
        _c("TOI304", W, "duplicate edge", "The same edge (type, target, scope) is declared twice."),
        _c(
            "TOI305",
            W,
            "edge to a later work",
            "An edge says that the work itself names, cites or answers its target, so the "
            "target must have appeared first. The dates are compared at the precision both "
            "entries give (year, then month, then `date`), and the target counts from its "
            "first arXiv version when its identifier is older than its stated date. A work "
            "that the later one cites as evidence belongs on a claim in bib/claims.yaml.",
        ),
        _c(
            "TOI401",
            E,
            "same work under two keys",
            "Two entries share a DOI or an arXiv id (any version), or a URL that names one "
            "work (a DOI or arXiv link, a forum post) or that they share with the same "
            "title: they are one work entered twice. A URL shared by works with different "
            "titles (a journal issue, a proceedings volume, a book) is not enough.",
        ),
        _c(
            "TOI402",
            W,
            "likely duplicate work",
            "Two entries have the same title up to case, accents and punctuation, an "
            "author in common, and the same year, venue or pages, with no year, volume, "
            "number, pages or edition that differ; if they are one work, merge them. Entries "
            "without authors are never matched on their title alone.",
        ),
        _c(
            "TOI501",
            W,
            "one-sided topic",
            "Every theory of impact and end story should have at least one work that "
            "advocates it and at least one that critiques it, so its page shows a debate. "
            "Reported at the topic's line in bib/taxonomy.yaml.",
        ),
        _c(
            "TOI601",
            E,
            "invalid reading-list file",
            "bib/readinglists.yaml must hold `lists:`, each with an `id`, a `title` and "
            "`items` (each a work `key` with a `note`).",
        ),
        _c(
            "TOI602",
            E,
            "reading list names a missing work",
            "A reading-list item's `key` is not an entry in bib/.",
        ),
        _c(
            "TOI603",
            W,
            "reading-list work without reading time",
            "Reading lists show each item's time from the entry's `readingtime` field; "
            "add it to the entry.",
        ),
        _c(
            "TOI604",
            W,
            "reading list not shown",
            "Every list in bib/readinglists.yaml needs a hand-written page "
            "docs/reading/<id>.md that includes its generated part with the line "
            '`--8<-- "atlas/reading/<id>.md.txt"`.',
        ),
        _c(
            "TOI605",
            W,
            "reading list never reviewed",
            "Each list in bib/readinglists.yaml says when a curator last checked it against "
            "the corpus, `reviewed: YYYY-MM-DD`, so readers can tell how current it is; the "
            "list page shows the date.",
        ),
        _c(
            "TOI606",
            E,
            "malformed review date",
            "A reading list's `reviewed` must be a date written YYYY-MM-DD.",
        ),
        _c(
            "TOI607",
            E,
            "link to a missing work page",
            "A hand-written page under docs/ links to `atlas/works/<key>/` for a key that "
            "has no work, or to `atlas/works/<key>.md`, which is no longer a page: work "
            "pages are made by the generator, so link to their folder URL, as "
            "`../../atlas/works/<key>/` from a page in docs/reading/.",
        ),
        _c(
            "TOI701",
            E,
            "invalid claims file",
            "bib/claims.yaml must hold `claims:`, each with an `id`, a one-sentence `text`, "
            "`topics` and the works in `made_by`, `supported_by` and `disputed_by`.",
        ),
        _c(
            "TOI702",
            E,
            "claim names a missing work",
            "A key in `made_by`, `supported_by` or `disputed_by` is not an entry in bib/.",
        ),
        _c(
            "TOI703",
            E,
            "claim names an unknown topic",
            "A claim's `topics` must be theory-of-impact, end-story or agenda ids.",
        ),
        _c(
            "TOI704",
            W,
            "claim nobody makes",
            "A claim with an empty `made_by` floats free of the literature; name the "
            "works that assert it.",
        ),
        _c(
            "TOI705",
            E,
            "duplicate claim id",
            "Claim ids are anchors in URLs, so each must be unique.",
        ),
        _c(
            "TOI706",
            E,
            "relation to an unknown claim",
            "An id in a claim's `objects_to` or `supports` is not the id of a claim in "
            "bib/claims.yaml. Reported at the list item.",
        ),
        _c(
            "TOI707",
            E,
            "circular claim relation",
            "A claim objects to or supports itself, or its relation closes a circle "
            "(following `objects_to` and `supports` together leads back to it). The "
            "argument must be a tree under each thesis, so the relation is ignored.",
        ),
        _c(
            "TOI708",
            E,
            "related claims share no topic",
            "A claim may only object to or support a claim that shares at least one of "
            "its `topics`, so that every answer shows up on the debate page it belongs to.",
        ),
        _c(
            "TOI709",
            E,
            "topic without a thesis",
            "Every theory of impact and end story needs exactly one claim with "
            "`thesis: <its id>` in bib/claims.yaml (once the file holds claims): the claim "
            "its debate page opens with. Reported at the topic's line in bib/taxonomy.yaml.",
        ),
        _c(
            "TOI710",
            E,
            "two theses for one topic",
            "A second claim says it is the thesis of a topic that already has one. "
            "Make it support or object to the first instead.",
        ),
        _c(
            "TOI711",
            E,
            "malformed thesis",
            "`thesis` must name a theory of impact or end story (agendas have none) that "
            "is among the claim's own `topics`, and a thesis has no `objects_to`: it is the "
            "root of its topic's argument.",
        ),
        _c(
            "TOI712",
            E,
            "claim without a gist",
            "Every claim needs a `gist`: a label of at most 12 words, in our own words, "
            "used in headings, tables of contents and maps.",
        ),
        _c(
            "TOI713",
            W,
            "gist too long",
            "A gist has at most 12 words, so tables of contents stay readable; the full "
            "sentence goes in `text`.",
        ),
        _c(
            "TOI714",
            W,
            "duplicate gist",
            "Two claims have the same gist (ignoring case and spacing), so a reader "
            "cannot tell them apart in a table of contents or map.",
        ),
        _c(
            "TOI715",
            W,
            "claim leads to no thesis",
            "Following the claim's `objects_to` and `supports` never reaches a thesis, so "
            "no debate page can show it under the argument it belongs to. Claims only "
            "about agendas are exempt.",
        ),
        _c(
            "TOI716",
            W,
            "answer older than the claim it answers",
            "A work in `made_by` of a claim that objects to another is older (by year) "
            "than every work that makes the claim it objects to, and does not make that "
            "claim itself: a work cannot answer what did not exist yet.",
        ),
        _c(
            "TOI801",
            E,
            "invalid discovery file",
            "bib/discovery.yaml must hold `searches:`, each with a `topic` (a theory of "
            "impact or end story id, once) and an `arxiv:` list of arXiv search queries.",
        ),
        _c(
            "TOI802",
            E,
            "discovery search for an unknown topic",
            "A search's `topic` in bib/discovery.yaml is not a theory of impact or end "
            "story id in bib/taxonomy.yaml.",
        ),
        _c(
            "TOI803",
            E,
            "invalid rejected-works file",
            "bib/rejected.yaml must hold `rejected:`, each item with a `key`, a `title`, "
            "and the `doi` or `arxiv` id it was found with in their usual forms "
            "(`toi-atlas reject KEY` writes them so).",
        ),
        _c(
            "TOI811",
            E,
            "entry not imported",
            "`toi-atlas import`: the entry has no title, does not parse, or cannot be "
            "written as BibTeX that reads back as it was. Fix it in the export and import "
            "again, or add it by hand.",
        ),
        _c(
            "TOI812",
            W,
            "duplicate not imported",
            "`toi-atlas import`: the entry is a work already in bib/ (or earlier in the "
            "same export), by the rule of TOI401 and TOI402; the finding names it.",
        ),
        _c(
            "TOI813",
            N,
            "entry changed on import",
            "`toi-atlas import`: something was repaired or left out on the way in: a "
            "field dropped (our own fields, `file`, a repeated field), an undefined macro "
            "kept as text, a new key, a @preamble not imported.",
        ),
        _c(
            "TOI814",
            W,
            "export read in another encoding",
            "`toi-atlas import`: the export is not UTF-8; it was read as UTF-16, "
            "Windows-1252 or Latin-1 and written as UTF-8. Check its accented letters.",
        ),
        _c(
            "TOI821",
            E,
            "dead link",
            "`toi-atlas links`: a url, pdf or code link answered with an HTTP error (after "
            "HEAD, also to GET) or not at all. Fix or remove the link.",
        ),
        _c(
            "TOI822",
            W,
            "link moved permanently",
            "`toi-atlas links`: the link answers with a permanent redirect (301, 308). Write "
            "the URL it leads to instead (the finding names it).",
        ),
        _c(
            "TOI823",
            N,
            "link redirects",
            "`toi-atlas links`: the link answers with a temporary redirect. Nothing to do; "
            "it is reported so that a change of address does not go unnoticed.",
        ),
        _c(
            "TOI824",
            N,
            "link not checked",
            "`toi-atlas links`: the server asked us to slow down (HTTP 429), which says "
            "nothing about the link. Run the check again later.",
        ),
        _c(
            "TOI901",
            E,
            "entry would be dropped",
            "The generator produced no page for an entry. This is a bug; the build "
            "stops rather than publish an incomplete site.",
        ),
        _c(
            "TOI902",
            E,
            "write outside output folder",
            "A generated path resolved outside the output folder and was refused.",
        ),
        _c(
            "TOI903",
            E,
            "generated link to nothing",
            "A work page links to a page or file the site will not have. MkDocs does not "
            "build work pages, so the generator checks their links itself. This is a bug; "
            "the build stops rather than publish a broken link.",
        ),
        _c(
            "TOI904",
            E,
            "work pages not put into the site",
            "`toi-atlas site` found no usable shell page in the built site (build it with "
            "`mkdocs build` or `zensical build` after `toi-atlas build`), or work pages "
            "from another version of the generator (`toi-atlas build --force`).",
        ),
    ]
}


@dataclass(frozen=True, order=True)
class Span:
    file: str
    line: int


@dataclass(frozen=True)
class Diagnostic:
    code: str
    span: Span
    message: str
    hint: str = ""
    # Facts a program may want beyond the message (a link's status, the URL to
    # write instead); only the json format shows them, as extra keys.
    data: Mapping[str, object] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.code not in CODES:  # programmer error, caught by tests
            raise ValueError(f"undeclared diagnostic code {self.code}")

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    def sort_key(self) -> tuple[str, int, str]:
        return (self.span.file, self.span.line, self.code)


def has_errors(diags: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diags)


def _gh_escape(text: str, *, prop: bool = False) -> str:
    # GitHub workflow-command escaping (see actions/toolkit `command.ts`).
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_text(d: Diagnostic) -> str:
    line = f"{d.span.file}:{d.span.line}: {d.code} {d.severity.value}: {d.message}"
    return line + (f"\n    hint: {d.hint}" if d.hint else "")


def github_annotation(level: str, span: Span, title: str, message: str) -> str:
    """One GitHub Actions workflow command: `::warning file=F,line=N,title=T::message`."""
    props = (
        f"file={_gh_escape(span.file, prop=True)},line={span.line},"
        f"title={_gh_escape(title, prop=True)}"
    )
    return f"::{level} {props}::{_gh_escape(message)}"


def format_github(d: Diagnostic) -> str:
    level = d.severity.value  # GitHub's own levels: error, warning, notice
    body = d.message + (f" (hint: {d.hint})" if d.hint else "")
    return github_annotation(level, d.span, f"{d.code} {CODES[d.code].title}", body)


def format_json(diags: list[Diagnostic]) -> str:
    rows = [
        {
            "code": d.code,
            "severity": d.severity.value,
            "file": d.span.file,
            "line": d.span.line,
            "message": d.message,
            "hint": d.hint,
            **d.data,
        }
        for d in diags
    ]
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def render(diags: list[Diagnostic], fmt: str) -> str:
    ordered = sorted(diags, key=Diagnostic.sort_key)
    if fmt == "json":
        return format_json(ordered)
    one = format_github if fmt == "github" else format_text
    return "".join(one(d) + "\n" for d in ordered)


def summary_line(diags: list[Diagnostic]) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diags)
    notices = sum(d.severity is Severity.NOTICE for d in diags)
    line = f"{errors} error(s), {len(diags) - errors - notices} warning(s)"
    return line + (f", {notices} notice(s)" if notices else "")


def failed(diags: list[Diagnostic], *, strict: bool = False) -> bool:
    """Errors fail a run; with --strict, warnings too. Notices never do."""
    return any(
        d.severity is Severity.ERROR or (strict and d.severity is Severity.WARNING) for d in diags
    )


def explain(code: str) -> str | None:
    doc = CODES.get(code.upper())
    if doc is None:
        return None
    return f"{doc.code} ({doc.severity.value}): {doc.title}\n\n{doc.explanation}\n"
