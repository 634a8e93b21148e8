"""Keep-alive views: the warning, the list, and every step of a Terminate click."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.views.actions import OPEN_LINK, SHARE, TERMINATE
from bot.views.keepalive import (
    MAX_LISTED,
    already_ended_message,
    billed_minutes,
    keepalive_list_view,
    keepalive_warning_message,
    terminate_card,
    terminated_message,
)
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


def terminate_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in buttons(message) if b["action_id"] == TERMINATE]


@pytest.fixture
def warning() -> dict[str, Any]:
    """The warning for a keep-alive session running for 42 min 30 s."""
    session = running(42.5)
    return keepalive_warning_message(session, now=NOW, after_minutes=30, sign=sign)


def test_keepalive_warning_says_age_time_left_and_minutes(
    warning: dict[str, Any],
) -> None:
    """The warning names the session and its age, time left and minutes billed."""
    text = mrkdwn_of(warning)

    assert warning["blocks"][0]["text"]["text"].startswith(
        ":money_with_wings: Keep-alive session `abc12345` has been running for 42 min"
    )
    assert "times out in 1 h" in text
    assert "*Browser minutes so far*\n43" in text
    assert "us-west-2" in text
    assert "job `checkout`" in text
    assert_block_kit_limits(warning)


def test_keepalive_warning_terminate_button_is_red_signed_and_confirmed(
    warning: dict[str, Any],
) -> None:
    """Terminate is a danger button whose value comes from sign and asks first."""
    [button] = terminate_buttons(warning)

    assert "danger" == button["style"]
    assert "abc12345-6789-4abc-8def-0123456789ab.signed" == button["value"]
    confirm = button["confirm"]["text"]["text"]
    assert "abc12345" in confirm
    assert "42 min" in confirm
    assert "job=checkout, env=prod" in confirm
    assert "danger" == button["confirm"]["style"]


def test_keepalive_warning_links_the_inspector(warning: dict[str, Any]) -> None:
    """The warning also offers the Session Inspector as a link button."""
    [link] = [b for b in buttons(warning) if b["action_id"] == OPEN_LINK]

    assert "https://www.browserbase.com/sessions/abc12345" in link["url"]


def test_keepalive_warning_hostile_metadata_fits_the_confirm_dialog() -> None:
    """Long hostile metadata is clipped to the dialog's 300 characters, inert."""
    session = running(user_metadata=HOSTILE_METADATA, region="<!channel>")

    message = keepalive_warning_message(session, now=NOW, after_minutes=30, sign=sign)

    [button] = terminate_buttons(message)
    assert len(button["confirm"]["text"]["text"]) <= 300
    assert "abc12345" in button["confirm"]["text"]["text"]
    assert_block_kit_limits(message)
    assert_inert(message)


def test_billed_minutes_rounds_up_and_is_at_least_one() -> None:
    """Browserbase bills every started minute, and at least one."""
    assert 1 == billed_minutes(running(0), NOW)
    assert 3 == billed_minutes(running(2.1), NOW)


def test_keepalive_list_is_oldest_first_with_a_button_each() -> None:
    """Each running session has its own confirmed Terminate button, oldest first."""
    sessions = [running(10, id="young-000"), running(300, id="oldest-00")]

    message = keepalive_list_view(
        sessions, now=NOW, sign=sign, command_text="keepalive", public=True
    )

    values = [button["value"] for button in terminate_buttons(message)]
    assert ["oldest-00.signed", "young-000.signed"] == values
    assert all("confirm" in button for button in terminate_buttons(message))
    assert "2 keep-alive sessions are running" in message["blocks"][0]["text"]["text"]
    assert_block_kit_limits(message)


def test_keepalive_list_empty_says_none_are_running() -> None:
    """With nothing running the answer is one friendly line."""
    ended = make_session(keep_alive=True, status="COMPLETED")

    message = keepalive_list_view(
        [ended], now=NOW, sign=sign, command_text="keepalive", public=False
    )

    expected = ":sparkles: No keep-alive sessions are running."
    assert expected == message["blocks"][0]["text"]["text"]
    assert [] == buttons(message)


def test_keepalive_list_of_many_stays_under_fifty_blocks() -> None:
    """Past the first 20 sessions the list says how many more, within 50 blocks."""
    sessions = [
        running(index, id=f"ka{index:06d}", user_metadata=HOSTILE_METADATA)
        for index in range(60)
    ]

    message = keepalive_list_view(
        sessions, now=NOW, sign=sign, command_text="keepalive", public=False
    )

    assert MAX_LISTED == len(terminate_buttons(message))
    assert f"… and {60 - MAX_LISTED} more" in mrkdwn_of(message)
    assert_block_kit_limits(message)
    assert_inert(message)


def test_keepalive_list_offers_share_only_when_private() -> None:
    """A private answer can be shared; a shared one has no Share button."""
    private = keepalive_list_view(
        [running()], now=NOW, sign=sign, command_text="keepalive", public=False
    )
    public = keepalive_list_view(
        [running()], now=NOW, sign=sign, command_text="keepalive", public=True
    )

    shares = [b for b in buttons(private) if b["action_id"] == SHARE]
    assert ["keepalive"] == [b["value"] for b in shares]
    assert not [b for b in buttons(public) if b["action_id"] == SHARE]


def test_terminate_card_for_a_live_session_asks_to_confirm() -> None:
    """``/browserbase terminate ID`` shows a confirmed, signed Terminate button."""
    message = terminate_card(running(), now=NOW, sign=sign)

    [button] = terminate_buttons(message)
    assert "danger" == button["style"]
    assert "abc12345-6789-4abc-8def-0123456789ab.signed" == button["value"]
    assert "Terminate keep-alive session `abc12345`?" in mrkdwn_of(message)
    assert_block_kit_limits(message)


def test_terminate_card_for_an_ended_session_has_no_button() -> None:
    """A session that already ended gets a card saying how, and no button."""
    ended = make_session(status="TIMED_OUT", started_at=NOW - timedelta(minutes=5))

    message = terminate_card(ended, now=NOW, sign=sign, default_timeout=300)

    assert [] == buttons(message)
    assert "timed out after 5 min" in message["blocks"][0]["text"]["text"]
    assert "already ended" in message["text"]
    assert_block_kit_limits(message)


def test_terminated_message_says_who_when_and_how_long() -> None:
    """The edited message names the user, the time and the run time, buttons gone."""
    message = terminated_message(
        running(), user_id="U123ABC", at=NOW, ran_for_seconds=3 * 3600 + 12 * 60
    )

    headline = message["blocks"][0]["text"]["text"]
    assert ":stop_sign:" in headline
    assert "terminated by <@U123ABC>" in headline
    assert f"<!date^{int(NOW.timestamp())}^{{time}}|" in headline
    assert headline.endswith("after 3 h 12 min")
    assert [] == buttons(message)
    assert_block_kit_limits(message)


def test_terminated_message_does_not_trust_a_malformed_user_id() -> None:
    """A user id that is not Slack's shape is shown as text, never as a mention."""
    message = terminated_message(
        running(), user_id="<!channel>", at=NOW, ran_for_seconds=60
    )

    assert "&lt;!channel&gt;" in message["blocks"][0]["text"]["text"]
    assert_inert(message)


def test_already_ended_message_names_who_terminated_first() -> None:
    """A second click learns who terminated the session, and gets no button."""
    ended = make_session(status="COMPLETED", keep_alive=True)

    message = already_ended_message(
        ended,
        now=NOW,
        default_timeout=300,
        terminated_by="U0FIRST",
        terminated_at=NOW - timedelta(minutes=1),
    )

    assert "already terminated by <@U0FIRST>" in message["blocks"][0]["text"]["text"]
    assert [] == buttons(message)
    assert_block_kit_limits(message)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("TIMED_OUT", "timed out after 42 s"),
        ("COMPLETED", "was released after 42 s"),
        ("ERROR", "ended in an error after 42 s"),
    ],
)
def test_already_ended_message_says_how_it_ended(status: str, expected: str) -> None:
    """A stale button on a session nobody terminated says how the session ended."""
    session = replace(make_session(status=status), keep_alive=True)

    message = already_ended_message(
        session, now=NOW, default_timeout=300, terminated_by=None, terminated_at=None
    )

    assert expected in message["blocks"][0]["text"]["text"]
    assert expected in message["text"]
    assert [] == buttons(message)
