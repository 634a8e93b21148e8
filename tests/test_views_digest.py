"""The daily digest as a message: counts, usage growth, keep-alive sessions."""

from __future__ import annotations

from datetime import timedelta

from bot.models import Usage
from bot.views.digest import DigestData, digest_message, digest_set_view
from tests.views_support import (
    HOSTILE_METADATA,
    NOW,
    assert_block_kit_limits,
    assert_inert,
    mrkdwn_of,
    running,
)


def data(**changes: object) -> DigestData:
    fields: dict[str, object] = {
        "since": NOW - timedelta(hours=24),
        "until": NOW,
        "failures": {"ERROR": 3, "TIMED_OUT": 1},
        "alerts": {"sent": 4, "muted": 2, "failed": 1},
        "keepalive": [running(90, user_metadata=HOSTILE_METADATA)],
        "usage": Usage(browser_minutes=1200, proxy_bytes=5_000_000),
        "usage_growth": Usage(browser_minutes=300, proxy_bytes=1_000_000),
    }
    fields.update(changes)
    return DigestData(**fields)  # type: ignore[arg-type]


def test_digest_counts_the_day_and_how_usage_grew() -> None:
    """Errors, timeouts, minutes gained and alerts held or failed are all there."""
    message = digest_message(data(), now=NOW)
    text = mrkdwn_of(message)

    assert "3 errors" in message["text"] and "1 timeout" in message["text"]
    assert "+300 min (1200 min in all)" in text
    assert "2 held by a mute" in text
    assert "1 failed" in text
    assert "up 1 h 30 min" in text
    assert_block_kit_limits(message)
    assert_inert(message)


def test_digest_without_usage_or_history_still_reads_well() -> None:
    """A first digest (no earlier usage) and an unreachable usage both say so."""
    first = mrkdwn_of(digest_message(data(usage_growth=None), now=NOW))
    blank = mrkdwn_of(digest_message(data(usage=None, keepalive=[]), now=NOW))

    assert "*Browser minutes*\n1200 min in all" in first
    assert "unavailable right now" in blank
    assert "Still running" not in blank


def test_digest_confirmation_names_the_time_in_utc() -> None:
    """Setting a digest says when, in UTC, and how to stop it."""
    message = digest_set_view(channel_id="C0ALERTS", at_minute=9 * 60 + 5, by="U0ALICE")

    assert "09:05 UTC" in mrkdwn_of(message)
    assert "alerts digest off" in mrkdwn_of(message)
