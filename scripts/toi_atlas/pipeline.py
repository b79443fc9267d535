"""load -> model -> validate -> render -> write, with a timing for each step."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .claims import Claim, check_claims, load_claims
from .diagnostics import Diagnostic, Span, has_errors
from .load import RawEntry, bib_files, load_file
from .model import Corpus, build_corpus
from .readinglists import ReadingList, check_reading_lists, load_reading_lists
from .taxonomy import load_taxonomy
from .treecheck import check_tree
from .validate import validate
from .write import UnsafePathError, WriteStats, write_plan


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
        return self.root / ".cache" / "toi-atlas"

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def out(self) -> Path:
        return self.root / "docs" / "atlas"

    @property
    def manifest(self) -> Path:
        return self.cache / "manifest.json"

    def inputs(self) -> list[Path]:
        """Every file the generated output depends on (besides the generator itself)."""
        return [*sorted(p for p in self.bib.rglob("*") if p.is_file()), self.mkdocs_yml]

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
    timings: dict[str, float] = field(default_factory=dict)
    entries_read: int = 0
    skipped: bool = False  # nothing changed since the last build, so nothing was rendered
    reading_lists: tuple[ReadingList, ...] = ()
    claims: tuple[Claim, ...] = ()


def load_and_check(
    paths: Paths, files: list[Path] | None = None, *, balance: bool = False
) -> Result:
    result = Result()
    t0 = time.perf_counter()
    taxonomy, diags = load_taxonomy(paths.taxonomy, paths.display(paths.taxonomy))
    result.diagnostics += diags
    entries: list[RawEntry] = []
    for path in files if files is not None else bib_files(paths.bib):
        bib, file_diags = load_file(path, paths.display(path))
        result.diagnostics += file_diags
        if bib is not None:
            entries += bib.entries
    result.entries_read = len(entries)
    t1 = time.perf_counter()
    corpus = build_corpus(entries, taxonomy)
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
    result.corpus = corpus
    result.timings.update(load=t1 - t0, model=t2 - t1, check=time.perf_counter() - t2)
    return result


def build(paths: Paths, *, force: bool = False) -> Result:
    # Imported here, not above: `check` never needs them, and they take 0.1 s to import.
    from . import incremental

    # Digest first: if an input changes while we load, the next build renders again.
    digest = incremental.digest(paths.inputs())
    result = load_and_check(paths)
    if has_errors(result.diagnostics) or result.corpus is None:
        return result
    t0 = time.perf_counter()
    files = None if force else incremental.intact(paths.manifest, paths.out, digest)
    if files is not None:
        result.stats = WriteStats(0, files, 0)
        result.skipped = True
        result.timings.update(render=0.0, write=time.perf_counter() - t0)
        return result
    # Only now: a build with nothing to render never imports the renderers.
    from .render.citations import CitationCache
    from .render.context import Context
    from .render.plan import dropped, render_all
    from .site import load_site

    citations = CitationCache(paths.cache / "citations.json")
    ctx = Context(
        result.corpus,
        load_site(paths.mkdocs_yml),
        citations,
        result.reading_lists,
        result.claims,
    )
    plan = render_all(ctx)
    t1 = time.perf_counter()
    result.diagnostics += dropped(result.corpus, plan)
    if has_errors(result.diagnostics):
        return result
    try:
        result.stats = write_plan(paths.out, plan)
        citations.save()
        incremental.save(paths.manifest, paths.out, digest)
    except UnsafePathError as exc:
        result.diagnostics.append(
            Diagnostic(
                "TOI902",
                Span(paths.display(paths.out), 1),
                f"refused to write `{exc}`",
                "report this as a bug",
            )
        )
    result.timings.update(render=t1 - t0, write=time.perf_counter() - t1)
    return result
