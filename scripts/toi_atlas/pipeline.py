"""load -> model -> validate -> render -> write, with a timing for each step."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, Span, has_errors
from .write.files import UnsafePathError, WriteStats, write_plan

if TYPE_CHECKING:  # the loaders (pybtex among them) are imported only when something loads
    from .model.corpus import Corpus
    from .read.claims import Claim
    from .read.parsed import ParseCache
    from .read.readinglists import ReadingList
    from .render.workhtml import Targets


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def bib(self) -> Path:
        return self.root / "bib"

    @property
    def taxonomy(self) -> Path:
        return self.bib / "taxonomy.yaml"

    @property
    def reading_lists(self) -> Path:
        return self.bib / "readinglists.yaml"

    @property
    def claims(self) -> Path:
        return self.bib / "claims.yaml"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def cache(self) -> Path:
        """Our state between runs: the citation memo, the build manifest, the link cache.

        Not under `.cache/`: `zensical build --clean` empties that folder.
        """
        return self.root / ".toi-atlas"

    @property
    def old_cache(self) -> Path:
        """Where that state lived before; `migrate_state` moves it once."""
        return self.root / ".cache" / "toi-atlas"

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def out(self) -> Path:
        return self.root / "docs" / "atlas"

    @property
    def work_pages(self) -> Path:
        """The work pages' HTML fragments, which `toi-atlas site` pours into the theme's
        shell. Not under docs/: MkDocs would publish them."""
        return self.cache / "pages" / "html"

    @property
    def site(self) -> Path:
        """Where `mkdocs build` and `zensical build` put the site (mkdocs.yml's default)."""
        return self.root / "site"

    @property
    def manifest(self) -> Path:
        return self.cache / "manifest.json"

    @property
    def page_keys(self) -> Path:
        """The work pages' fingerprints (render.reuse): which pages a build may keep."""
        return self.cache / "pages" / "keys.json"

    @property
    def pieces(self) -> Path:
        """The works' pieces of the whole-corpus outputs (render.pieces)."""
        return self.cache / "pieces.json"

    @property
    def reading_pages(self) -> Path:
        """The hand-written pages that show reading lists (the checker looks for them)."""
        return self.docs / "reading"

    def inputs(self) -> list[Path]:
        """Every file the output and the findings depend on (besides the generator itself)."""
        found = [p for top in (self.bib, self.reading_pages) for p in top.rglob("*") if p.is_file()]
        return [*sorted(found), self.mkdocs_yml]

    def display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    corpus: Corpus | None = None
    stats: WriteStats | None = None
    work_pages: WriteStats | None = None  # their fragments: written, unchanged, deleted
    timings: dict[str, float] = field(default_factory=dict)
    entries_read: int = 0
    skipped: bool = False  # nothing changed since the last build: nothing loaded or rendered
    works: int = 0  # in the corpus (a skipped build has no corpus: as last recorded)
    reading_lists: tuple[ReadingList, ...] = ()
    claims: tuple[Claim, ...] = ()


def load_and_check(
    paths: Paths,
    files: list[Path] | None = None,
    *,
    balance: bool = False,
    parses: ParseCache | None = None,
) -> Result:
    """Load and check everything. `parses`: .bib files parsed before (a build's), else
    every file is parsed."""
    from .check.claims import check_claims
    from .check.pagelinks import check_page_links
    from .check.readinglists import check_reading_lists
    from .check.treecheck import check_tree
    from .check.validate import validate
    from .model.corpus import build_corpus
    from .read.claims import load_claims
    from .read.load import RawEntry, bib_files, load_file
    from .read.readinglists import load_reading_lists
    from .read.taxonomy import load_taxonomy

    result = Result()
    t0 = time.perf_counter()
    taxonomy, diags = load_taxonomy(paths.taxonomy, paths.display(paths.taxonomy))
    result.diagnostics += diags
    entries: list[RawEntry] = []
    for path in files if files is not None else bib_files(paths.bib):
        if parses is not None:
            file_entries, file_diags = parses.load(path, paths.display(path))
        else:
            bib, file_diags = load_file(path, paths.display(path))
            file_entries = bib.entries if bib is not None else []
        result.diagnostics += file_diags
        entries += file_entries
    if parses is not None:
        parses.remember()  # a parse stands whatever else the build finds
    result.entries_read = len(entries)
    t1 = time.perf_counter()
    corpus = build_corpus(entries, taxonomy)
    # What was loaded lives until the process or the build ends: keep it out of the
    # garbage collector's passes, which took about a third of rendering's CPU time at
    # 10,000 works. `build` unfreezes it when it ends.
    gc.freeze()
    t2 = time.perf_counter()
    if not diags:  # without a vocabulary, every tag would be reported as unknown
        result.diagnostics += validate(corpus, balance=balance)
        shown = paths.display(paths.reading_lists)
        lists, list_diags = load_reading_lists(paths.reading_lists, shown)
        result.reading_lists = tuple(lists)
        result.diagnostics += list_diags
        result.diagnostics += check_reading_lists(lists, corpus, shown, paths.docs)
        shown = paths.display(paths.claims)
        claims, claim_diags = load_claims(paths.claims, shown)
        result.claims = tuple(claims)
        result.diagnostics += claim_diags + check_claims(claims, corpus, shown)
        result.diagnostics += check_tree(claims, corpus, shown)
        result.diagnostics += check_page_links(
            paths.docs, {w.slug for w in corpus.works.values()}, paths.display
        )
        from .read.discovery import check_files  # bib/discovery.yaml, bib/rejected.yaml

        result.diagnostics += check_files(paths.bib, paths.display(paths.bib), taxonomy)
    result.corpus = corpus
    result.works = len(corpus.works)
    result.timings.update(load=t1 - t0, model=t2 - t1, check=time.perf_counter() - t2)
    return result


def forget_builds() -> None:
    """Forget the parses and works earlier builds in this process left for the next one
    (read/parsed.py, model/corpus.py): the next build starts as a new process's would,
    but for the memos of pure text conversions, which give the same text either way."""
    from .model import carried
    from .read.parsed import ParseCache

    gc.unfreeze()  # what a `load_and_check` froze (see there)
    ParseCache.forget()
    carried.forget_all()


def forget_memos() -> None:
    """`forget_builds`, and the memos of converted text and citation styles too: the
    benchmark's cold runs."""
    from .model import corpus
    from .render import citations

    forget_builds()
    corpus.latex_to_unicode.cache_clear()
    citations.clear_memos()


def migrate_state(paths: Paths) -> None:
    """Move the citation memo and link cache out of `.cache/toi-atlas`, where they were kept
    before, unless the new folder already has its own. The old manifest is left behind:
    its format is older, so the first build after the move is a full one anyway."""
    for name in ("citations.json", "links.json"):
        old, new = paths.old_cache / name, paths.cache / name
        if old.is_file() and not new.exists():
            try:
                new.parent.mkdir(parents=True, exist_ok=True)
                os.replace(old, new)
            except OSError:
                pass  # only a slower build: the memo is made again


def build(
    paths: Paths, *, force: bool = False, early: Callable[[WriteStats], None] | None = None
) -> Result:
    """Check, then write docs/atlas and the work pages' fragments.

    `early` (the preview's): called with the fragments written as soon as the work pages
    are rendered, before the rest of the site, so an edited page is shown at once. The
    link check of those pages comes after, with the rest; a build that fails it records
    nothing, so its next build renders them again."""
    # Imported here, not above: `check` never needs it.
    from .write import incremental

    migrate_state(paths)
    t0 = time.perf_counter()
    # Digest first: if an input changes while we load, the next build renders again.
    code = incremental.code_digest()  # once per build: it reads every module
    digest = incremental.digest(paths.inputs(), code)
    outputs = (paths.out, paths.work_pages)
    last = None if force else incremental.last_build(paths.manifest, outputs, digest)
    if last is not None:  # the last build's report stands, and so does its output
        return Result(
            diagnostics=last.diagnostics,
            stats=WriteStats(0, last.files, 0),
            timings={"compare": time.perf_counter() - t0},
            skipped=True,
            works=last.works,
        )
    from .read.parsed import ParseCache

    parses = ParseCache(paths.cache / "parsed", code)
    try:
        result = load_and_check(paths, parses=parses)
        if has_errors(result.diagnostics) or result.corpus is None:
            return result
        return _generate(paths, result, parses, (digest, code), force=force, early=early)
    finally:
        gc.unfreeze()  # see load_and_check; the next build in this process may collect it


def _generate(
    paths: Paths,
    result: Result,
    parses: ParseCache,
    digests: tuple[str, str],
    *,
    force: bool,
    early: Callable[[WriteStats], None] | None,
) -> Result:
    """Cite, render, check links and write, for a checked corpus. `digests`: of the
    inputs, taken before they were loaded (the manifest records it), and of the code."""
    from .write import incremental

    assert result.corpus is not None
    outputs = (paths.out, paths.work_pages)
    # Only now: a build with nothing to render never imports the renderers.
    from .model.csl import csl_item
    from .read.site import load_site
    from .render import pages, reuse
    from .render.citations import CitationCache
    from .render.context import Context
    from .render.pieces import Pieces, work_digests
    from .render.plan import dropped, render_all
    from .render.workhtml import check_links, save_work_pages

    t0 = time.perf_counter()
    # "Cite as" first, as a stage of its own: renderers then get plain text, and the
    # memo (disk, worker processes) stays out of rendering.
    citations = CitationCache(paths.cache / "citations.json")
    works = list(result.corpus.works.values())
    cited = citations.cite_all([csl_item(w) for w in works])
    cite_as = {w.key: c for w, c in zip(works, cited, strict=True)}
    t_cite = time.perf_counter()
    site = load_site(paths.mkdocs_yml)
    digest, code = digests
    # What every work page shares: every input but the .bib files, the code, the versions.
    shared = incremental.digest([p for p in paths.inputs() if p.suffix != ".bib"], code)
    pieces = Pieces(paths.pieces, shared, work_digests(works))
    ctx = Context(result.corpus, site, result.reading_lists, result.claims, cite_as, pieces)
    keys = reuse.page_keys(result.corpus, shared, cite_as)
    keep = (
        frozenset()
        if force
        else reuse.kept(keys, reuse.load_keys(paths.page_keys), paths.work_pages)
    )
    work_pages = pages.render(ctx, keep)
    if early is not None:
        early(save_work_pages(work_pages, paths.work_pages, keep))
    plan = render_all(ctx, keep, work_pages)
    t1 = time.perf_counter()
    result.diagnostics += dropped(result.corpus, plan)
    if has_errors(result.diagnostics):
        return result
    links = check_links(
        plan.works, link_targets(paths, {**plan.docs, **plan.cite}, [*plan.works, *plan.kept])
    )
    t2 = time.perf_counter()
    result.diagnostics += [
        Diagnostic(
            "TOI903",
            Span(paths.display(paths.out / page.removeprefix("atlas/")), 1),
            f"the generated page links to `{link}`, which the site does not have",
            "report this as a bug",
        )
        for page, link in links.broken
    ]
    if has_errors(result.diagnostics):
        return result
    try:
        result.stats = write_plan(paths.out, plan.docs)
        result.work_pages = save_work_pages(plan.works, paths.work_pages, plan.kept)
        # Beside the fragments, for `toi-atlas site` to put into the site.
        write_plan(
            paths.work_pages / "cite", {p.removeprefix("cite/"): t for p, t in plan.cite.items()}
        )
        reuse.save_keys(paths.page_keys, keys, paths.work_pages)
        pieces.save()
        citations.save()
        parses.save()
        incremental.save(paths.manifest, outputs, digest, result.works, result.diagnostics)
    except UnsafePathError as exc:
        result.diagnostics.append(
            Diagnostic(
                "TOI902",
                Span(paths.display(paths.out), 1),
                f"refused to write `{exc}`",
                "report this as a bug",
            )
        )
    result.timings.update(
        cite=t_cite - t0, render=t1 - t_cite, links=t2 - t1, write=time.perf_counter() - t2
    )
    return result


def link_targets(paths: Paths, docs: dict[str, str], works: Iterable[str]) -> Targets:
    """What the site will hold: the generated pages and files, the hand-written ones, and
    the work pages' URLs."""
    from .read.site import page_url
    from .render.workhtml import Targets

    hand_written = {
        p.relative_to(paths.docs).as_posix()
        for p in paths.docs.rglob("*")
        if p.is_file() and not p.is_relative_to(paths.out)
    }
    generated = {f"atlas/{p}" for p in docs}
    return Targets(frozenset(hand_written | generated), frozenset(page_url(p) for p in works))
