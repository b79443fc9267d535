"""`toi-atlas serve`: the site with live reload, rebuilt whenever bib/ changes.

`mkdocs serve` reloads the browser when a file under docs/ changes, but it knows
nothing of bib/, so on its own an edited entry never showed up. Here it runs as a
child process, and this process watches what the generator reads (bib/, mkdocs.yml,
the reading-list pages in docs/reading/) with watchfiles. On a change the incremental
build runs in this process (the loaders stay imported and the citation memo on disk is
used, so one edit costs little) and writes only the files whose text changed into
docs/atlas/; mkdocs serve sees them and reloads the page. A build with errors prints
its findings and writes nothing, so the last good site stays served.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from .pipeline import Paths
from .write import MARKER

CHECK_CHILD_S = 1.0  # how often the watch loop wakes to see whether mkdocs serve still runs
GRACE_S = 2.0  # a Ctrl-C in a terminal reaches mkdocs serve too: let it stop on its own
WATCH_FILES = "bib/, mkdocs.yml and docs/reading/"


def say(message: str) -> None:
    print(f"toi-atlas serve: {message}", file=sys.stderr, flush=True)


def folders(paths: Paths) -> list[Path]:
    """The folders to watch, each without its subfolders: the generator reads only the
    files directly in them, and a recursive watch of the root would cover .venv/."""
    found = [paths.bib, paths.reading_pages, paths.root]
    return [f.resolve() for f in found if f.is_dir()]


def is_input(paths: Paths) -> Callable[[object, str], bool]:
    """watchfiles' filter: a file of a kind the generator reads (not an editor's
    temporary file), in a folder it reads from."""
    read = {
        paths.bib.resolve(): (".bib", ".yaml"),
        paths.reading_pages.resolve(): (".md",),
        paths.root.resolve(): (),
    }
    config = paths.mkdocs_yml.resolve()

    def accept(_change: object, path: str) -> bool:
        p = Path(path)
        return p == config or p.suffix in read.get(p.parent, ())

    return accept


def changes(paths: Paths) -> Iterator[set[str]]:
    """The files changed since the last time, as sets; an empty set about every second."""
    import watchfiles

    for batch in watchfiles.watch(
        *folders(paths),
        watch_filter=is_input(paths),
        recursive=False,
        rust_timeout=int(CHECK_CHILD_S * 1000),
        yield_on_timeout=True,
    ):
        yield {path for _change, path in batch}


def start_mkdocs(paths: Paths, addr: str) -> subprocess.Popen[bytes]:
    """`mkdocs serve` from this virtualenv, in this process group (so a Ctrl-C in the
    terminal stops it too, and it never outlives a terminal that closes)."""
    env = dict(os.environ)
    env.setdefault("NO_MKDOCS_2_WARNING", "1")  # as the Makefile: Material's notice on MkDocs 2
    cmd = [sys.executable, "-m", "mkdocs", "serve", "--config-file", str(paths.mkdocs_yml)]
    return subprocess.Popen([*cmd, "--dev-addr", addr], cwd=paths.root, env=env)


def stop(child: subprocess.Popen[bytes] | None) -> None:
    """Let mkdocs serve stop on its own after a Ctrl-C in the terminal, else end it."""
    if child is None:
        return
    try:
        child.wait(GRACE_S)
    except subprocess.TimeoutExpired:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
    except KeyboardInterrupt:  # a second Ctrl-C: no more waiting
        child.kill()
    child.wait()


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM stops the preview as Ctrl-C does: mkdocs serve is stopped, not orphaned."""
    old = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def safely(rebuild: Callable[[], bool]) -> bool:
    """Run a build; whatever goes wrong, the preview goes on with the last good site."""
    try:
        return rebuild()
    except OSError as exc:  # a file an editor is replacing, a full disk
        say(f"the build stopped: {exc.strerror or exc}: {exc.filename or ''}")
    except Exception as exc:  # a bug in the generator must not end the preview
        say(f"the build failed unexpectedly ({type(exc).__name__}: {exc}); report this as a bug")
    finally:
        sys.stdout.flush()  # the findings, now, even when stdout is a file or a pipe
    return False


def unusable(addr: str) -> str | None:
    """Why mkdocs serve could not listen on `addr` (IP:PORT), or None if it can.

    Asked before anything starts, so a port in use is one plain line, not mkdocs'
    traceback after a whole build.
    """
    host, _, port = addr.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        return f"`{addr}` is not IP:PORT"
    try:
        family, kind, proto, _name, where = socket.getaddrinfo(
            host.strip("[]"), int(port), type=socket.SOCK_STREAM
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as mkdocs serve
            probe.bind(where)
    except OSError as exc:
        return f"cannot listen on {addr}: {exc.strerror or exc}"
    return None


def serve(paths: Paths, addr: str, rebuild: Callable[[], bool]) -> int:
    """Build, serve on `addr` and rebuild on every change until Ctrl-C (exit 0); exit 1 if
    mkdocs serve stops by itself (a broken mkdocs.yml), 2 if it cannot listen on `addr`."""
    problem = unusable(addr)
    if problem is not None:
        say(f"{problem}; choose another with --dev-addr")
        return 2
    child: subprocess.Popen[bytes] | None = None
    try:
        with stopped_by_sigterm():
            if not safely(rebuild):
                say(_failed(paths))
            if _built(paths):
                child = start_mkdocs(paths, addr)
            say(f"watching {WATCH_FILES}; Ctrl-C stops")
            for changed in changes(paths):
                if changed:
                    shown = ", ".join(sorted(paths.display(Path(p)) for p in changed))
                    say(f"changed: {shown}; building")
                    if not safely(rebuild):
                        say(_failed(paths))
                if child is None and _built(paths):  # the first build that succeeded
                    child = start_mkdocs(paths, addr)
                if child is not None and child.poll() is not None:
                    say(f"mkdocs serve stopped (exit {child.returncode})")
                    return 1
    except KeyboardInterrupt:
        say("stopping")
    finally:
        stop(child)
    return 0


def _failed(paths: Paths) -> str:
    if _built(paths):
        return "the last good site is still served; fix the findings above"
    return "nothing to serve yet: the site is served once the findings above are fixed"


def _built(paths: Paths) -> bool:
    """A build has succeeded here once, so mkdocs serve has pages to show."""
    return (paths.out / MARKER).is_file()
