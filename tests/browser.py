"""The browser tests' server and Chromium settings live in the package (shared with the
benchmark and the screenshot script); this module keeps the tests' import short."""

from toi_atlas.localserver import CHROMIUM_ARGS, chromium_path, serve

__all__ = ["CHROMIUM_ARGS", "chromium_path", "serve"]
