"""Keep-alive sessions end to end: found, warned about, terminated safely (issue 5).

Every click is on a button the bot really posted, signed as Slack signs it, sent to a
real `bbslack run`; Browserbase is the emulator, Slack the loopback stand-in.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.views.actions import TERMINATE
from tests.conftest import Emulator, StartBot
from tests.fakes.blockkit import interactive_elements
from tests.fakes.signing import SlackSender, block_actions_payload, click
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_ids import ALERTS, ALICE, BOB
from tests.harness import BotProcess, eventually

pytestmark = pytest.mark.e2e

CAROL = "U0CAROL"
GROUP = "S0ADMINS"
ADMINS = {"BBSLACK_ADMINS": ALICE}


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [element for _, element in interactive_elements(message.get("blocks", []))]


def text_of(message: dict[str, Any]) -> str:
    return str(message.get("text", "")) + str(message.get("blocks", ""))


async def keepalive_session(emulator: Emulator, **fields: Any) -> str:
    # An hour: the project's default timeout (5 min) would end backdated sessions.
    fields.setdefault("timeout", 3600)
    created = await emulator.session(status="RUNNING", keepAlive=True, **fields)
    return str(created["id"])


async def status_of(emulator: Emulator, session_id: str) -> str:
    response = await emulator._http.get(
        f"{emulator.url}/v1/sessions/{session_id}",
        headers={"X-BB-API-Key": emulator.api_key},
    )
    return str(response.json()["status"])


class Clicker:
    """Asks the bot for its cards and clicks their buttons as a Slack user would."""

    def __init__(self, sender: SlackSender, slack: FakeSlack) -> None:
        self.sender = sender
        self.slack = slack

    async def answer(self, text: str, user_id: str = ALICE) -> dict[str, Any]:
        """The bot's answer to ``/browserbase text``."""
        await self.sender.command(text, user_id=user_id)
        assert self.sender.last_response_url is not None
        [response] = await self.slack.wait_for_response(self.sender.last_response_url)
        return response.body

    async def click_ephemeral(
        self,
        answer: dict[str, Any],
        user_id: str,
        *,
        value: str | None = None,
        value_contains: str | None = None,
    ) -> str:
        """Click Terminate on an ephemeral answer; returns the click's response_url."""
        action = click(answer, TERMINATE, value_contains=value_contains)
        if value is not None:
            action["value"] = value
        url = self.slack.response_url()
        payload = block_actions_payload(
            action, message=answer, user_id=user_id, response_url=url, is_ephemeral=True
        )
        assert 200 == (await self.sender.action(payload)).status_code
        return url

    async def click_channel(
        self, message: dict[str, Any], user_id: str, channel: str = ALERTS
    ) -> str:
        """Click Terminate on a message posted in ``channel``."""
        action = click(message, TERMINATE)
        url = self.slack.response_url()
        payload = block_actions_payload(
            action,
            message=message,
            channel_id=channel,
            user_id=user_id,
            response_url=url,
        )
        assert 200 == (await self.sender.action(payload)).status_code
        return url


async def start(
    start_bot: StartBot, sender_for: Any, slack: FakeSlack, **env: str
) -> tuple[BotProcess, Clicker]:
    bot = await start_bot(**env)
    return bot, Clicker(sender_for(bot), slack)


async def audit_rows(bot: BotProcess, count: int) -> None:
    """Wait until ``count`` terminate attempts were logged by the bot."""
    await eventually(
        lambda: count <= sum("terminate attempt" in line for line in bot.lines)
    )


# Finding.


async def test_keepalive_command_lists_running_sessions_with_terminate_and_inspector(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """Only running keep-alive sessions are listed, each with a confirmed red button."""
    first = await keepalive_session(
        emulator, startedAgo=600, userMetadata={"job": "scraper"}
    )
    second = await keepalive_session(emulator, startedAgo=60)
    plain = await emulator.session(status="RUNNING")
    ended = await emulator.session(status="COMPLETED", keepAlive=True)
    _, clicker = await start(start_bot, sender_for, slack, **ADMINS)

    answer = await clicker.answer("keepalive")

    terminates = [b for b in buttons(answer) if b["action_id"] == TERMINATE]
    assert 2 == len(terminates)
    for button in terminates:
        assert "danger" == button["style"]
        assert "Terminate" in button["confirm"]["confirm"]["text"]
    assert first[:8] in terminates[0]["confirm"]["text"]["text"]
    assert "job" in terminates[0]["confirm"]["text"]["text"]
    links = [b["url"] for b in buttons(answer) if "url" in b]
    assert any(first in url for url in links)
    assert any(second in url for url in links)
    assert plain["id"][:8] not in text_of(answer)
    assert ended["id"][:8] not in text_of(answer)


async def test_terminating_from_the_list_keeps_the_other_sessions_listed(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """A click in the ephemeral list ends one session; the others keep their button."""
    first = await keepalive_session(emulator, startedAgo=600)
    second = await keepalive_session(emulator, startedAgo=60)
    _, clicker = await start(start_bot, sender_for, slack, **ADMINS)
    answer = await clicker.answer("keepalive")

    url = await clicker.click_ephemeral(answer, ALICE, value_contains=first)

    await slack.wait_for_response(url)
    await eventually(lambda: any(r.replace_original for r in slack.responses(url)))
    said = " ".join(text_of(r.body) for r in slack.responses(url))
    assert f"terminated by <@{ALICE}>" in said
    [listed] = [r.body for r in slack.responses(url) if r.replace_original]
    [left] = [b for b in buttons(listed) if b["action_id"] == TERMINATE]
    assert left["value"].startswith(second)
    assert 1 == await emulator.releases(first)
    assert 0 == await emulator.releases(second)


# Terminating.


async def test_terminate_command_posts_a_confirmed_card(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """`/browserbase terminate ID` releases nothing: it answers with a card."""
    session_id = await keepalive_session(emulator, userMetadata={"job": "nightly"})
    _, clicker = await start(start_bot, sender_for, slack, **ADMINS)

    card = await clicker.answer(f"terminate {session_id}")

    [button] = [b for b in buttons(card) if b["action_id"] == TERMINATE]
    assert "danger" == button["style"]
    assert "nightly" in button["confirm"]["text"]["text"]
    assert 0 == await emulator.releases(session_id)
    assert "RUNNING" == await status_of(emulator, session_id)


async def test_admin_click_releases_once_and_replaces_the_card(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """An admin's click ends the session and the card says who terminated it."""
    session_id = await keepalive_session(emulator, startedAgo=600)
    _, clicker = await start(start_bot, sender_for, slack, **ADMINS)
    card = await clicker.answer(f"terminate {session_id}")

    url = await clicker.click_ephemeral(card, ALICE)

    [response] = await slack.wait_for_response(url)
    assert response.replace_original
    assert f"terminated by <@{ALICE}>" in text_of(response.body)
    assert [] == buttons(response.body)
    assert 1 == await emulator.releases(session_id)
    assert "COMPLETED" == await status_of(emulator, session_id)


async def test_group_member_is_an_admin_through_usergroups(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """A member of a user group named in BBSLACK_ADMINS may terminate."""
    slack.usergroups[GROUP] = [BOB]
    session_id = await keepalive_session(emulator)
    _, clicker = await start(
        start_bot, sender_for, slack, BBSLACK_ADMINS=f"{ALICE},{GROUP}"
    )
    card = await clicker.answer(f"terminate {session_id}", BOB)

    url = await clicker.click_ephemeral(card, BOB)

    [response] = await slack.wait_for_response(url)
    assert f"terminated by <@{BOB}>" in text_of(response.body)
    assert 1 == await emulator.releases(session_id)
    assert 1 <= len(slack.calls_to("usergroups.users.list"))


async def test_non_admin_is_refused_and_nothing_is_released(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """A click by someone not in BBSLACK_ADMINS is explained to them alone."""
    slack.usergroups[GROUP] = [BOB]
    session_id = await keepalive_session(emulator)
    _, clicker = await start(
        start_bot, sender_for, slack, BBSLACK_ADMINS=f"{ALICE},{GROUP}"
    )
    card = await clicker.answer(f"terminate {session_id}", CAROL)

    url = await clicker.click_ephemeral(card, CAROL)

    [response] = await slack.wait_for_response(url)
    assert "ephemeral" == response.response_type
    assert not response.replace_original
    assert f"<@{ALICE}>" in text_of(response.body)
    assert GROUP in text_of(response.body)
    assert "BBSLACK_ADMINS" in text_of(response.body)
    assert 0 == await emulator.releases(session_id)
    assert "RUNNING" == await status_of(emulator, session_id)


async def test_without_admins_nobody_may_terminate_and_the_bot_says_how(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """With BBSLACK_ADMINS empty every click is refused with how to enable it."""
    session_id = await keepalive_session(emulator)
    _, clicker = await start(start_bot, sender_for, slack)
    card = await clicker.answer(f"terminate {session_id}")

    url = await clicker.click_ephemeral(card, ALICE)

    [response] = await slack.wait_for_response(url)
    assert "Nobody can" in text_of(response.body)
    assert "BBSLACK_ADMINS" in text_of(response.body)
    assert 0 == await emulator.releases(session_id)


async def test_concurrent_clicks_by_two_admins_release_once(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """Two admins clicking at once make one release; one of them hears who was first."""
    session_id = await keepalive_session(emulator)
    _, clicker = await start(
        start_bot, sender_for, slack, BBSLACK_ADMINS=f"{ALICE},{BOB}"
    )
    card = await clicker.answer(f"terminate {session_id}")

    urls = await asyncio.gather(
        clicker.click_ephemeral(card, ALICE), clicker.click_ephemeral(card, BOB)
    )

    answers = [text_of((await slack.wait_for_response(url))[0].body) for url in urls]
    assert 1 == sum("already terminated by" in a for a in answers)
    assert 1 == sum(" terminated by <@" in a and "already" not in a for a in answers)
    assert 1 == await emulator.releases(session_id)


async def test_second_click_by_the_same_admin_sees_already_terminated(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """A double click releases once; the second says who terminated it."""
    session_id = await keepalive_session(emulator)
    _, clicker = await start(start_bot, sender_for, slack, **ADMINS)
    card = await clicker.answer(f"terminate {session_id}")

    first = await clicker.click_ephemeral(card, ALICE)
    await slack.wait_for_response(first)
    second = await clicker.click_ephemeral(card, ALICE)

    [response] = await slack.wait_for_response(second)
    assert f"already terminated by <@{ALICE}>" in text_of(response.body)
    assert 1 == await emulator.releases(session_id)


async def test_stale_button_releases_nothing_and_shows_the_final_status(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """A button on a session that ended since updates the card and calls nothing."""
    session_id = await keepalive_session(emulator)
    _, clicker = await start(start_bot, sender_for, slack, **ADMINS)
    card = await clicker.answer(f"terminate {session_id}")
    await emulator.end(session_id, "TIMED_OUT")

    url = await clicker.click_ephemeral(card, ALICE)

    [response] = await slack.wait_for_response(url)
    assert response.replace_original
    assert "nothing left to terminate" in text_of(response.body)
    assert [] == buttons(response.body)
    assert 0 == await emulator.releases(session_id)


async def test_edited_button_value_is_rejected_before_release(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """A value edited in transit fails its signature; no release is attempted."""
    session_id = await keepalive_session(emulator)
    other = await keepalive_session(emulator)
    bot, clicker = await start(start_bot, sender_for, slack, **ADMINS)
    card = await clicker.answer(f"terminate {session_id}")
    signed = click(card, TERMINATE)["value"]
    swapped = other + signed[len(session_id) :]

    urls = [
        await clicker.click_ephemeral(card, ALICE, value=swapped),
        await clicker.click_ephemeral(card, ALICE, value="garbage"),
    ]

    for url in urls:
        [response] = await slack.wait_for_response(url)
        assert "altered" in text_of(response.body)
        assert not response.replace_original
    assert 0 == await emulator.releases(session_id)
    assert 0 == await emulator.releases(other)
    await audit_rows(bot, 2)
    audit = text_of(await clicker.answer("audit"))
    assert 2 <= audit.count("rejected")


async def test_session_of_another_project_is_not_found(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """`terminate ID` for another project's session offers no button at all."""
    created = await emulator.session(
        status="RUNNING", keepAlive=True, projectId="other"
    )
    _, clicker = await start(start_bot, sender_for, slack, **ADMINS)

    answer = await clicker.answer(f"terminate {created['id']}")

    assert "not found" in text_of(answer)
    assert [] == [b for b in buttons(answer) if b["action_id"] == TERMINATE]
    assert 0 == await emulator.releases(created["id"])


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ({"status": 500}, "500"),
        ({"status": 503}, "503"),
        ({"status": 403}, "403"),
        ({"status": 404}, "not found"),
        ({"hang": True}, "did not answer within"),
    ],
)
async def test_browserbase_failure_on_release_keeps_the_card_and_tells_the_clicker(
    emulator: Emulator,
    slack: FakeSlack,
    start_bot: StartBot,
    sender_for: Any,
    fault: dict[str, Any],
    expected: str,
) -> None:
    """A failed release leaves the card as it was and says what failed, ephemerally."""
    session_id = await keepalive_session(emulator)
    _, clicker = await start(start_bot, sender_for, slack, **ADMINS)
    card = await clicker.answer(f"terminate {session_id}")
    await emulator.fault(
        path=f"/v1/sessions/{session_id}", method="POST", times=5, **fault
    )

    url = await clicker.click_ephemeral(card, ALICE)

    [response] = await slack.wait_for_response(url)
    assert not response.replace_original
    assert "ephemeral" == response.response_type
    assert expected in text_of(response.body).lower()
    assert "RUNNING" == await status_of(emulator, session_id)
    await emulator.clear_faults()
    assert "failed" in text_of(await clicker.answer("audit"))


async def test_unknown_session_id_in_a_signed_value_tells_the_clicker(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """A card for a session Browserbase no longer knows answers 404, releases none."""
    session_id = await keepalive_session(emulator)
    _, clicker = await start(start_bot, sender_for, slack, **ADMINS)
    card = await clicker.answer(f"terminate {session_id}")
    await emulator.fault(path=f"/v1/sessions/{session_id}", status=404, times=10)

    url = await clicker.click_ephemeral(card, ALICE)

    [response] = await slack.wait_for_response(url)
    assert not response.replace_original
    assert "not found" in text_of(response.body).lower()
    assert 0 == sum(
        r["method"] == "POST" and r["status"] == 200
        for r in await emulator.requests()
        if r["path"] == f"/v1/sessions/{session_id}"
    )


# Audit.


async def test_audit_shows_every_attempt_to_admins_only(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """Refusals and releases are all in the audit; a non-admin may not read it."""
    session_id = await keepalive_session(emulator)
    bot, clicker = await start(start_bot, sender_for, slack, **ADMINS)
    card = await clicker.answer(f"terminate {session_id}")
    await slack.wait_for_response(await clicker.click_ephemeral(card, BOB))
    await slack.wait_for_response(await clicker.click_ephemeral(card, ALICE))
    await audit_rows(bot, 2)

    audit = text_of(await clicker.answer("audit", ALICE))
    refused = text_of(await clicker.answer("audit", BOB))

    assert "refused" in audit and "released" in audit
    assert BOB in audit and ALICE in audit
    assert ALERTS in audit
    assert session_id[:8] in audit
    assert "released" not in refused
    assert "BBSLACK_ADMINS" in refused


# The long-running warning.

WARN = {
    "BBSLACK_ADMINS": ALICE,
    "BBSLACK_KEEPALIVE_ALERT_AFTER": "1",
    "BBSLACK_ALERT_CHANNEL": ALERTS,
}


async def list_polls(emulator: Emulator) -> int:
    return sum(
        r["method"] == "GET" and r["path"] == "/v1/sessions"
        for r in await emulator.requests()
    )


def warnings_posted(slack: FakeSlack) -> list[Any]:
    return [
        call
        for call in slack.calls_to("chat.postMessage")
        if "has been running" in str(call.args.get("text"))
    ]


async def polls_pass(emulator: Emulator, count: int) -> None:
    """Wait until the poller has listed sessions ``count`` more times."""
    polls = await list_polls(emulator)
    deadline = asyncio.get_running_loop().time() + 15
    while await list_polls(emulator) < polls + count:
        assert asyncio.get_running_loop().time() < deadline, "the poller stalled"
        await asyncio.sleep(0.1)


async def warned(slack: FakeSlack, emulator: Emulator, session_id: str) -> str:
    """Wait for the one warning, let several polls pass, return the warning's ts."""
    await slack.wait_for("chat.postMessage")
    await polls_pass(emulator, 3)
    posts = [m for m in slack.messages(ALERTS) if session_id[:8] in text_of(m)]
    assert 1 == len(posts)
    assert 1 == len(warnings_posted(slack))
    return str(posts[0]["ts"])


async def test_long_running_warning_is_posted_once_and_edited_when_it_ends(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """The warning has a Terminate button and loses it when the session times out."""
    session_id = await keepalive_session(emulator, startedAgo=300)
    await start(start_bot, sender_for, slack, **WARN)

    ts = await warned(slack, emulator, session_id)
    assert [TERMINATE] == [
        b["action_id"]
        for b in buttons(slack.message(ALERTS, ts))
        if b["action_id"] == TERMINATE
    ]
    await emulator.end(session_id, "TIMED_OUT")

    await slack.wait_for(lambda c: c.method == "chat.update" and c.args["ts"] == ts)
    edited = slack.message(ALERTS, ts)
    assert "timed out" in text_of(edited).lower()
    assert [] == [b for b in buttons(edited) if b["action_id"] == TERMINATE]
    # The timeout itself is a separate alert; the warning is still posted only once.
    assert 1 == len(warnings_posted(slack))


async def test_terminate_button_on_the_warning_edits_it_in_place(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: Any
) -> None:
    """Clicking the warning's Terminate releases once and rewrites that message."""
    session_id = await keepalive_session(emulator, startedAgo=300)
    _, clicker = await start(start_bot, sender_for, slack, **WARN)
    ts = await warned(slack, emulator, session_id)

    await clicker.click_channel(slack.message(ALERTS, ts), ALICE)

    await slack.wait_for(lambda c: c.method == "chat.update" and c.args["ts"] == ts)
    edited = slack.message(ALERTS, ts)
    assert f"terminated by <@{ALICE}>" in text_of(edited)
    assert [] == [b for b in buttons(edited) if b["action_id"] == TERMINATE]
    assert 1 == await emulator.releases(session_id)
    # Later polls see the ended session; they must not post again or undo the edit.
    await polls_pass(emulator, 2)
    assert f"terminated by <@{ALICE}>" in text_of(slack.message(ALERTS, ts))
    assert 1 == len(slack.calls_to("chat.postMessage"))
