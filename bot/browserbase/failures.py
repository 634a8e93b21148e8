"""Failed Browserbase calls as `bot.errors`, with sentences a Slack user can read.

Messages name the ids involved. Text that comes from Browserbase (its error message)
is flattened to one line, cut to ~200 characters and never carries the API key.
Slack markup is escaped later, by the views.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import httpx

from bot.errors import (
    BadResponse,
    BrowserbaseError,
    Forbidden,
    NotFound,
    RateLimited,
    Unavailable,
)

MESSAGE_LIMIT = 200
ID_LIMIT = 80
ELLIPSIS = "…"

# Answer fields that give control of a browser: never logged, shown or kept.
SECRET_FIELDS = ("connectUrl", "seleniumRemoteUrl", "signingKey")

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True, slots=True)
class Target:
    """What a call is about, so that its errors can name it."""

    label: str  # "session abc123", used inside sentences
    not_found: str  # the whole sentence for a 404


def printable(text: str, limit: int = ID_LIMIT) -> str:
    """``text`` on one line, without control characters, at most ``limit`` long."""
    flat = " ".join(_UNPRINTABLE.sub(" ", text).split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - len(ELLIPSIS)] + ELLIPSIS


def api_message(response: httpx.Response, api_key: str) -> str | None:
    """Browserbase's own explanation in an error answer, made safe to show."""
    text = _explanation(response)
    if not text or any(name in text for name in SECRET_FIELDS):
        return None
    if api_key:
        text = text.replace(api_key, "[API key]")
    return printable(text, MESSAGE_LIMIT) or None


def _explanation(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        text = response.text.strip()
        # An HTML error page from a proxy says nothing a user can act on.
        return None if text.startswith("<") else text
    if isinstance(body, dict):
        for key in ("message", "error"):
            if isinstance(body.get(key), str) and body[key].strip():
                return str(body[key])
    return None


def error_for_status(
    response: httpx.Response,
    target: Target,
    *,
    api_key: str,
    retry_after: float | None = None,
) -> BrowserbaseError:
    """The error for an answer whose status is not a success."""
    status = response.status_code
    if status == 404:
        return NotFound(target.not_found)
    if status == 401:
        return Forbidden(
            "Browserbase refused the API key (HTTP 401): check BROWSERBASE_API_KEY.",
            status_code=401,
        )
    if status == 403:
        return Forbidden(
            f"Browserbase refused the API key for {target.label} (HTTP 403): "
            "check BROWSERBASE_API_KEY and BROWSERBASE_PROJECT_ID."
        )
    if status == 429:
        return rate_limited(retry_after)
    if status == 408 or status >= 500:
        return Unavailable(
            f"Browserbase is having trouble (HTTP {status}); the bot itself is "
            "fine, try again in a minute.",
            status_code=status,
        )
    said = api_message(response, api_key)
    suffix = f': "{said}"' if said else ""
    if status == 409:
        return BadResponse(
            f"Browserbase could not do that for {target.label} right now "
            f"(HTTP 409){suffix}.",
            status_code=409,
        )
    return BadResponse(
        f"Browserbase rejected the request for {target.label} (HTTP {status}){suffix}.",
        status_code=status,
    )


def rate_limited(retry_after: float | None) -> RateLimited:
    if retry_after is None:
        return RateLimited(
            "Browserbase is rate limiting the bot; try again in a minute."
        )
    seconds = max(1, math.ceil(retry_after))
    return RateLimited(
        f"Browserbase is rate limiting the bot; try again in {seconds} s.",
        retry_after=retry_after,
    )


def error_for_transport(
    exc: httpx.HTTPError, timeout: float | None
) -> BrowserbaseError:
    """The error for a call that got no usable answer at all.

    ``timeout`` is the limit that ran out, when ``exc`` is a timeout.
    """
    if isinstance(exc, httpx.DecodingError):
        return BadResponse(
            "Browserbase sent an answer the bot could not decode; try again."
        )
    if isinstance(exc, httpx.TimeoutException) and timeout:
        return timed_out(timeout)
    return Unavailable(
        f"Browserbase could not be reached ({_reason(exc)}); the bot itself is fine."
    )


def timed_out(seconds: float) -> Unavailable:
    """The error for a call that used up the time it was given."""
    return Unavailable(
        f"Browserbase could not be reached (timed out after {seconds:g} s); "
        "the bot itself is fine."
    )


def _reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "the address is not http or https: check BROWSERBASE_BASE_URL"
    if isinstance(exc, httpx.ConnectError):
        return "the connection failed"
    if isinstance(exc, httpx.ProxyError):
        return "the proxy failed"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection was closed early"
    return "the connection broke"


def retryable(exc: httpx.HTTPError) -> bool:
    """Whether a call that failed with ``exc`` may succeed if made again."""
    return isinstance(exc, httpx.TransportError) and not isinstance(
        exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError
    )


def not_json(target: Target, status: int) -> BadResponse:
    return BadResponse(
        f"Browserbase sent an answer for {target.label} that is not JSON "
        f"(HTTP {status}).",
        status_code=status,
    )


def wrong_shape(target: Target, expected: str) -> BadResponse:
    return BadResponse(
        f"Browserbase sent an unexpected answer for {target.label} "
        f"(expected {expected}); its API may have changed."
    )


def describe(exc: BaseException) -> str:
    """A short reason for a retry, for logs: no message text, which may hold URLs."""
    if isinstance(exc, BrowserbaseError) and exc.status_code is not None:
        return f"http_{exc.status_code}"
    return type(exc).__name__
