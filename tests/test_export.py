"""Files the bot uploads: sessions as CSV, a session's log as text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from bot.export import logs_text, sessions_csv
from bot.models import Session, SessionLog

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def session(**changes: object) -> Session:
    data = {
        "id": "sess-1",
        "status": "ERROR",
        "projectId": "p",
        "createdAt": "2026-12-03T13:00:00.000Z",
        "startedAt": "2026-12-03T13:00:00.000Z",
        "endedAt": "2026-12-03T13:00:42.000Z",
        "expiresAt": "2026-12-03T13:05:00.000Z",
        "updatedAt": "2026-12-03T13:00:42.000Z",
        "region": "us-west-2",
        "proxyBytes": 1234,
        "keepAlive": False,
        "userMetadata": {"job": "nightly"},
    }
    data.update(changes)
    return Session.from_api(data)


def test_sessions_csv_has_a_row_per_session_with_its_facts() -> None:
    """Every session becomes one row a spreadsheet can read."""
    rows = list(csv.DictReader(io.StringIO(sessions_csv([session()], now=NOW))))

    assert 1 == len(rows)
    assert "sess-1" == rows[0]["id"]
    assert "42" == rows[0]["duration_seconds"]
    assert '{"job": "nightly"}' == rows[0]["metadata"]
    assert "https://www.browserbase.com/sessions/sess-1" == rows[0]["inspector_url"]


def test_sessions_csv_defuses_spreadsheet_formulas_from_metadata() -> None:
    """Metadata that starts like a formula is kept as text, never run."""
    hostile = session(id="=HYPERLINK(1)", region="+cmd", userMetadata={})

    [row] = csv.DictReader(io.StringIO(sessions_csv([hostile], now=NOW)))

    assert "'=HYPERLINK(1)" == row["id"]
    assert "'+cmd" == row["region"]


def test_logs_text_lists_calls_in_time_order_even_without_timestamps() -> None:
    """Entries are sorted by time; an entry without one comes first, not a crash."""
    logs = [
        SessionLog.from_api(
            {
                "method": "Page.navigate",
                "timestamp": 1796306402000,
                "request": {"params": {"url": "https://a.example"}},
            }
        ),
        SessionLog.from_api({"method": "Runtime.enable"}),
    ]

    text = logs_text("sess-1", logs)

    lines = text.splitlines()
    assert "2 CDP log entries" in lines[0]
    assert "Runtime.enable" in lines[1]
    assert 'params={"url": "https://a.example"}' in lines[2]
