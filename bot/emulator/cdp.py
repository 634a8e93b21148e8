"""Made-up but realistic browser activity: session logs, live view URLs, replays.

Logs are Chrome DevTools Protocol traffic. Commands (``Page.navigate``,
``Runtime.evaluate``) carry a ``request`` with their params and a ``response`` with
their result; events (``Network.loadingFailed``, ``Runtime.consoleAPICalled``,
``Runtime.exceptionThrown``) carry their params in ``response.result``. Everything is
derived from the session, so the same session always has the same logs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

from bot.emulator import wire
from bot.emulator.state import EmulatedSession
from bot.models import ERROR

SHOP = "https://shop.example.com/"
BROKEN_HOST = "https://checkout.example.invalid/"
PAGE_TITLE = "Example Shop"
_FAILING_REQUEST = "1000.42"


def _hex_id(session_id: str, salt: str) -> str:
    """A CDP-style identifier (32 upper-case hex digits), stable per session."""
    digest = hashlib.sha256(f"{salt}:{session_id}".encode()).hexdigest()
    return digest[:32].upper()


def _entry(
    session: EmulatedSession,
    method: str,
    at: datetime,
    *,
    params: dict[str, Any] | None = None,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    stamp = wire.epoch_ms(at)
    entry: dict[str, Any] = {
        "method": method,
        "pageId": 0,
        "sessionId": session.id,
        "frameId": _hex_id(session.id, "frame"),
        "loaderId": _hex_id(session.id, "loader"),
        "timestamp": stamp,
    }
    if params is not None:
        entry["request"] = {
            "timestamp": stamp,
            "params": params,
            "rawBody": json.dumps({"method": method, "params": params}),
        }
    if result is not None:
        entry["response"] = {
            "timestamp": stamp + 40,
            "result": result,
            "rawBody": json.dumps({"result": result}),
        }
    return entry


def _navigate(
    session: EmulatedSession, at: datetime, url: str, error: str | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "frameId": _hex_id(session.id, "frame"),
        "loaderId": _hex_id(session.id, "loader"),
    }
    if error is not None:
        result["errorText"] = error
    return _entry(session, "Page.navigate", at, params={"url": url}, result=result)


def _console(
    session: EmulatedSession, at: datetime, level: str, text: str
) -> dict[str, Any]:
    event = {
        "type": level,
        "args": [{"type": "string", "value": text}],
        "executionContextId": 1,
        "timestamp": wire.epoch_ms(at),
    }
    return _entry(session, "Runtime.consoleAPICalled", at, result=event)


def _exception(session: EmulatedSession, at: datetime, text: str) -> dict[str, Any]:
    event = {
        "timestamp": wire.epoch_ms(at),
        "exceptionDetails": {
            "exceptionId": 1,
            "text": "Uncaught",
            "lineNumber": 0,
            "columnNumber": 2345,
            "url": SHOP + "app.js",
            "exception": {
                "type": "object",
                "subtype": "error",
                "className": text.split(":", 1)[0],
                "description": f"{text}\n    at {SHOP}app.js:1:2345",
            },
        },
    }
    return _entry(session, "Runtime.exceptionThrown", at, result=event)


def _request_sent(
    session: EmulatedSession, at: datetime, url: str, method: str
) -> dict[str, Any]:
    event = {
        "requestId": _FAILING_REQUEST,
        "loaderId": _hex_id(session.id, "loader"),
        "documentURL": SHOP,
        "timestamp": wire.epoch_ms(at) / 1000,
        "type": "XHR",
        "request": {"url": url, "method": method, "headers": {}},
    }
    return _entry(session, "Network.requestWillBeSent", at, result=event)


def _network_failed(
    session: EmulatedSession, at: datetime, error: str
) -> dict[str, Any]:
    event = {
        "requestId": _FAILING_REQUEST,
        "timestamp": wire.epoch_ms(at) / 1000,
        "type": "XHR",
        "errorText": error,
        "canceled": False,
    }
    return _entry(session, "Network.loadingFailed", at, result=event)


def _response(
    session: EmulatedSession, at: datetime, url: str, status: int
) -> dict[str, Any]:
    event = {
        "requestId": "1000.7",
        "loaderId": _hex_id(session.id, "loader"),
        "timestamp": wire.epoch_ms(at) / 1000,
        "type": "Document",
        "response": {
            "url": url,
            "status": status,
            "statusText": HTTPStatus(status).phrase,
            "mimeType": "text/html",
        },
    }
    return _entry(session, "Network.responseReceived", at, result=event)


def session_logs(session: EmulatedSession, now: datetime) -> list[dict[str, Any]]:
    """The session's CDP log, as far as it got by ``now``."""
    if session.logs == "none":
        return []
    # Spread over the session's whole (planned) life, so an entry keeps its time from
    # one call to the next while a live session's log grows.
    start = session.started_at
    end = session.ended_at or session.due_end()[0]
    span = max(0.0, (end - start).total_seconds())

    def at(fraction: float) -> datetime:
        return start + timedelta(seconds=span * fraction)

    entries = [
        _entry(session, "Page.enable", at(0.0), params={}, result={}),
        _navigate(session, at(0.05), SHOP),
        _response(session, at(0.1), SHOP, 200),
        _console(session, at(0.2), "log", "app ready"),
    ]
    if session.logs == "failures":
        entries.extend(_failures(session, at))
    until = wire.epoch_ms(now)
    return [entry for entry in entries if entry["timestamp"] <= until]


def _failures(
    session: EmulatedSession, at: Callable[[float], datetime]
) -> list[dict[str, Any]]:
    if session.status == ERROR or session.end_status == ERROR:
        return [
            _response(session, at(0.4), SHOP + "api/cart", 500),
            _console(
                session,
                at(0.5),
                "error",
                "Failed to load resource: the server responded with a status of 500",
            ),
            _navigate(session, at(0.7), BROKEN_HOST, "net::ERR_NAME_NOT_RESOLVED"),
            _exception(
                session,
                at(0.9),
                "TypeError: Cannot read properties of undefined (reading 'total')",
            ),
        ]
    return [
        _request_sent(session, at(0.3), SHOP + "api/checkout", "POST"),
        _network_failed(session, at(0.4), "net::ERR_TIMED_OUT"),
        _console(session, at(0.5), "warning", "Still waiting for #pay-button"),
        _exception(
            session,
            at(0.9),
            "TimeoutError: Waiting for selector `#pay-button` failed: "
            "timeout 30000ms exceeded",
        ),
    ]


def live_urls(session: EmulatedSession) -> dict[str, Any]:
    """The live view URLs; a session that has ended has no pages left."""
    base = f"{wire.FAKE_HOST}/debug/{session.id}/devtools"
    page_id = _hex_id(session.id, "page")
    pages = []
    if session.is_live:
        page_ws = f"{base}/page/{page_id}"
        pages.append(
            {
                "id": page_id,
                "url": SHOP,
                "faviconUrl": SHOP + "favicon.ico",
                "title": PAGE_TITLE,
                "debuggerUrl": f"https://{wire.FAKE_HOST}/devtools/"
                f"inspector.html?wss={page_ws}",
                "debuggerFullscreenUrl": f"https://{wire.FAKE_HOST}/devtools-"
                f"fullscreen/inspector.html?wss={page_ws}",
            }
        )
    return {
        "debuggerFullscreenUrl": f"https://{wire.FAKE_HOST}/devtools-fullscreen/"
        f"inspector.html?wss={base}/browser",
        "debuggerUrl": f"https://{wire.FAKE_HOST}/devtools/inspector.html"
        f"?wss={base}/browser",
        "wsUrl": f"wss://{base}/browser",
        "pages": pages,
    }


def replays(session: EmulatedSession, now: datetime) -> dict[str, Any]:
    """One recorded page covering the session's life so far."""
    end = session.ended_at or now
    page = {
        "pageId": _hex_id(session.id, "page"),
        "url": SHOP,
        "startTimeMs": wire.epoch_ms(session.started_at),
        "endTimeMs": wire.epoch_ms(max(end, session.started_at)),
    }
    return {"pages": [page], "pageCount": 1}
