"""Exit codes, declared once for every command.

0 clean; 1 findings (errors, warnings with --strict, a dead link, a file `fmt
--check` would change, a failed lookup); 2 usage (bad arguments, or for `add` a
fetched record it cannot use as it is).
"""

from __future__ import annotations

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
