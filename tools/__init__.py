"""Developer tools: the benchmark, timing scripts, screenshots and real-world runs.

They sit outside the `toi_atlas` package on purpose: they need the test extras
(Playwright, Zensical), write into the checkout (docs/performance.md, docs/img/) and
are run from a checkout with `python -m tools.NAME` (see the Makefile), never from an
installed package. `toi_atlas` never imports them; they use its public functions.
"""
