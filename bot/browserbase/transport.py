"""The HTTP client the bot shares, and when and how long to wait before a retry."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from bot import __version__

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0
POOL_TIMEOUT = 5.0

# The statuses the official SDKs retry: the request timed out, conflicted with a
# change in progress, was rate limited, or met a server fault.
RETRY_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))

# Waits a server may ask for; a longer Retry-After falls back to our own backoff.
MAX_RETRY_AFTER = 60.0
MAX_BACKOFF = 8.0


def build_http_client(
    *, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one HTTP client of the process, for Browserbase; the caller closes it."""
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT, pool=POOL_TIMEOUT),
        limits=httpx.Limits(
            max_connections=20, max_keepalive_connections=10, keepalive_expiry=30.0
        ),
        http1=True,
        http2=False,
        follow_redirects=False,
        headers={"User-Agent": f"bbslack/{__version__}"},
    )


def retry_after_seconds(
    value: str | None, *, now: Callable[[], datetime] | None = None
) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (seconds or HTTP-date).

    None when the header is absent or unreadable; a date in the past is 0.
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        current = now() if now is not None else datetime.now(UTC)
        return max(0.0, (when - current).total_seconds())
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def retry_delay(
    attempt: int,
    retry_after: float | None,
    *,
    jitter: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1 for the first)."""
    if retry_after is not None and 0 <= retry_after <= MAX_RETRY_AFTER:
        return retry_after
    backoff = min(0.5 * 2.0 ** (attempt - 1), MAX_BACKOFF)
    # Up to 25 % shorter, so clients that failed together do not retry together.
    return backoff * (1 - 0.25 * jitter())
