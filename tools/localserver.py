"""A static server for a built site on 127.0.0.1, and how we start Debian's Chromium.

One copy for the browser tests, the benchmark, the timing scripts and the screenshot
script.
"""

from __future__ import annotations

import gzip
import shutil
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .measure import GZIP_LEVEL

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium_path() -> str:
    """Debian's chromium; a missing browser is a failure, never a skip (CI must run these)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError("Debian's chromium is not installed: run `make chromium`")
    return path


class _Quiet(SimpleHTTPRequestHandler):
    """A static server that, like GitHub Pages, can serve the site under a path prefix
    and answers missing pages with the site's own 404.html."""

    prefix = ""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        if self.prefix:
            if not self.path.startswith(self.prefix + "/"):
                self.send_error(404)
                return None
            self.path = self.path[len(self.prefix) :]
        return super().send_head()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser closing a connection mid-download is normal here, not news


@contextmanager
def _running(server: ThreadingHTTPServer, prefix: str = "") -> Iterator[str]:
    """Serve on a thread until the block ends; yields the base URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def serve(directory: Path, prefix: str = "") -> AbstractContextManager[str]:
    """A static server for `directory` on a free port of 127.0.0.1; yields its base URL
    (ending in `prefix`, e.g. "/toi-atlas" to mimic a GitHub Pages project site)."""
    handler = type("Handler", (_Quiet,), {"prefix": prefix})
    server = _Server(("127.0.0.1", 0), partial(handler, directory=str(directory)))
    return _running(server, prefix)


COMPRESSIBLE = frozenset({".html", ".css", ".js", ".json", ".xml", ".svg", ".txt"})


class _Gzipped(SimpleHTTPRequestHandler):
    """Text files gzipped for clients that accept it, as GitHub Pages serves them
    (`serve` sends everything as it is on disk)."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepted = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepted and path.is_file() and path.suffix in COMPRESSIBLE):
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes(), compresslevel=GZIP_LEVEL, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve_gzipped(directory: Path) -> AbstractContextManager[str]:
    """Like `serve`, but text files go out gzipped to clients that accept it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Gzipped, directory=str(directory)))
    server.daemon_threads = True
    return _running(server)


def local_file(site: Path, url: str) -> Path | None:
    """The file these servers answer `url` with (folders serve index.html), if any."""
    path = unquote(urlsplit(url).path).lstrip("/")
    target = site / path
    if path == "" or path.endswith("/"):
        target = target / "index.html"
    return target if target.is_file() else None
