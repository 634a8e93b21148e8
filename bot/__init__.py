"""bbslack: a Slack bot for teams that run browsers on Browserbase."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bbslack")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+local"
