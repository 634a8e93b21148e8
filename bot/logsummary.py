"""A debugging summary from a session's CDP logs: what failed, in a handful of lines.

Browserbase records the Chrome DevTools Protocol traffic of a session. Calls carry their
arguments in ``request.params`` and their answer in ``response.result``; events may sit
in either, or only in a raw JSON body. Every field is optional here and every type is
checked, because a summary that crashes on an odd log is worse than none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.models import SessionLog

LineKind = Literal["navigation", "request", "console", "exception"]

# One line should read at a glance; the Inspector has the rest.
_LINE_CHARS = 300
_URL_CHARS = 160
_RAW_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class LogLine:
    kind: LineKind
    # Outside text, raw: views escape it.
    text: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LogSummary:
    lines: tuple[LogLine, ...]
    total_logs: int
    failures: int


@dataclass(frozen=True, slots=True)
class _Request:
    url: str
    method: str | None


def summarize(logs: Sequence[SessionLog], limit: int = 5) -> LogSummary:
    """The last ``limit`` distinct failures, oldest first, and how many there were.

    Repeats of one failure (a polling script hitting the same 503) collapse into their
    latest line with a count, so five lines show five different problems.
    """
    ordered = _in_time_order(logs)
    requests = _requests(ordered)
    failures = [
        line for log in ordered if (line := _failure(log, requests)) is not None
    ]

    latest: dict[tuple[str, str], tuple[LogLine, int]] = {}
    for line in failures:
        key = (line.kind, line.text)
        _, count = latest.pop(key, (line, 0))
        latest[key] = (line, count + 1)
    distinct = [_counted(line, count) for line, count in latest.values()]

    kept = distinct[-limit:] if limit > 0 else []
    return LogSummary(lines=tuple(kept), total_logs=len(logs), failures=len(failures))


def _counted(line: LogLine, count: int) -> LogLine:
    if count == 1:
        return line
    return LogLine(kind=line.kind, text=f"{line.text} ({count} times)", at=line.at)


def _in_time_order(logs: Sequence[SessionLog]) -> list[SessionLog]:
    """Sorted by timestamp; an entry without one keeps its place after its neighbour."""
    keyed: list[tuple[float, int, SessionLog]] = []
    previous = float("-inf")
    for index, log in enumerate(logs):
        if log.timestamp is not None:
            previous = log.timestamp.timestamp()
        keyed.append((previous, index, log))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [log for _, _, log in keyed]


def _requests(logs: Sequence[SessionLog]) -> dict[str, _Request]:
    """What each network request id asked for: failures name the id, not the URL."""
    found: dict[str, _Request] = {}
    for log in logs:
        if log.method != "Network.requestWillBeSent":
            continue
        params = _event(log)
        request_id = _text(params.get("requestId"))
        request = _mapping(params.get("request"))
        url = _text(request.get("url")) or _text(params.get("documentURL"))
        if request_id and url:
            found[request_id] = _Request(url=url, method=_text(request.get("method")))
    return found


def _failure(log: SessionLog, requests: Mapping[str, _Request]) -> LogLine | None:
    method = log.method
    if method == "Page.navigate":
        return _navigation(log)
    if method == "Network.loadingFailed":
        return _loading_failed(log, requests)
    if method == "Network.responseReceived":
        return _bad_response(log, requests)
    if method == "Runtime.consoleAPICalled":
        return _console_call(log)
    if method == "Log.entryAdded":
        return _log_entry(log)
    if method == "Runtime.exceptionThrown":
        return _exception(log)
    return None


def _navigation(log: SessionLog) -> LogLine | None:
    result = log.response_result or _raw(log.response_raw)
    error = _text(result.get("errorText"))
    if not error:
        return None
    url = _text(log.request_params.get("url")) or "a page"
    return _line("navigation", f"{_short_url(url)} → {error}", log)


def _loading_failed(
    log: SessionLog, requests: Mapping[str, _Request]
) -> LogLine | None:
    params = _event(log)
    # Aborted requests (the page moved on before they finished) are noise, not faults.
    if params.get("canceled") is True:
        return None
    error = _text(params.get("errorText")) or "failed"
    blocked = _text(params.get("blockedReason"))
    if blocked:
        error = f"{error} (blocked: {blocked})"
    return _line("request", f"{_request_name(params, requests)} → {error}", log)


def _bad_response(log: SessionLog, requests: Mapping[str, _Request]) -> LogLine | None:
    params = _event(log)
    response = _mapping(params.get("response"))
    status = _number(response.get("status"))
    if status is None or status < 400:
        return None
    reason = _text(response.get("statusText"))
    outcome = f"{status} {reason}" if reason else str(status)
    url = _text(response.get("url"))
    name = _short_url(url) if url else _request_name(params, requests)
    known = requests.get(_text(params.get("requestId")) or "")
    if known is not None and known.method and url:
        name = f"{known.method} {name}"
    return _line("request", f"{name} → {outcome}", log)


def _console_call(log: SessionLog) -> LogLine | None:
    params = _event(log)
    if _text(params.get("type")) not in ("error", "assert"):
        return None
    args = params.get("args")
    parts = [
        part
        for arg in (args if isinstance(args, list) else [])
        if (part := _remote_object(arg))
    ]
    message = " ".join(parts) or "console.error"
    frames = _mapping(params.get("stackTrace")).get("callFrames")
    first = _mapping(frames[0]) if isinstance(frames, list) and frames else {}
    return _line("console", message + _where(first), log)


def _log_entry(log: SessionLog) -> LogLine | None:
    entry = _mapping(_event(log).get("entry"))
    if _text(entry.get("level")) != "error":
        return None
    message = _text(entry.get("text")) or "error"
    return _line("console", message + _where(entry), log)


def _exception(log: SessionLog) -> LogLine | None:
    details = _mapping(_event(log).get("exceptionDetails"))
    exception = _mapping(details.get("exception"))
    described = _text(exception.get("description"))
    # A description carries the whole stack; its first line names the error.
    message = (
        described.splitlines()[0]
        if described
        else _text(details.get("text")) or "Uncaught exception"
    )
    return _line("exception", message + _where(details), log)


def _remote_object(value: object) -> str:
    """A console argument as the console shows it: a value, or a description."""
    arg = _mapping(value)
    inner = arg.get("value")
    if isinstance(inner, str):
        return inner
    if isinstance(inner, int | float | bool):
        return json.dumps(inner)
    described = _text(arg.get("description"))
    return described.splitlines()[0] if described else ""


def _where(frame: Mapping[str, Any]) -> str:
    url = _text(frame.get("url"))
    if not url:
        return ""
    line = _number(frame.get("lineNumber"))
    # CDP counts lines from 0; people and editors count from 1.
    suffix = f":{line + 1}" if line is not None else ""
    return f" (at {_short_url(url)}{suffix})"


def _request_name(params: Mapping[str, Any], requests: Mapping[str, _Request]) -> str:
    request_id = _text(params.get("requestId"))
    known = requests.get(request_id or "")
    if known is None:
        return f"request {request_id}" if request_id else "a request"
    name = _short_url(known.url)
    return f"{known.method} {name}" if known.method else name


def _line(kind: LineKind, text: str, log: SessionLog) -> LogLine:
    flat = " ".join(text.split())
    if len(flat) > _LINE_CHARS:
        flat = flat[: _LINE_CHARS - 1] + "…"
    return LogLine(kind=kind, text=flat, at=log.timestamp)


def _short_url(url: str) -> str:
    """Long query strings and data URLs say little; keep the start."""
    return url if len(url) <= _URL_CHARS else url[: _URL_CHARS - 1] + "…"


def _event(log: SessionLog) -> Mapping[str, Any]:
    """An event's parameters, wherever this log entry keeps them."""
    return log.request_params or log.response_result or _raw(log.response_raw)


def _raw(body: str | None) -> Mapping[str, Any]:
    if not body or len(body) > _RAW_CHARS:
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    data = _mapping(data)
    return _mapping(data.get("params")) or _mapping(data.get("result")) or data


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
