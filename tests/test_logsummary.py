"""The debugging summary built from a session's CDP logs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.logsummary import LogLine, LogSummary, summarize
from bot.models import SessionLog

T0 = 1_796_313_600_000  # 2026-12-03 16:00:00 UTC, in milliseconds


def cdp(method, at, *, params=None, result=None, raw=None, timestamp=True):
    """One SessionLog as the Browserbase API returns it, parsed by the model."""
    data = {"method": method, "pageId": 0, "sessionId": "sess-1"}
    if timestamp:
        data["timestamp"] = at
    if params is not None:
        data["request"] = {
            "timestamp": at,
            "params": params,
            "rawBody": json.dumps({"id": 7, "method": method, "params": params}),
        }
    if result is not None or raw is not None:
        data["response"] = {
            "timestamp": at + 40,
            "result": result if result is not None else {},
            "rawBody": raw
            if raw is not None
            else json.dumps({"id": 7, "result": result}),
        }
    return SessionLog.from_api(data)


def request_sent(request_id, url, at, method="GET"):
    return cdp(
        "Network.requestWillBeSent",
        at,
        params={
            "requestId": request_id,
            "loaderId": "L1",
            "documentURL": "https://shop.example/checkout",
            "request": {"url": url, "method": method, "headers": {}},
            "timestamp": 1234.5,
            "type": "XHR",
        },
    )


def response_received(request_id, url, status, at, status_text=""):
    return cdp(
        "Network.responseReceived",
        at,
        params={
            "requestId": request_id,
            "loaderId": "L1",
            "timestamp": 1234.9,
            "type": "XHR",
            "response": {
                "url": url,
                "status": status,
                "statusText": status_text,
                "mimeType": "application/json",
            },
        },
    )


def console_error(text, at, level="error"):
    return cdp(
        "Runtime.consoleAPICalled",
        at,
        params={
            "type": level,
            "executionContextId": 3,
            "timestamp": at,
            "args": [{"type": "string", "value": text}],
            "stackTrace": {
                "callFrames": [
                    {
                        "functionName": "pay",
                        "url": "https://shop.example/app.js",
                        "lineNumber": 41,
                        "columnNumber": 7,
                    }
                ]
            },
        },
    )


def test_summarize_failed_navigation_names_url_and_error():
    """A Page.navigate answered with errorText becomes one navigation line."""
    logs = [
        cdp(
            "Page.navigate",
            T0,
            params={"url": "https://shop.example/checkout", "transitionType": "typed"},
            result={
                "frameId": "F1",
                "loaderId": "L1",
                "errorText": "net::ERR_NAME_NOT_RESOLVED",
            },
        ),
        cdp(
            "Page.navigate",
            T0 + 1,
            params={"url": "https://shop.example/"},
            result={"frameId": "F1", "loaderId": "L2"},
        ),
    ]

    summary = summarize(logs)

    assert 1 == summary.failures
    assert 2 == summary.total_logs
    assert (
        LogLine(
            "navigation",
            "https://shop.example/checkout → net::ERR_NAME_NOT_RESOLVED",
            datetime(2026, 12, 3, 16, 0, tzinfo=UTC),
        ),
    ) == summary.lines


def test_summarize_failed_request_takes_url_from_request_will_be_sent():
    """Network.loadingFailed only names a request id; the line shows its URL."""
    logs = [
        request_sent("R7", "https://api.shop.example/cart", T0, method="POST"),
        cdp(
            "Network.loadingFailed",
            T0 + 900,
            params={
                "requestId": "R7",
                "timestamp": 1235.1,
                "type": "XHR",
                "errorText": "net::ERR_CONNECTION_RESET",
                "canceled": False,
            },
        ),
    ]

    summary = summarize(logs)

    assert ["POST https://api.shop.example/cart → net::ERR_CONNECTION_RESET"] == [
        line.text for line in summary.lines
    ]
    assert "request" == summary.lines[0].kind


def test_summarize_ignores_requests_cancelled_by_navigation():
    """An aborted request (the page moved on) is not a failure."""
    logs = [
        request_sent("R1", "https://cdn.shop.example/img.png", T0),
        cdp(
            "Network.loadingFailed",
            T0 + 5,
            params={
                "requestId": "R1",
                "errorText": "net::ERR_ABORTED",
                "canceled": True,
            },
        ),
    ]

    assert LogSummary((), 2, 0) == summarize(logs)


def test_summarize_blocked_request_says_why():
    """A blocked request carries its blocked reason."""
    logs = [
        cdp(
            "Network.loadingFailed",
            T0,
            params={
                "requestId": "R404",
                "errorText": "net::ERR_BLOCKED_BY_CLIENT",
                "blockedReason": "inspector",
            },
        )
    ]

    (line,) = summarize(logs).lines

    assert "request R404 → net::ERR_BLOCKED_BY_CLIENT (blocked: inspector)" == line.text


def test_summarize_http_errors_from_responses_at_400_and_above():
    """Responses with status 400 or more count; 2xx and 3xx do not."""
    logs = [
        request_sent("R1", "https://api.shop.example/cart", T0),
        response_received(
            "R1", "https://api.shop.example/cart", 503, T0 + 1, "Service Unavailable"
        ),
        response_received("R2", "https://shop.example/", 200, T0 + 2, "OK"),
        response_received("R3", "https://shop.example/old", 301, T0 + 3),
        response_received("R4", "https://shop.example/missing.js", 404, T0 + 4),
    ]

    summary = summarize(logs)

    assert [
        "GET https://api.shop.example/cart → 503 Service Unavailable",
        "https://shop.example/missing.js → 404",
    ] == [line.text for line in summary.lines]
    assert 2 == summary.failures


def test_summarize_console_errors_with_their_source_line():
    """console.error and error log entries count, with the place they came from."""
    logs = [
        console_error("payment failed: card declined", T0),
        console_error("just saying hi", T0 + 1, level="log"),
        cdp(
            "Log.entryAdded",
            T0 + 2,
            params={
                "entry": {
                    "source": "javascript",
                    "level": "error",
                    "text": "Refused to load the script",
                    "url": "https://shop.example/checkout",
                    "timestamp": 1.0,
                }
            },
        ),
        cdp(
            "Log.entryAdded",
            T0 + 3,
            params={"entry": {"source": "other", "level": "warning", "text": "slow"}},
        ),
    ]

    summary = summarize(logs)

    assert [
        (
            "console",
            "payment failed: card declined (at https://shop.example/app.js:42)",
        ),
        ("console", "Refused to load the script (at https://shop.example/checkout)"),
    ] == [(line.kind, line.text) for line in summary.lines]


def test_summarize_exception_keeps_first_line_of_stack():
    """An uncaught exception shows its error, not its whole stack."""
    logs = [
        cdp(
            "Runtime.exceptionThrown",
            T0,
            params={
                "timestamp": T0,
                "exceptionDetails": {
                    "exceptionId": 1,
                    "text": "Uncaught",
                    "lineNumber": 9,
                    "columnNumber": 3,
                    "url": "https://shop.example/app.js",
                    "exception": {
                        "type": "object",
                        "subtype": "error",
                        "className": "TypeError",
                        "description": "TypeError: Cannot read properties of "
                        "undefined (reading 'id')\n    at pay (app.js:10:3)",
                    },
                },
            },
        )
    ]

    (line,) = summarize(logs).lines

    assert "exception" == line.kind
    assert (
        "TypeError: Cannot read properties of undefined (reading 'id') "
        "(at https://shop.example/app.js:10)"
    ) == line.text


def test_summarize_keeps_the_last_failures_in_time_order():
    """Out-of-order logs are sorted; the latest ``limit`` stay; all are counted."""
    logs = [console_error(f"error number {n}", T0 + n * 1000) for n in range(8)]
    logs.reverse()

    summary = summarize(logs, limit=3)

    assert 8 == summary.failures
    assert [
        "error number 5",
        "error number 6",
        "error number 7",
    ] == [line.text.split(" (at")[0] for line in summary.lines]
    assert [line.at for line in summary.lines] == sorted(
        line.at for line in summary.lines
    )


def test_summarize_collapses_repeats_into_one_counted_line():
    """The same failure many times takes one line with its count, not all five."""
    logs = [
        response_received(f"R{n}", "https://api.shop.example/poll", 503, T0 + n)
        for n in range(6)
    ]
    logs.append(console_error("checkout broke", T0 + 100))

    summary = summarize(logs)

    assert 7 == summary.failures
    assert [
        "https://api.shop.example/poll → 503 (6 times)",
        "checkout broke (at https://shop.example/app.js:42)",
    ] == [line.text for line in summary.lines]


def test_summarize_reads_event_params_from_the_raw_body():
    """An event whose parameters only sit in a raw JSON body is still understood."""
    raw = json.dumps(
        {
            "method": "Runtime.exceptionThrown",
            "params": {"exceptionDetails": {"text": "Uncaught SyntaxError: oops"}},
        }
    )
    logs = [cdp("Runtime.exceptionThrown", T0, raw=raw)]

    assert ["Uncaught SyntaxError: oops"] == [
        line.text for line in summarize(logs).lines
    ]


def test_summarize_logs_without_timestamps_keep_their_place():
    """Entries without a timestamp keep their order and have no time."""
    logs = [
        console_error("first", T0, level="error"),
        cdp(
            "Runtime.exceptionThrown",
            0,
            params={"exceptionDetails": {"text": "second"}},
            timestamp=False,
        ),
    ]

    summary = summarize(logs)

    assert ["console", "exception"] == [line.kind for line in summary.lines]
    assert summary.lines[1].at is None


def test_summarize_shortens_long_urls_and_lines():
    """A huge URL or message cannot make a line longer than a glance."""
    url = "https://shop.example/search?q=" + "x" * 5000
    logs = [
        cdp(
            "Page.navigate",
            T0,
            params={"url": url},
            result={"errorText": "net::ERR_TIMED_OUT"},
        ),
        console_error("y" * 5000, T0 + 1),
    ]

    summary = summarize(logs)

    assert all(len(line.text) <= 300 for line in summary.lines)
    assert summary.lines[0].text.endswith("… → net::ERR_TIMED_OUT")


@pytest.mark.parametrize(
    "params",
    [
        {"type": "error", "args": "not a list"},
        {"type": "error", "args": [None, 3, {"value": None}], "stackTrace": []},
        {"type": "error", "stackTrace": {"callFrames": "nope"}},
        {"type": ["error"]},
        {"response": "text", "status": "abc"},
        {"response": {"status": "502", "url": 42}},
        {"entry": None},
        {"entry": {"level": "error", "text": 12, "url": None}},
        {"exceptionDetails": ["x"]},
        {"exceptionDetails": {"exception": {"description": None}, "lineNumber": "1"}},
        {"requestId": 5, "errorText": None, "canceled": "yes"},
    ],
)
def test_summarize_tolerates_odd_shapes(params):
    """No field shape, however odd, makes the summary fail."""
    methods = [
        "Runtime.consoleAPICalled",
        "Network.responseReceived",
        "Log.entryAdded",
        "Runtime.exceptionThrown",
        "Network.loadingFailed",
        "Network.requestWillBeSent",
        "Page.navigate",
    ]
    logs = [cdp(method, T0, params=params, raw="{not json") for method in methods]

    summary = summarize(logs)

    assert len(methods) == summary.total_logs
    assert all(isinstance(line.text, str) and line.text for line in summary.lines)


def test_summarize_empty_and_zero_limit():
    """No logs give an empty summary; a zero limit keeps no lines but counts."""
    assert LogSummary((), 0, 0) == summarize([])
    logs = [console_error("boom", T0)]
    assert LogSummary((), 1, 1) == summarize(logs, limit=0)
