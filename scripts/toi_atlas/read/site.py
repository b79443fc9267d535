"""The few site settings the generator needs, read from mkdocs.yml (never written)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml


class _IgnoreTags(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` tags for MkDocs; we only want plain keys."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)
_IgnoreTags.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)

DEFAULT_URL = "https://example.org/"


@dataclass(frozen=True)
class Site:
    name: str = "ToI Atlas"
    url: str = DEFAULT_URL  # always ends in "/"
    description: str = ""
    # As mkdocs.yml lists them (names, or {name: settings}): the work pages, which the
    # generator converts itself, get the same Markdown as MkDocs gives every other page.
    markdown_extensions: tuple[Any, ...] = ()

    def page_url(self, rel_dir: str) -> str:
        """Absolute URL of a generated page, e.g. `atlas/works/x/`."""
        return self.url + rel_dir


def load_site(mkdocs_yml: Path) -> Site:
    try:
        data = yaml.load(mkdocs_yml.read_text(encoding="utf-8"), Loader=_IgnoreTags)
    except (OSError, yaml.YAMLError):
        return Site()
    if not isinstance(data, dict):
        return Site()
    url = str(data.get("site_url") or DEFAULT_URL)
    return Site(
        name=str(data.get("site_name") or "ToI Atlas"),
        url=url if url.endswith("/") else url + "/",
        description=" ".join(str(data.get("site_description") or "").split()),
        markdown_extensions=tuple(data.get("markdown_extensions") or ()),
    )


@lru_cache(maxsize=1 << 16)
def page_url(path: str) -> str:
    """The folder URL MkDocs and Zensical give the page built from `path` (relative to
    docs/atlas, where the generator writes): `toi/x.md` -> `atlas/toi/x/`,
    `works/index.md` -> `atlas/works/`, `../index.md` -> `` (the home page)."""
    doc = posixpath.normpath(posixpath.join("atlas", path))
    stem = doc.removesuffix(".md")
    if stem == "index":
        return ""
    return (stem.removesuffix("/index") if stem.endswith("/index") else stem) + "/"
