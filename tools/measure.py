"""Running and timing commands for the benchmark and the timing scripts.

One copy of what every measurement needs: run a command with its wall time and peak
RSS, stop when a step that the figures depend on fails, the median, gzip's size, and
the progress lines on stderr.
"""

from __future__ import annotations

import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

GZIP_LEVEL = 6  # gzip's own default; servers use this or less, so 9 would flatter us
GNU_TIME = "/usr/bin/time"


@dataclass(frozen=True)
class Proc:
    seconds: float
    rss_mib: float | None  # peak resident set; None without GNU time
    returncode: int
    output: str  # stdout and stderr, interleaved


def tool(name: str) -> str:
    """A command from this virtualenv first (toi-atlas, mkdocs, zensical), else PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def run_measured(cmd: list[str], cwd: Path) -> Proc:
    """Run `cmd`, returning its wall time and peak RSS.

    The RSS comes from GNU time (`%M`), not from our own wait4: Linux keeps a process's
    high-water mark across exec, so a child forked from this process starts at our
    resident set, and after an in-process 10,000-work build every child would look huge.
    GNU time forks the command from its own small process.
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        rss_file, out_file = Path(tmp) / "rss", Path(tmp) / "out"
        timed = Path(GNU_TIME).is_file()
        argv = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *cmd] if timed else cmd
        with out_file.open("wb") as out:
            start = time.perf_counter()
            try:
                proc = subprocess.run(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
            except OSError as exc:
                return Proc(0.0, None, 127, f"cannot run {argv[0]}: {exc}")
            seconds = time.perf_counter() - start
        text = out_file.read_text(encoding="utf-8", errors="replace")
        # On failure GNU time writes "Command exited with non-zero status N" first.
        lines = rss_file.read_text().split() if timed and rss_file.is_file() else []
        rss = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else None
    return Proc(seconds, rss, proc.returncode, text)


class StepFailed(RuntimeError):
    """A command that must succeed for the figures to mean anything did not."""


def last_line(output: str) -> str:
    """The line of a failed command's output that usually says why (the exception)."""
    lines = [ln.strip() for ln in output.strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else "no output"


def checked(cmd: list[str], cwd: Path) -> Proc:
    proc = run_measured(cmd, cwd)
    if proc.returncode != 0:
        tail = "\n".join(proc.output.strip().splitlines()[-15:])
        shown = " ".join([Path(cmd[0]).name, *cmd[1:]])
        raise StepFailed(f"`{shown}` exited {proc.returncode} in {cwd}:\n{tail}")
    return proc


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))
