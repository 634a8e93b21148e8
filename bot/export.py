"""Files for Slack: every matching session as CSV, a session's whole log as text.

Pure functions; the answer uploads what they return. Cells that a spreadsheet would
run as a formula (``=``, ``+``, ``-``, ``@`` first) are quoted with a leading ``'``,
since session metadata comes from whoever started the session.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.models import Session, SessionLog, format_time

COLUMNS = (
    "id",
    "status",
    "created_at",
    "started_at",
    "ended_at",
    "expires_at",
    "duration_seconds",
    "keep_alive",
    "region",
    "proxy_bytes",
    "context_id",
    "inspector_url",
    "metadata",
)
# Past this, a log file is cut: Slack takes far larger files, people read far less.
MAX_LOG_BYTES = 5_000_000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEVER = datetime.min.replace(tzinfo=UTC)


def sessions_csv(sessions: Sequence[Session], *, now: datetime) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for session in sessions:
        duration = session.duration_seconds(now)
        writer.writerow(
            _safe(value)
            for value in (
                session.id,
                session.status,
                _time(session.created_at),
                _time(session.started_at),
                _time(session.ended_at),
                _time(session.expires_at),
                "" if duration is None else round(duration),
                "yes" if session.keep_alive else "no",
                session.region or "",
                session.proxy_bytes,
                session.context_id or "",
                session.inspector_url,
                json.dumps(session.user_metadata, sort_keys=True)
                if session.user_metadata
                else "",
            )
        )
    return out.getvalue()


def logs_text(session_id: str, logs: Sequence[SessionLog]) -> str:
    """One line per CDP call: time, page, method, then its params and result."""
    lines = [f"# Browserbase session {session_id}: {len(logs)} CDP log entries"]
    size = len(lines[0])
    for entry in sorted(logs, key=lambda log: log.timestamp or _NEVER):
        when = _time(entry.timestamp) or "-"
        line = f"{when} page={entry.page_id or '-'} {entry.method}"
        if entry.request_params:
            line += f" params={json.dumps(entry.request_params, sort_keys=True)}"
        if entry.response_result:
            line += f" result={json.dumps(entry.response_result, sort_keys=True)}"
        size += len(line) + 1
        if size > MAX_LOG_BYTES:
            lines.append("# ... cut here: the rest is in the Session Inspector")
            break
        lines.append(line)
    return "\n".join(lines) + "\n"


def _time(value: datetime | None) -> str:
    return "" if value is None else format_time(value)


def _safe(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
