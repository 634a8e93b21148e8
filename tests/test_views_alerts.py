"""Alert views: one failure, a storm, the end of a mute, and edits in place."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.logsummary import LogLine, LogSummary
from bot.models import SESSIONS_URL, Session
from bot.views.actions import DETAILS, MUTE, OPEN_LINK
from bot.views.alerts import (
    alert_message,
    alert_thread_reply,
    group_overflow_message,
    group_summary_message,
    muted_summary_message,
    session_ended_update,
)
from bot.views.keepalive import keepalive_warning_message
from tests.views_support import (
    HOSTILE_METADATA,
    NOW,
    SESSION_ID,
    assert_block_kit_limits,
    assert_inert,
    buttons,
    make_session,
    mrkdwn_of,
)


@pytest.fixture
def summary() -> LogSummary:
    """A debugging summary with a failed request and an exception."""
    return LogSummary(
        lines=(
            LogLine("request", "GET https://shop.test/cart?a=<b> failed: 503"),
            LogLine("exception", "TypeError: cannot read properties of undefined"),
        ),
        total_logs=120,
        failures=2,
    )


def test_alert_message_headline_says_how_it_ended(summary: LogSummary) -> None:
    """An error alert says in words what happened, to which session, after how long."""
    message = alert_message(
        make_session(), now=NOW, default_timeout=300, summary=summary
    )

    headline = message["blocks"][0]["text"]["text"]
    assert ":red_circle: Session `abc12345` ended in an error after 42 s" == headline
    assert message["text"].startswith("Session abc12345 ended in an error after 42 s")
    assert_block_kit_limits(message)


def test_alert_message_timeout_names_the_timeout_and_its_source() -> None:
    """A timeout alert names the timeout in force and that it is the project's."""
    session = make_session(
        status="TIMED_OUT", started_at=NOW - timedelta(minutes=5), ended_at=NOW
    )
    session = replace(session, expires_at=NOW)

    message = alert_message(session, now=NOW, default_timeout=300, summary=None)

    expected = (
        ":alarm_clock: Session `abc12345` timed out after 5 min, its 5-minute "
        "timeout (the project's default)"
    )
    assert expected == message["blocks"][0]["text"]["text"]


def test_alert_message_has_mute_details_and_inspector_buttons(
    summary: LogSummary,
) -> None:
    """The alert offers Mute 1 hour, Details and a link to the Session Inspector."""
    message = alert_message(
        make_session(), now=NOW, default_timeout=300, summary=summary
    )

    found = {button["action_id"]: button for button in buttons(message)}
    assert "3600" == found[MUTE]["value"]
    assert "Mute 1 hour" == found[MUTE]["text"]["text"]
    assert SESSION_ID == found[DETAILS]["value"]
    assert (
        f"https://www.browserbase.com/sessions/{SESSION_ID}" == found[OPEN_LINK]["url"]
    )


def test_alert_message_fields_show_the_facts(summary: LogSummary) -> None:
    """Metadata, region, duration, proxy bytes, keep-alive and times are all shown."""
    message = alert_message(
        make_session(), now=NOW, default_timeout=300, summary=summary
    )

    fields = " ".join(item["text"] for item in message["blocks"][1]["fields"])
    for expected in (
        "job `checkout`",
        "us-west-2",
        "42 s",
        "1.5 MB",
        "*Keep-alive*\nno",
    ):
        assert expected in fields
    assert fields.count("<!date^") == 2


def test_alert_message_log_lines_are_escaped(summary: LogSummary) -> None:
    """Log lines appear as inert code, with their angle brackets escaped."""
    message = alert_message(
        make_session(), now=NOW, default_timeout=300, summary=summary
    )

    text = message["blocks"][2]["text"]["text"]
    assert "2 failures in 120 log entries" in text
    assert "`GET https://shop.test/cart?a=&lt;b&gt; failed: 503`" in text
    assert_inert(message)


def test_alert_message_without_logs_says_so() -> None:
    """No summary reads as logs unavailable; an empty one as no failures."""
    unavailable = alert_message(
        make_session(), now=NOW, default_timeout=None, summary=None
    )
    clean = alert_message(
        make_session(),
        now=NOW,
        default_timeout=None,
        summary=LogSummary(lines=(), total_logs=30, failures=0),
    )

    assert "Logs unavailable" in unavailable["blocks"][2]["text"]["text"]
    assert "No failures in the logs" in clean["blocks"][2]["text"]["text"]


def test_alert_message_hostile_metadata_stays_inert() -> None:
    """Metadata such as ``<!channel>`` is escaped everywhere, clipped, pings no one."""
    session = make_session(user_metadata=HOSTILE_METADATA, region="<!here>" * 100)
    lines = tuple(LogLine("console", "<!channel> " + "y" * 4000) for _ in range(40))
    summary = LogSummary(lines=lines, total_logs=40, failures=40)

    message = alert_message(session, now=NOW, default_timeout=300, summary=summary)

    assert_block_kit_limits(message)
    assert_inert(message)
    assert "&lt;!channel&gt;" in message["text"]


def test_alert_thread_reply_is_compact_with_only_details() -> None:
    """A thread reply keeps the headline and offers just the Details button."""
    reply = alert_thread_reply(
        make_session(user_metadata=HOSTILE_METADATA),
        now=NOW,
        default_timeout=300,
        summary=None,
    )

    assert [DETAILS] == [button["action_id"] for button in buttons(reply)]
    assert len(reply["blocks"]) <= 3
    assert_block_kit_limits(reply)
    assert_inert(reply)


def _storm(count: int) -> list[Session]:
    return [
        make_session(
            id=f"s{index:07d}-storm",
            status="TIMED_OUT" if index % 4 == 0 else "ERROR",
            user_metadata={"job": f"job-{index % 8}"} if index % 10 else {},
        )
        for index in range(count)
    ]


def test_group_summary_counts_by_status_and_metadata() -> None:
    """A storm reads as one message with counts by status and the top 5 values."""
    message = group_summary_message(
        _storm(37), now=NOW, total=37, group_key="job", shown_in_thread=5
    )

    text = mrkdwn_of(message)
    assert ":rotating_light: *37 sessions failed in the last minute*" in text
    assert "27 ended in an error" in text
    assert "10 timed out" in text
    assert "By `job`:" in text
    assert "others" in text
    assert 5 == len(re.findall(r"`job-\d` \d+ ·", text)) + text.count("_not set_")
    assert_block_kit_limits(message)


def test_group_summary_links_the_first_sessions_and_the_dashboard() -> None:
    """At most five sessions are listed, each linked; the rest are on the dashboard."""
    message = group_summary_message(
        _storm(37), now=NOW, total=37, group_key=None, shown_in_thread=5
    )

    text = mrkdwn_of(message)
    assert 5 == text.count("<https://www.browserbase.com/sessions/s")
    assert "Details of the first 5 are in the thread" in text
    assert f"<{SESSIONS_URL}|dashboard>" in text
    assert [MUTE, OPEN_LINK] == [button["action_id"] for button in buttons(message)]


def test_group_summary_hostile_values_stay_inert() -> None:
    """Grouping on a hostile metadata key keeps every value escaped and short."""
    sessions = [
        make_session(id=f"x{index:07d}", user_metadata=HOSTILE_METADATA)
        for index in range(60)
    ]

    message = group_summary_message(
        sessions, now=NOW, total=60, group_key="<!channel>", shown_in_thread=0
    )

    assert_block_kit_limits(message)
    assert_inert(message)


def test_group_overflow_message_links_the_sessions_list() -> None:
    """The last thread reply says how many more and links the sessions list."""
    message = group_overflow_message(32)

    assert "… and 32 more" in message["blocks"][0]["text"]["text"]
    assert f"<{SESSIONS_URL}|sessions list>" in message["blocks"][0]["text"]["text"]
    assert_block_kit_limits(message)


def test_muted_summary_message_tells_what_happened_meanwhile() -> None:
    """The end of a mute says how many failed, how, by metadata, with examples."""
    message = muted_summary_message(
        {"ERROR": 10, "TIMED_OUT": 2},
        muted_since=NOW - timedelta(hours=1),
        muted_until=NOW,
        examples=_storm(3),
        by_key={"checkout": 9, "<!channel>": 3},
        group_key="job",
    )

    text = mrkdwn_of(message)
    assert "12 sessions failed" in text
    assert "10 ended in an error" in text
    assert "By `job`: `checkout` 9" in text
    assert 3 == text.count("<https://www.browserbase.com/sessions/s")
    assert_block_kit_limits(message)
    assert_inert(message)


def test_muted_summary_message_when_nothing_failed() -> None:
    """A quiet mute ends with a single line saying nothing failed."""
    message = muted_summary_message(
        {},
        muted_since=NOW - timedelta(hours=1),
        muted_until=NOW,
        examples=[],
        by_key=None,
    )

    assert 1 == len(message["blocks"])
    assert (
        "Nothing failed while they were muted" in message["blocks"][0]["text"]["text"]
    )
    assert_block_kit_limits(message)


def _warning() -> dict[str, Any]:
    live = make_session(
        status="RUNNING",
        keep_alive=True,
        started_at=NOW - timedelta(minutes=42),
        expires_at=NOW + timedelta(hours=1),
        ended_at=None,
    )
    return keepalive_warning_message(live, now=NOW, after_minutes=30, sign=str.upper)


@pytest.mark.parametrize("kind", ["alert", "warning"])
def test_session_ended_update_removes_every_button(kind: str) -> None:
    """Once the session ended, the edited message has no button of any kind left."""
    original = (
        alert_message(make_session(), now=NOW, default_timeout=300, summary=None)
        if kind == "alert"
        else _warning()
    )
    assert buttons(original)
    ended = make_session(status="COMPLETED", keep_alive=True)

    updated = session_ended_update(original, ended, now=NOW, default_timeout=300)

    assert [] == buttons(updated)
    assert_block_kit_limits(updated)


def test_session_ended_update_rewrites_the_headline_and_keeps_the_rest() -> None:
    """The headline says how it ended; facts stay; live-only numbers go."""
    original = _warning()
    ended = make_session(status="COMPLETED", keep_alive=True)

    updated = session_ended_update(original, ended, now=NOW, default_timeout=300)

    texts = mrkdwn_of(updated)
    assert updated["blocks"][0]["text"]["text"].startswith(
        ":white_check_mark: Keep-alive session `abc12345` was released after"
    )
    assert "job `checkout`" in texts
    assert "Time left" not in texts
    assert "has been running" not in texts
    assert f"<https://www.browserbase.com/sessions/{SESSION_ID}|" in texts


def test_session_ended_update_leaves_the_original_alone() -> None:
    """The function is pure: the dict it was given is not modified."""
    original = alert_message(make_session(), now=NOW, default_timeout=300, summary=None)
    before = copy.deepcopy(original)

    session_ended_update(original, make_session(), now=NOW, default_timeout=300)

    assert before == original


def test_session_ended_update_twice_keeps_one_note() -> None:
    """Editing an edited message again does not pile up notes."""
    original = alert_message(make_session(), now=NOW, default_timeout=300, summary=None)

    once = session_ended_update(original, make_session(), now=NOW, default_timeout=300)
    twice = session_ended_update(once, make_session(), now=NOW, default_timeout=300)

    assert once["blocks"] == twice["blocks"]


def test_session_ended_update_of_a_message_without_blocks_adds_a_headline() -> None:
    """A message Slack returned without blocks still gets a headline and a note."""
    updated = session_ended_update(
        {"text": "old"}, make_session(), now=NOW, default_timeout=None
    )

    assert 2 == len(updated["blocks"])
    assert "ended in an error" in updated["blocks"][0]["text"]["text"]
    assert_block_kit_limits(updated)
