"""`toi-atlas serve`: the site with live reload, rebuilt whenever bib/ or docs/ changes.

Work pages are not built by MkDocs (see fill.py), so `mkdocs serve` cannot show them.
The preview serves the built site itself, and on each change does the least that
brings the open page up to date:

1. an input of the generator changed (bib/, mkdocs.yml, docs/reading/): the
   incremental build runs in this process. Files parsed before are not parsed again
   (read/parsed.py), only the work pages whose inputs changed are rendered
   (render/reuse.py), and they are poured straight into the served site as soon as
   they are rendered, before the generator renders lists, topic pages and exports: an
   edited summary is on screen in about the time loading and checking take;
2. then, if anything MkDocs builds changed (a generated list, a hand-written page, a
   stylesheet, the theme), `mkdocs build` makes a whole new site beside the served one,
   the work pages are poured into it, and it replaces the old one in one step.

Each served HTML page carries a few lines of script that ask every half second whether
its own file changed (a hash of its bytes, and of the stylesheets and scripts), and
reload it if so: the page being read reloads only when what it shows changed. A build
with errors prints its findings and changes nothing, so the last good site stays.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import posixpath
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import FrameType
from urllib.parse import parse_qs, unquote, urlsplit

from ..pipeline import Paths
from ..read.site import load_site
from ..wording import counted
from ..write.files import WriteStats
from ..write.fill import Shell, ShellError, fill_site, read_shell

# The generator, run in this process: `generate(early)` builds, calls `early` with the
# work pages written as soon as they are (pipeline.build), and says whether it worked.
Generate = Callable[[Callable[[WriteStats], None]], bool]

WAKE_S = 1.0  # how often the watch loop wakes when nothing changes
POLL_MS = 500  # how often an open page asks whether it changed
VERSION_PATH = "__toi_atlas__/version"
# The discovery queue (`toi-atlas discover`) as a page of the preview only: at the depth
# of a work page, so the shell's relative links hold; never written into any site.
QUEUE_PATH = "atlas/works/_queue/"
WATCHED = "bib/, docs/, overrides/ and mkdocs.yml"
RELOAD = (
    "<script>(function () {{ var seen = null; function ask() {{ "
    'fetch("{mount}{version}?path=" + encodeURIComponent(location.pathname), '
    '{{cache: "no-store"}}).then(function (r) {{ return r.text(); }}).then(function (v) {{ '
    "if (seen === null) seen = v; else if (v !== seen) {{ location.reload(); return; }} "
    "setTimeout(ask, {poll}); }}, function () {{ setTimeout(ask, {poll} * 2); }}); }} "
    "ask(); }})();</script>"
)


def say(message: str) -> None:
    print(f"toi-atlas serve: {message}", file=sys.stderr, flush=True)


# --- what to watch ----------------------------------------------------------------------


def generator_input(paths: Paths, path: Path) -> bool:
    """A file `toi-atlas build` reads (not an editor's temporary file)."""
    if path == paths.mkdocs_yml.resolve():
        return True
    read = {paths.bib.resolve(): (".bib", ".yaml"), paths.reading_pages.resolve(): (".md",)}
    return path.suffix in read.get(path.parent, ())


def site_input(paths: Paths, path: Path) -> bool:
    """A file MkDocs builds from: under docs/ (not our own output) or overrides/."""
    docs, out = paths.docs.resolve(), paths.out.resolve()
    theme = (paths.root / "overrides").resolve()
    name = path.name
    if name.startswith(".") or name.endswith(("~", ".swp", ".tmp")):
        return False
    if path.is_relative_to(out):
        return False  # written by the generator: step 1 reports what it changed
    return path.is_relative_to(docs) or path.is_relative_to(theme)


def is_input(paths: Paths) -> Callable[[object, str], bool]:
    """watchfiles' filter."""

    def accept(_change: object, path: str) -> bool:
        p = Path(path)
        return generator_input(paths, p) or site_input(paths, p)

    return accept


def changes(paths: Paths) -> Iterator[set[str]]:
    """The files changed since the last time, as sets; an empty set about every second."""
    import watchfiles

    watched = [paths.bib, paths.docs, paths.root / "overrides", paths.mkdocs_yml]
    for batch in watchfiles.watch(
        *[p for p in watched if p.exists()],
        watch_filter=is_input(paths),
        rust_timeout=int(WAKE_S * 1000),
        yield_on_timeout=True,
    ):
        yield {path for _change, path in batch}


# --- the served site --------------------------------------------------------------------


@dataclass
class Served:
    """The site being served: its folder (swapped whole after a rebuild), the shell that
    fills it, and a digest of its stylesheets and scripts."""

    root: Path | None = None
    shell: Shell | None = None
    assets: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    queue: Path | None = None  # discover/queue.md
    extensions: tuple[object, ...] = ()  # mkdocs.yml's, for the queue page

    def version(self, path: str) -> str:
        """What a page's reload check compares: its bytes and the site's assets."""
        with self.lock:
            root, assets = self.root, self.assets
        if root is None:
            return ""
        target = self.queue if path.strip("/") == QUEUE_PATH.strip("/") else _file_for(root, path)
        try:
            data = target.read_bytes() if target is not None else b""
        except OSError:
            data = b""
        return hashlib.sha1(data + assets.encode(), usedforsecurity=False).hexdigest()

    def queue_page(self) -> bytes | None:
        """The discovery queue in the theme's shell, or None when there is none yet."""
        with self.lock:
            shell, queue = self.shell, self.queue
        if shell is None or queue is None or not queue.is_file():
            return None
        from ..render.workhtml import Converter, Targets

        text = queue.read_text(encoding="utf-8")
        conv = Converter({"markdown_extensions": list(self.extensions)})
        fragment = conv.convert("atlas/works/_queue.md", text, Targets(frozenset(), frozenset()))
        fragment["title"] = fragment["title"] or "Discovery queue"
        fragment["description"] = "Candidates found by toi-atlas discover (not published)"
        return shell.fill("_queue", fragment).encode("utf-8")


def _file_for(root: Path, path: str) -> Path | None:
    """The file a URL path (under the mount) names, never outside `root`."""
    rel = posixpath.normpath("/" + unquote(path)).lstrip("/")
    target = (root / rel) if rel else root
    if target.is_dir():
        target = target / "index.html"
    try:
        target.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return target


def assets_digest(site: Path) -> str:
    h = hashlib.sha1(usedforsecurity=False)
    for folder in ("stylesheets", "javascripts"):
        for f in sorted((site / folder).rglob("*")) if (site / folder).is_dir() else []:
            if f.is_file():
                h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


def make_handler(served: Served, mount: str) -> type[http.server.BaseHTTPRequestHandler]:
    """Files from the served site under `mount` (site_url's path, as mkdocs serve does),
    HTML with the reload script, and the version endpoint that script asks."""
    script = RELOAD.format(mount=mount, version=VERSION_PATH, poll=POLL_MS).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if not url.path.startswith(mount):
                if url.path in ("/", ""):
                    self.send_response(302)
                    self.send_header("Location", mount)
                    self.end_headers()
                    return
                self.send_error(404)
                return
            rel = url.path[len(mount) :]
            if rel == VERSION_PATH:
                page = parse_qs(url.query).get("path", [""])[0]
                self._send(200, "text/plain", served.version(page.removeprefix(mount)).encode())
                return
            if rel == QUEUE_PATH:
                queue = served.queue_page()
                if queue is not None:
                    self._send(200, "text/html", queue.replace(b"</body>", script + b"</body>", 1))
                    return
            with served.lock:
                root = served.root
            target = _file_for(root, rel) if root is not None else None
            if root is None or target is None or not target.is_file():
                self._not_found(root)
                return
            if rel and not rel.endswith("/") and (root / rel).is_dir():
                self.send_response(301)
                self.send_header("Location", url.path + "/")
                self.end_headers()
                return
            data = target.read_bytes()
            kind = _content_type(target)
            if kind == "text/html":
                data = data.replace(b"</body>", script + b"</body>", 1)
            self._send(200, kind, data)

        def _not_found(self, root: Path | None) -> None:
            page = root / "404.html" if root is not None else None
            if page is not None and page.is_file():
                self._send(404, "text/html", page.read_bytes())
            else:
                self.send_error(404)

        def _send(self, status: int, kind: str, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8" if "text" in kind else kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # a request log would bury the build reports

    return Handler


def _content_type(path: Path) -> str:
    import mimetypes

    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return "application/json" if path.suffix == ".json" else kind


# --- building -----------------------------------------------------------------------------


def build_site(paths: Paths, into: Path) -> bool:
    """`mkdocs build` into a new folder (not strict: a preview shows work in progress)."""
    env = dict(os.environ)
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "--config-file", str(paths.mkdocs_yml)]
    done = subprocess.run([*cmd, "--site-dir", str(into)], cwd=paths.root, env=env, check=False)
    return done.returncode == 0


def fresh_site(paths: Paths, served: Served, number: int) -> bool:
    """A whole new site beside the served one, filled, then swapped in."""
    work = paths.cache / "preview"
    into = work / f"site-{number}"
    shutil.rmtree(into, ignore_errors=True)
    if not build_site(paths, into):
        say("mkdocs build failed; the last good site is still served")
        return False
    try:
        shell = read_shell(into)
        fill_site(into, paths.work_pages, shell)
    except (ShellError, ValueError) as exc:
        say(f"cannot put the work pages into the site: {exc}")
        return False
    with served.lock:
        old, served.root, served.shell = served.root, into, shell
        served.assets = assets_digest(into)
    if old is not None and old != into:
        shutil.rmtree(old, ignore_errors=True)
    return True


def refill(paths: Paths, served: Served, slugs: set[str]) -> None:
    """Pour the changed work pages into the served site, in place."""
    with served.lock:
        root, shell = served.root, served.shell
    if root is None or shell is None or not slugs:
        return
    try:
        fill_site(root, paths.work_pages, shell, only=slugs)
    except (ShellError, ValueError, OSError) as exc:
        say(f"cannot put the work pages into the site: {exc}")


def _stamps(folder: Path) -> dict[str, int]:
    """{path: mtime} of every file under `folder` (the generator writes only changes)."""
    out: dict[str, int] = {}
    if not folder.is_dir():
        return out
    stack = [folder]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    stack.append(Path(e.path))
                else:
                    out[e.path] = e.stat(follow_symlinks=False).st_mtime_ns
    return out


def _changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def safely(step: Callable[[], bool]) -> bool:
    """Run a build step; whatever goes wrong, the preview goes on with the last good site."""
    try:
        return step()
    except OSError as exc:  # a file an editor is replacing, a full disk
        say(f"the build stopped: {exc.strerror or exc}: {exc.filename or ''}")
    except Exception as exc:  # a bug in the generator must not end the preview
        say(f"the build failed unexpectedly ({type(exc).__name__}: {exc}); report this as a bug")
    finally:
        sys.stdout.flush()  # the findings, now, even when stdout is a file or a pipe
    return False


class Rebuilder:
    """One change batch at a time: generator, work pages, then the rest of the site."""

    def __init__(self, paths: Paths, served: Served, generate: Generate) -> None:
        self.paths, self.served, self.generate = paths, served, generate
        self.number = 0
        self.site_stale = True  # nothing built yet

    def __call__(self, changed: set[Path]) -> bool:
        paths = self.paths
        if any(generator_input(paths, p) for p in changed) or self.served.root is None:
            fragments = paths.work_pages / "works"
            docs_before, works_before = _stamps(paths.out), _stamps(fragments)
            shown: set[str] = set()

            def early(written: WriteStats) -> None:
                """The edited pages, into the served site before the rest is rendered."""
                slugs = {PurePosixPath(p).stem for p in written.written_paths}
                if slugs:
                    refill(paths, self.served, slugs)
                    say(f"updated {counted(len(slugs), 'work page')}; rendering the rest")
                shown.update(slugs)

            if not safely(lambda: self.generate(early)):
                return False
            slugs = {Path(p).stem for p in _changed(works_before, _stamps(fragments))}
            refill(paths, self.served, slugs - shown)
            self.site_stale |= bool(_changed(docs_before, _stamps(paths.out)))
        self.site_stale |= any(site_input(paths, p) for p in changed)
        self.site_stale |= paths.mkdocs_yml.resolve() in changed
        if self.site_stale:
            self.number += 1
            if not safely(lambda: fresh_site(paths, self.served, self.number)):
                return False
            self.site_stale = False
        return True


# --- the loop -----------------------------------------------------------------------------


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM stops the preview as Ctrl-C does."""
    old = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def unusable(addr: str) -> str | None:
    """Why the preview could not listen on `addr` (IP:PORT), or None if it can: asked
    before anything is built, so a port in use is one plain line."""
    host, _, port = addr.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        return f"`{addr}` is not IP:PORT"
    try:
        family, kind, proto, _name, where = socket.getaddrinfo(
            host.strip("[]"), int(port), type=socket.SOCK_STREAM
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(where)
    except OSError as exc:
        return f"cannot listen on {addr}: {exc.strerror or exc}"
    return None


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(paths: Paths, addr: str, generate: Generate) -> int:
    """Build, serve on `addr` and rebuild on every change until Ctrl-C (exit 0); exit 2 if
    it cannot listen on `addr`."""
    problem = unusable(addr)
    if problem is not None:
        say(f"{problem}; choose another with --dev-addr")
        return 2
    host, _, port = addr.rpartition(":")
    mount = "/" + urlsplit(load_site(paths.mkdocs_yml).url).path.strip("/") + "/"  # as mkdocs
    mount = mount.replace("//", "/")
    site = load_site(paths.mkdocs_yml)
    served = Served(queue=paths.root / "discover" / "queue.md", extensions=site.markdown_extensions)
    server = _Server((host.strip("[]"), int(port)), make_handler(served, mount))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    rebuild = Rebuilder(paths, served, generate)
    try:
        with stopped_by_sigterm():
            thread.start()
            if not rebuild(set()):
                say(_failed(served))
            url = f"http://{host}:{server.server_address[1]}{mount}"
            say(f"serving {url}")
            say(f"the discovery queue, once `toi-atlas discover` has run: {url}{QUEUE_PATH}")
            say(f"watching {WATCHED}; Ctrl-C stops")
            for batch in changes(paths):
                if batch:  # a failed step is tried again on the next edit, not every second
                    changed = {Path(p).resolve() for p in batch}
                    if changed:
                        shown = ", ".join(sorted(paths.display(p) for p in changed))
                        say(f"changed: {shown}; building")
                    if not rebuild(changed):
                        say(_failed(served))
    except KeyboardInterrupt:
        say("stopping")
    finally:
        server.shutdown()
        server.server_close()
        with served.lock:
            root = served.root
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


def _failed(served: Served) -> str:
    if served.root is not None:
        return "the last good site is still served; fix the findings above"
    return "nothing to serve yet: the site is served once the findings above are fixed"
