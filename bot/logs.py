"""Logging for the whole process: one handler on the root logger, secrets redacted.

Redaction happens on each line's final text, after the message, its arguments and any
traceback are put together, so a secret cannot slip through whichever part carries it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Iterable
from typing import Any, TextIO

from bot.settings import Settings

REDACTED = "[redacted]"

# Chatty at INFO: Bolt logs request bodies, APScheduler two lines per job run, aiohttp
# one per HTTP request, httpx one per Browserbase call (our client logs its own).
NOISY_LOGGERS = ("slack_bolt", "apscheduler.executors", "aiohttp.access", "httpx")

# Shorter strings are too likely to appear in ordinary text.
_MIN_SECRET_LENGTH = 8
_URL_TAIL = r"[^\s\"'<>]*"
_SHAPES = (
    # Slack tokens: bot, user, app-level, legacy, refresh and rotated.
    (re.compile(r"xox[abeprs](?:\.xox[abeprs])?-[A-Za-z0-9-]+"), REDACTED),
    (re.compile(r"xapp-[A-Za-z0-9-]+"), REDACTED),
    # Browserbase connect URLs authenticate whoever holds them.
    (
        re.compile(rf"(?:wss?|https?)://connect\.{_URL_TAIL}browserbase{_URL_TAIL}"),
        REDACTED,
    ),
    # Credentials inside any URL (user:password@host), such as a Selenium remote URL.
    (
        re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^\s/@\"']+@"),
        rf"\g<scheme>{REDACTED}@",
    ),
    # The value after a sensitive key, in JSON, dict reprs or query strings; the key
    # stays so the line still says what was there.
    (
        re.compile(
            r"(?P<key>(?:signing_?key|connect_?url|selenium_?remote_?url)"
            r"[\"']?\s*[:=]\s*[\"']?)"
            r"[^\s\"',&}]+",
            re.IGNORECASE,
        ),
        rf"\g<key>{REDACTED}",
    ),
)


class Redactor:
    """Replaces known secrets and anything shaped like a credential with a marker."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        known = {s for s in secrets if s and len(s.strip()) >= _MIN_SECRET_LENGTH}
        # Longest first, so a secret containing another is replaced whole.
        ordered = sorted(known, key=len, reverse=True)
        self._known = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str) -> str:
        if self._known is not None:
            text = self._known.sub(REDACTED, text)
        for shape, replacement in _SHAPES:
            text = shape.sub(replacement, text)
        return text


class TextFormatter(logging.Formatter):
    """``2026-12-03T16:07:25Z INFO bot.poller poll finished new=3``, and tracebacks."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            datefmt="%Y-%m-%dT%H:%M:%SZ",
        )
        # UTC, as the Z in the time stamp promises.
        self.converter = time.gmtime
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, and exc_info if any."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        line: dict[str, Any] = {
            "ts": f"{seconds}.{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": self._redact(record.getMessage()),
        }
        if record.exc_info:
            line["exc_info"] = self._redact(self.formatException(record.exc_info))
        if record.stack_info:
            line["stack_info"] = self._redact(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False)


class _Handler(logging.StreamHandler[TextIO]):
    """Ours, so a second `configure_logging` call finds and replaces it."""


def configure_logging(
    level: str,
    fmt: str,
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> None:
    """Send every log line, redacted, to ``stream`` (stderr) as ``text`` or ``json``."""
    if fmt not in ("text", "json"):
        raise ValueError(f"expected log format 'text' or 'json', got {fmt!r}")
    numeric = logging.getLevelNamesMapping().get(level.upper())
    if numeric is None:
        raise ValueError(f"expected a log level such as INFO, got {level!r}")

    redact = Redactor(secrets)
    handler = _Handler(sys.stderr if stream is None else stream)
    formatter = TextFormatter if fmt == "text" else JsonFormatter
    handler.setFormatter(formatter(redact))

    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(numeric)

    # At INFO their chatter drowns ours; their warnings still come through. At DEBUG
    # (or above INFO) they follow the root level again.
    quiet = logging.WARNING if numeric == logging.INFO else logging.NOTSET
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(quiet)


def settings_secrets(settings: Settings) -> tuple[str, ...]:
    """Every secret value in ``settings``, for `configure_logging`'s ``secrets``."""
    values = (
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_signing_secret,
        settings.browserbase_api_key,
    )
    return tuple(v for v in values if v)
