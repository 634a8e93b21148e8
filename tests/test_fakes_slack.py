"""The Slack stand-ins behave as Slack does for the real slack_sdk and Bolt clients."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.signing import (
    SlackSender,
    app_home_opened,
    block_actions_payload,
    click,
    sign,
    slash_command_form,
)
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_ids import (
    ALERTS,
    ALICE,
    APP_TOKEN,
    BOT_TOKEN,
    BOT_USER_ID,
    DEFAULT_SCOPES,
    GENERAL,
)

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def _button(action_id: str, value: str, label: str = "Go") -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "value": value,
        "text": {"type": "plain_text", "text": label},
    }


def _actions(*buttons: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "actions", "elements": list(buttons)}]


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    """A running FakeSlack with the default workspace, closed after the test."""
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    """slack_sdk's async Web API client pointed at the stand-in."""
    return AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)


@asynccontextmanager
async def _serve(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


# -- Web API ---------------------------------------------------------------------------


async def test_post_message_stores_message_with_increasing_ts(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    """Posted messages are stored in order with unique, increasing Slack timestamps."""
    blocks = _actions(_button("bb_details", "sess-1"))
    first = await client.chat_postMessage(channel=ALERTS, text="one", blocks=blocks)
    second = await client.chat_postMessage(channel="#alerts", text="two")

    stored = slack.messages(ALERTS)
    assert ["one", "two"] == [m["text"] for m in stored]
    assert first["ts"] < second["ts"]
    assert "1700000000.000100" == first["ts"]
    assert ALERTS == second["channel"]
    assert BOT_USER_ID == stored[0]["user"]
    assert stored[0]["blocks"][0]["block_id"], "Slack gives every block an id"
    assert stored[0] == first["message"]


async def test_update_edits_message_in_place_and_unknown_ts_fails(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    """chat.update changes the stored message; an unknown ts is message_not_found."""
    posted = await client.chat_postMessage(
        channel=ALERTS, text="running", blocks=_actions(_button("bb_terminate", "s1"))
    )
    await client.chat_update(channel=ALERTS, ts=posted["ts"], text="terminated")

    [message] = slack.messages(ALERTS)
    assert "terminated" == message["text"]
    assert "bb_terminate" == message["blocks"][0]["elements"][0]["action_id"]
    assert "edited" in message
    with pytest.raises(SlackApiError) as raised:
        await client.chat_update(channel=ALERTS, ts="1.000000", text="x")
    assert "message_not_found" == raised.value.response["error"]


async def test_thread_replies_stay_under_their_parent(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    """A reply with thread_ts is in thread(), not among the channel's messages."""
    parent = await client.chat_postMessage(channel=ALERTS, text="alert")
    await client.chat_postMessage(channel=ALERTS, text="detail", thread_ts=parent["ts"])

    assert ["alert"] == [m["text"] for m in slack.messages(ALERTS)]
    assert ["detail"] == [m["text"] for m in slack.thread(ALERTS, parent["ts"])]
    assert 1 == slack.message(ALERTS, parent["ts"])["reply_count"]


async def test_form_encoded_blocks_are_decoded(slack: FakeSlack) -> None:
    """Blocks sent as a JSON string inside a form field are stored as blocks."""
    blocks = _actions(_button("bb_mute", "3600"))
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            slack.api_url + "chat.postMessage",
            data={"token": BOT_TOKEN, "channel": ALERTS, "blocks": json.dumps(blocks)},
        )

    assert answer.json()["ok"] is True
    assert "bb_mute" == click(slack.messages(ALERTS)[0], "bb_mute")["action_id"]


async def test_wrong_token_is_invalid_auth(slack: FakeSlack) -> None:
    """A token the workspace does not know is refused with invalid_auth."""
    stranger = AsyncWebClient(token="xoxb-wrong", base_url=slack.api_url)

    with pytest.raises(SlackApiError) as raised:
        await stranger.chat_postMessage(channel=ALERTS, text="hi")

    assert "invalid_auth" == raised.value.response["error"]
    assert [] == slack.messages(ALERTS)


async def test_auth_test_names_the_bot_and_its_scopes(client: AsyncWebClient) -> None:
    """auth.test answers the bot's identity and lists scopes in x-oauth-scopes."""
    answer = await client.auth_test()

    assert BOT_USER_ID == answer["user_id"]
    assert answer["bot_id"].startswith("B")
    assert ",".join(DEFAULT_SCOPES) == answer.headers["x-oauth-scopes"]


async def test_usergroups_users_list_returns_members(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    """A configured group lists its members; an unknown one is no_such_subteam."""
    slack.usergroups["S0OPS"] = [ALICE, "U0CAROL"]

    answer = await client.usergroups_users_list(usergroup="S0OPS")

    assert [ALICE, "U0CAROL"] == answer["users"]
    with pytest.raises(SlackApiError) as raised:
        await client.usergroups_users_list(usergroup="S0NONE")
    assert "no_such_subteam" == raised.value.response["error"]


async def test_conversations_info_needs_a_read_scope() -> None:
    """conversations.info needs channels:read, then tells known from unknown."""
    async with FakeSlack(scopes=[*DEFAULT_SCOPES, "channels:read"]) as slack:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)
        info = await client.conversations_info(channel=ALERTS)
        with pytest.raises(SlackApiError) as raised:
            await client.conversations_info(channel="C0NOPE")
        slack.scopes.remove("channels:read")
        with pytest.raises(SlackApiError) as unscoped:
            await client.conversations_info(channel=ALERTS)

    assert "alerts" == info["channel"]["name"]
    assert "channel_not_found" == raised.value.response["error"]
    assert "missing_scope" == unscoped.value.response["error"]


async def test_oversized_blocks_are_invalid_blocks(client: AsyncWebClient) -> None:
    """Blocks over Slack's limits are refused with invalid_blocks naming the field."""
    too_many = [{"type": "divider"}] * 51
    long_label = _actions(_button("bb_share", "x", label="L" * 76))

    with pytest.raises(SlackApiError) as many:
        await client.chat_postMessage(channel=ALERTS, text="t", blocks=too_many)
    with pytest.raises(SlackApiError) as label:
        await client.chat_postMessage(channel=ALERTS, text="t", blocks=long_label)

    assert "invalid_blocks" == many.value.response["error"]
    assert ["/blocks/0/elements/0/text/text"] == [
        e.split("json-pointer:")[1].rstrip("]") for e in label.value.response["errors"]
    ]


# -- faults ----------------------------------------------------------------------------


async def test_rate_limit_carries_retry_after_and_retry_handler_recovers(
    slack: FakeSlack,
) -> None:
    """A 429 carries Retry-After; a client with the rate-limit handler then succeeds."""
    plain = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)
    patient = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)
    patient.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))

    slack.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        await plain.chat_postMessage(channel=ALERTS, text="first")
    slack.fail("chat.postMessage", status=429, retry_after=0)
    answer = await patient.chat_postMessage(channel=ALERTS, text="second")

    assert 429 == raised.value.response.status_code
    assert "7" == raised.value.response.headers["Retry-After"]
    assert "ratelimited" == raised.value.response["error"]
    assert answer["ok"] is True
    assert [429, 429, 200] == [c.status for c in slack.calls_to("chat.postMessage")]
    assert ["second"] == [m["text"] for m in slack.messages(ALERTS)]


async def test_error_for_one_channel_leaves_others_working(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    """error(channel=...) fails calls to that channel only, until cleared."""
    slack.error("chat.postMessage", "not_in_channel", channel=GENERAL)

    await client.chat_postMessage(channel=ALERTS, text="fine")
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=GENERAL, text="refused")
    slack.clear_faults()
    await client.chat_postMessage(channel=GENERAL, text="now fine")

    assert "not_in_channel" == raised.value.response["error"]
    assert ["now fine"] == [m["text"] for m in slack.messages(GENERAL)]


async def test_set_down_answers_503_until_back_up(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    """While down every method answers 503; afterwards calls succeed again."""
    slack.set_down(True)
    with pytest.raises(SlackApiError) as raised:
        await client.auth_test()
    slack.set_down(False)

    assert 503 == raised.value.response.status_code
    assert (await client.auth_test())["ok"] is True


async def test_wait_for_times_out_listing_what_arrived(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    """A wait that times out says what it wanted and lists the calls that came."""
    await client.chat_postMessage(channel=ALERTS, text="only one")

    with pytest.raises(AssertionError) as raised:
        await slack.wait_for("chat.postMessage", count=2, timeout=0.05)

    assert "for 2 call(s) to chat.postMessage, got 1" in str(raised.value)
    assert "1. chat.postMessage channel=C0ALERTS text='only one' -> ok" in str(
        raised.value
    )


async def test_wait_for_wakes_when_the_call_arrives(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    """wait_for returns as soon as a matching call is recorded."""
    waiter = asyncio.create_task(
        slack.wait_for(lambda c: c.args.get("text") == "late", timeout=5)
    )
    await client.chat_postMessage(channel=ALERTS, text="early")
    await client.chat_postMessage(channel=ALERTS, text="late")

    [call] = await waiter
    assert "late" == call.args["text"]


# -- files -----------------------------------------------------------------------------


async def test_files_upload_v2_shares_the_content(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    """files_upload_v2 goes through the upload URL and completes into the channel."""
    answer = await client.files_upload_v2(
        channel=ALERTS, content="line 1\n", filename="logs.txt", title="Logs"
    )

    [uploaded] = slack.uploads(ALERTS)
    assert b"line 1\n" == uploaded.content
    assert "Logs" == uploaded.title
    assert uploaded.id == answer["file"]["id"]


# -- response_url ----------------------------------------------------------------------


async def test_response_url_records_posts_and_refuses_unknown_urls(
    slack: FakeSlack,
) -> None:
    """Posts to an issued response_url are recorded; a made-up URL gets 404."""
    url = slack.response_url()

    sent = await AsyncWebhookClient(url).send(
        text="done", response_type="in_channel", replace_original=True
    )
    refused = await AsyncWebhookClient(slack.url + "respond/nope").send(text="x")
    [response] = await slack.wait_for_response(url)

    assert 200 == sent.status_code
    assert 404 == refused.status_code
    assert ("in_channel", "done", True) == (
        response.response_type,
        response.text,
        response.replace_original,
    )


async def test_response_url_allows_five_uses(slack: FakeSlack) -> None:
    """A response_url accepts five posts and refuses the sixth."""
    webhook = AsyncWebhookClient(slack.response_url())

    statuses = [(await webhook.send(text=str(n))).status_code for n in range(6)]

    assert [200] * 5 + [404] == statuses


# -- signing ---------------------------------------------------------------------------


def test_sign_is_accepted_by_slack_sdk_verifier() -> None:
    """Headers from sign() pass SignatureVerifier; another body or old time fails."""
    verifier = SignatureVerifier(SECRET)
    body = b"token=x&text=sessions+list"

    headers = sign(SECRET, body)
    stale = sign(SECRET, body, int(time.time()) - 400)

    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid_request(body + b"&x=1", headers)
    assert not verifier.is_valid_request(body, stale)


async def test_sender_signs_commands_and_can_spoil_them() -> None:
    """SlackSender posts Slack's form fields, signed; tamper and offset break it."""
    verifier = SignatureVerifier(SECRET)
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as http:
        sender = SlackSender("http://bot.test/", SECRET, http)
        await sender.command("sessions", response_url="http://r.test/1")
        await sender.command("sessions", response_url="http://r.test/1", tamper=True)
        await sender.command("x", response_url="http://r.test/1", timestamp_offset=-400)

    valid = [verifier.is_valid_request(r.content, dict(r.headers)) for r in seen]
    form = {k: v[0] for k, v in parse_qs(seen[0].content.decode()).items()}
    assert [True, False, False] == valid
    assert "http://bot.test/slack/events" == str(seen[0].url)
    assert "sessions" == form["text"]
    assert ALICE == form["user_id"]
    assert set(slash_command_form("", response_url="u")) == set(form)


def test_click_finds_the_button_by_value() -> None:
    """click() returns the action of the one button whose value matches."""
    message = {
        "ts": "1.1",
        "blocks": _actions(
            _button("bb_terminate", "a.sig"), _button("bb_terminate", "b.sig")
        ),
    }
    message["blocks"][0]["block_id"] = "row"

    action = click(message, "bb_terminate", value_contains="b.")

    assert ("bb_terminate", "row", "b.sig", "button") == (
        action["action_id"],
        action["block_id"],
        action["value"],
        action["type"],
    )
    with pytest.raises(AssertionError, match="found 2"):
        click(message, "bb_terminate")


# -- Bolt over HTTP --------------------------------------------------------------------


async def test_bolt_http_app_accepts_signed_command_and_click(slack: FakeSlack) -> None:
    """Bolt verifies our signatures, answers via response_url and updates on click."""
    app = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url),
        signing_secret=SECRET,
    )

    @app.command("/browserbase")
    async def command(
        ack: Any, respond: Any, client: AsyncWebClient, body: Any
    ) -> None:
        await ack()
        await respond(f"listing {body['text']}")
        blocks = _actions(_button("bb_terminate", "sess-9"))
        await client.chat_postMessage(
            channel=body["channel_id"], text="alert", blocks=blocks
        )

    @app.action("bb_terminate")
    async def terminate(ack: Any, body: Any, client: AsyncWebClient) -> None:
        await ack()
        container = body["container"]
        await client.chat_update(
            channel=container["channel_id"],
            ts=container["message_ts"],
            text="terminated",
        )

    async with _serve(app.web_app()) as url, httpx.AsyncClient() as http:
        sender = SlackSender(url, SECRET, http, response_urls=slack.response_url)
        accepted = await sender.command("sessions")
        [response] = await slack.wait_for_response(str(sender.last_response_url))
        forged = await sender.command("sessions", tamper=True)
        stale = await sender.command("sessions", timestamp_offset=-400)
        [post] = await slack.wait_for(lambda c: c.method == "chat.postMessage" and c.ok)

        message = slack.message(ALERTS, post.response["ts"])
        payload = block_actions_payload(
            click(message, "bb_terminate"),
            message=message,
            channel_id=ALERTS,
            user_id=ALICE,
            response_url=slack.response_url(),
        )
        clicked = await sender.action(payload)
        await slack.wait_for("chat.update")

    assert [200, 401, 401] == [r.status_code for r in (accepted, forged, stale)]
    assert 200 == clicked.status_code
    assert "listing sessions" == response.text
    assert ["terminated"] == [m["text"] for m in slack.messages(ALERTS)]


async def test_bolt_http_app_handles_signed_event(slack: FakeSlack) -> None:
    """A signed app_home_opened event reaches Bolt, which publishes the Home tab."""
    app = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url),
        signing_secret=SECRET,
    )

    @app.event("app_home_opened")
    async def home(event: Any, client: AsyncWebClient) -> None:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]
        view = {"type": "home", "blocks": blocks}
        await client.views_publish(user_id=event["user"], view=view)

    async with _serve(app.web_app()) as url, httpx.AsyncClient() as http:
        sender = SlackSender(url, SECRET, http)
        delivered = await sender.event(app_home_opened(ALICE))
        await slack.wait_for("views.publish")

    assert 200 == delivered.status_code
    assert "Hi" == slack.home_views[ALICE]["blocks"][0]["text"]["text"]


# -- Socket Mode -----------------------------------------------------------------------


async def test_socket_mode_client_connects_and_acks_envelopes(slack: FakeSlack) -> None:
    """slack_sdk's SocketModeClient gets hello, an envelope, and its ack comes back."""
    web_client = AsyncWebClient(base_url=slack.api_url)
    socket = SocketModeClient(app_token=APP_TOKEN, web_client=web_client)

    async def ack(client: SocketModeClient, request: SocketModeRequest) -> None:
        answer = {"text": f"got {request.payload['text']}"}
        await client.send_socket_mode_response(
            SocketModeResponse(envelope_id=request.envelope_id, payload=answer)
        )

    async def remember(
        client: SocketModeClient, message: dict[str, Any], raw: Any
    ) -> None:
        seen.append(message.get("type"))

    seen: list[Any] = []
    socket.message_listeners.append(remember)
    socket.socket_mode_request_listeners.append(ack)
    try:
        await socket.connect()
        await slack.socket_connected()
        form = slash_command_form("help", response_url=slack.response_url())
        acked = await slack.socket_send("slash_commands", form)
    finally:
        await socket.close()

    assert {"text": "got help"} == acked["payload"]
    assert "hello" == seen[0]
    assert 1 == len(slack.calls_to("apps.connections.open"))


async def test_socket_mode_reconnects_after_disconnect_message(
    slack: FakeSlack,
) -> None:
    """After Slack's disconnect message the client opens a new connection."""
    handler = AsyncSocketModeHandler(
        AsyncApp(client=AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)),
        APP_TOKEN,
    )

    @handler.app.command("/browserbase")
    async def command(ack: Any, body: Any) -> None:
        await ack(f"pong {body['text']}")

    try:
        await handler.connect_async()
        await slack.socket_connected()
        await slack.socket_disconnect()
        await slack.socket_connected(count=2)
        form = slash_command_form("ping", response_url=slack.response_url())
        acked = await slack.socket_send("slash_commands", form)
    finally:
        await handler.close_async()

    assert "pong ping" == acked["payload"]["text"]
    assert 2 == len(slack.calls_to("apps.connections.open"))


async def test_bot_token_cannot_open_socket(client: AsyncWebClient) -> None:
    """apps.connections.open wants the app-level token, not the bot token."""
    with pytest.raises(SlackApiError) as raised:
        await client.apps_connections_open(app_token=BOT_TOKEN)

    assert "not_allowed_token_type" == raised.value.response["error"]
