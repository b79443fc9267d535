"""What a command prints: findings on stdout, everything else on one log channel.

Findings (`Diagnostic`s) are the command's result, so they go to stdout in the
format asked for (`--format text|github|json`) through `report`, which also turns
them into the exit code. Progress, notes and summaries are for the person at the
terminal: they go through the `toi_atlas` logger to stderr, where `-q` keeps only
warnings and errors and `-v` adds detail. Every line on that channel is made
terminal-safe, because messages quote what servers and files sent.
"""

from __future__ import annotations

import logging
import sys
import unicodedata
from pathlib import Path

from .diagnostics import Diagnostic, failed, render
from .exits import EXIT_FINDINGS, EXIT_OK

LOG = logging.getLogger("toi_atlas")
# Unicode categories that never belong in a field: controls (C0, DEL, C1: ESC starts
# terminal escapes), format characters (bidi overrides U+202A-202E and isolates
# U+2066-2069, zero-width U+200B-200D, U+2060, U+FEFF, tag characters) and lone
# surrogates (not encodable as UTF-8).
INVISIBLE = frozenset({"Cc", "Cf", "Cs"})
LINE_BREAKS = frozenset({"Zl", "Zp"})  # U+2028, U+2029: a line break in disguise


def visible(ch: str) -> str:
    """One character as it may be printed: `\\x1b` for controls, `U+202E` for the rest."""
    code = ord(ch)
    if unicodedata.category(ch) == "Cc" and code < 0x100:
        return f"\\x{code:02x}"
    return f"U+{code:04X}"


def terminal_safe(text: str) -> str:
    """`text` with every control, format, surrogate or line-break character made visible."""
    if text.isprintable():
        return text
    return "".join(
        visible(ch) if unicodedata.category(ch) in INVISIBLE | LINE_BREAKS else ch for ch in text
    )


class _Stderr(logging.Handler):
    """Writes to whatever sys.stderr is at the time (tests capture it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = "\n".join(terminal_safe(line) for line in self.format(record).split("\n"))
            sys.stderr.write(text + "\n")
        except Exception:  # a broken stderr must not turn into a traceback
            self.handleError(record)


def _install() -> None:
    if not any(isinstance(h, _Stderr) for h in LOG.handlers):
        LOG.addHandler(_Stderr())
    LOG.propagate = False  # our channel only: no second copy through the root logger
    LOG.setLevel(logging.INFO)


def set_verbosity(level: int) -> None:
    """-1 (`-q`): warnings and errors only; 0: also progress and summaries; 1 (`-v`): detail."""
    levels = {-1: logging.WARNING, 0: logging.INFO, 1: logging.DEBUG}
    LOG.setLevel(levels[max(-1, min(1, level))])


def display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def report(diags: list[Diagnostic], fmt: str, *, strict: bool = False) -> int:
    """Print findings to stdout in `fmt`; the exit code they call for."""
    out = render(diags, fmt)
    if out:
        sys.stdout.write(out)
    return EXIT_FINDINGS if failed(diags, strict=strict) else EXIT_OK


_install()
