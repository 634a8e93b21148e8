"""Admin views (permissions, audit, alert state, bot status) and the Home tab."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.views.actions import TERMINATE
from bot.views.admin import (
    AuditEntry,
    BotStatus,
    ChannelAlertState,
    Subscription,
    alerts_state_view,
    audit_view,
    muted_view,
    permission_denied_view,
    status_view,
    subscribed_view,
    terminate_failed_view,
    unmuted_view,
    unsubscribed_view,
)
from bot.views.home import home_view
from tests.views_support import (
    HOSTILE_METADATA,
    NOW,
    assert_block_kit_limits,
    assert_inert,
    buttons,
    make_session,
    mrkdwn_of,
    running,
    sign,
)


def bot_status(**changes: Any) -> BotStatus:
    """A healthy bot that polled 20 s ago; keyword arguments override fields."""
    fields: dict[str, Any] = {
        "version": "0.1.0",
        "last_poll_at": NOW - timedelta(seconds=20),
        "last_poll_ok": True,
        "last_poll_error": None,
        "outage_since": None,
        "sessions_tracked": 12,
        "alerts_pending": 0,
        "alerts_failed": 0,
        "mutes": {},
        "poll_interval": 60.0,
    }
    fields.update(changes)
    return BotStatus(**fields)


def test_permission_denied_with_no_admins_says_how_to_allow() -> None:
    """With no admins configured the answer says exactly how to configure them."""
    message = permission_denied_view(admins=[], action="terminate sessions")

    expected = (
        "Nobody can terminate sessions yet: set BBSLACK_ADMINS to a comma-separated "
        "list of Slack user or user-group IDs and restart the bot."
    )
    assert expected == message["text"]
    assert_block_kit_limits(message)


def test_permission_denied_mentions_users_and_groups() -> None:
    """Admins are mentioned as users or user groups; odd ids are never mentions."""
    message = permission_denied_view(
        admins=["U0ADMIN", "S0ONCALL", "<!channel>"], action="terminate sessions"
    )

    text = message["blocks"][0]["text"]["text"]
    assert "<@U0ADMIN>" in text
    assert "<!subteam^S0ONCALL>" in text
    assert "`BBSLACK_ADMINS`" in text
    assert "restarts the bot" in text
    assert_inert(message)


def test_terminate_failed_view_escapes_the_reason() -> None:
    """The failure names the session and the reason, escaped."""
    message = terminate_failed_view("abc12345-6789", "Browserbase answered <!here> 503")

    text = message["blocks"][0]["text"]["text"]
    assert "Could not terminate session `abc12345`" in text
    assert "&lt;!here&gt; 503" in text
    assert "left as it was" in text
    assert_block_kit_limits(message)
    assert_inert(message)


def _entry(minutes_ago: int, result: str, **changes: Any) -> AuditEntry:
    fields: dict[str, Any] = {
        "at": NOW - timedelta(minutes=minutes_ago),
        "user_id": "U0ADMIN",
        "session_id": "abc12345-6789",
        "channel_id": "C0ALERTS",
        "action": "terminate",
        "result": result,
        "detail": None,
    }
    fields.update(changes)
    return AuditEntry(**fields)


def test_audit_view_lists_newest_first_with_result_icons() -> None:
    """Termination attempts read newest first, each with its result's icon."""
    entries = [
        _entry(30, "released"),
        _entry(5, "refused"),
        _entry(10, "already_ended"),
        _entry(1, "failed", detail="Browserbase <!channel> timed out"),
    ]

    message = audit_view(entries, now=NOW)

    text = message["blocks"][1]["text"]["text"]
    results = [line.split("*")[1] for line in text.splitlines()]
    assert ["failed", "refused", "already ended", "released"] == results
    assert text.splitlines()[1].startswith(":no_entry:")
    assert text.splitlines()[3].startswith(":stop_sign:")
    assert "<@U0ADMIN>" in text
    assert "<#C0ALERTS>" in text
    assert_inert(message)


def test_audit_view_of_many_hostile_entries_stays_within_limits() -> None:
    """Hundreds of long, hostile entries still make one valid, inert message."""
    entries = [
        _entry(
            i, "rejected", user_id="<!here>", channel_id="<!channel>", detail="x" * 900
        )
        for i in range(300)
    ]

    message = audit_view(entries, now=NOW)

    assert_block_kit_limits(message)
    assert_inert(message)


def test_audit_view_empty() -> None:
    """No entries reads as no attempts yet."""
    message = audit_view([], now=NOW)

    assert "No termination attempts yet" in message["text"]
    assert_block_kit_limits(message)


def test_alerts_state_view_shows_subscriptions_mute_and_commands() -> None:
    """The channel's alert state lists filters, the mute, deliveries and commands."""
    state = ChannelAlertState(
        channel_id="C0ALERTS",
        subscriptions=[
            Subscription("C0ALERTS", "errors", {"team": "<!channel>"}, "U0ADMIN"),
            Subscription("C0ALERTS", "timeouts", {}, None),
        ],
        muted_until=NOW + timedelta(minutes=30),
        is_default_channel=False,
        pending=2,
        failed=1,
        last_failure="not_in_channel <@U0BAD>",
        last_posted_at=NOW - timedelta(minutes=5),
    )

    message = alerts_state_view(state, now=NOW)

    text = mrkdwn_of(message)
    assert "`errors` for sessions with `team=&lt;!channel&gt;`" in text
    assert "`timeouts` for every session" in text
    assert ":mute: Muted until" in text
    assert "2 pending, 1 failed" in text
    assert "/browserbase alerts unsubscribe" in text
    assert "/browserbase alerts mute 2h" in text
    assert_block_kit_limits(message)
    assert_inert(message)


def test_alerts_state_view_explains_the_default_channel() -> None:
    """Without subscriptions the default channel is told why it still gets alerts."""
    state = ChannelAlertState("C0ALERTS", [], None, True, 0, 0, None, None)

    text = mrkdwn_of(alerts_state_view(state, now=NOW))

    assert "default alert channel" in text
    assert ":bell: Not muted." in text


def test_status_view_healthy() -> None:
    """A recent successful poll reads as healthy."""
    message = status_view(bot_status(), now=NOW)

    assert "bbslack is healthy" == message["text"]
    assert "Last poll 20 s ago: OK" in mrkdwn_of(message)
    assert_block_kit_limits(message)


def test_status_view_reports_an_outage_and_the_error() -> None:
    """During an outage the view says since when, and that alerts will catch up."""
    status = bot_status(
        last_poll_ok=False,
        last_poll_error="Browserbase is unreachable <!channel>",
        outage_since=NOW - timedelta(minutes=7),
        alerts_pending=4,
        alerts_failed=1,
        mutes={"C0ALERTS": NOW + timedelta(hours=1), "C0OLD": NOW - timedelta(hours=1)},
    )

    message = status_view(status, now=NOW)

    text = mrkdwn_of(message)
    assert "bbslack is degraded" == message["text"]
    assert "Browserbase has been unreachable since <!date^" in text
    assert "alerts will catch up when it recovers" in text
    assert "4 pending, 1 failed" in text
    assert "<#C0ALERTS> until" in text
    assert "C0OLD" not in text
    assert_inert(message)


def test_status_view_flags_a_stuck_poller() -> None:
    """A last poll far older than the interval is called out."""
    message = status_view(bot_status(last_poll_at=NOW - timedelta(hours=1)), now=NOW)

    assert "bbslack is degraded" == message["text"]
    assert "is the bot stuck?" in mrkdwn_of(message)


@pytest.mark.parametrize(
    "message",
    [
        subscribed_view(
            channel_id="C0ALERTS", kinds="errors", metadata={"a": "<!here>"}
        ),
        subscribed_view(channel_id="C0ALERTS", kinds="all", metadata={}, created=False),
        unsubscribed_view(channel_id="C0ALERTS", removed=2),
        unsubscribed_view(channel_id="C0ALERTS", removed=0),
        muted_view(NOW + timedelta(hours=1), by="U0ADMIN"),
        unmuted_view(by="<!channel>"),
    ],
)
def test_confirmations_are_one_safe_line(message: dict[str, Any]) -> None:
    """Every confirmation is a single section with a fallback, and stays inert."""
    assert 1 == len(message["blocks"])
    assert_block_kit_limits(message)
    assert_inert(message)


def test_muted_view_says_until_when_and_how_to_undo() -> None:
    """The mute confirmation names its end and the unmute command."""
    text = muted_view(NOW + timedelta(hours=1))["blocks"][0]["text"]["text"]

    assert "until <!date^" in text
    assert "`/browserbase alerts unmute`" in text


def test_home_view_gives_admins_terminate_buttons() -> None:
    """Admins see a confirmed Terminate button on each running keep-alive session."""
    view = home_view(
        status=bot_status(),
        keepalive=[running(90, id="old-00000"), running(5, id="new-00000")],
        recent_alerts=[make_session()],
        now=NOW,
        sign=sign,
        is_admin=True,
    )

    terminates = [b for b in buttons(view) if b["action_id"] == TERMINATE]
    assert ["old-00000.signed", "new-00000.signed"] == [b["value"] for b in terminates]
    assert all("danger" == b["style"] and "confirm" in b for b in terminates)
    assert "home" == view["type"]
    assert_block_kit_limits(view)


def test_home_view_hides_terminate_from_others() -> None:
    """Someone who is not an admin sees the sessions but no Terminate button."""
    view = home_view(
        status=bot_status(),
        keepalive=[running()],
        recent_alerts=[],
        now=NOW,
        sign=sign,
        is_admin=False,
    )

    text = mrkdwn_of(view)
    assert not [b for b in buttons(view) if b["action_id"] == TERMINATE]
    assert "Only admins" in text
    assert "No alerts yet." in text
    assert "`/browserbase keepalive`" in text


def test_home_view_with_many_hostile_sessions_stays_within_limits() -> None:
    """Many sessions with hostile metadata still give a valid, inert Home tab."""
    sessions = [
        running(i, id=f"ka{i:06d}", user_metadata=HOSTILE_METADATA) for i in range(80)
    ]
    alerts = [
        make_session(id=f"al{i:06d}", user_metadata=HOSTILE_METADATA) for i in range(80)
    ]

    view = home_view(
        status=bot_status(last_poll_ok=False, last_poll_error="<!channel>"),
        keepalive=sessions,
        recent_alerts=alerts,
        now=NOW,
        sign=sign,
        is_admin=True,
    )

    assert_block_kit_limits(view)
    assert_inert(view)
