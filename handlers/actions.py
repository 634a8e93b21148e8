"""Button clicks: ack first, then act; every click is checked, none is trusted."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError

from bot import commands
from bot.answers import answer, mute_channel, session_detail
from bot.errors import BrowserbaseError
from bot.services import Services
from bot.terminate import Click, terminate
from bot.views import actions, admin
from bot.views.common import error_view
from handlers.home import publish_home

logger = logging.getLogger(__name__)

# Buttons may only share answers that read; never one that changes anything.
SHAREABLE = (
    commands.Sessions,
    commands.SessionDetail,
    commands.Usage,
    commands.ProjectInfo,
    commands.Status,
    commands.KeepAlive,
)
MUTE_MAX_SECONDS = 7 * 86400
# Rows of the keep-alive list (`bot.views.keepalive.session_blocks`) carry these ids.
LIST_ROW_PREFIX = "bb_keepalive_"

Body = dict[str, Any]


def register(app: AsyncApp, services: Services) -> None:
    async def on_terminate(ack: AsyncAck, body: Body, respond: AsyncRespond) -> None:
        await ack()
        click = Click(
            user_id=_user(body),
            channel_id=_channel(body),
            message_ts=None if _ephemeral(body) else _message_ts(body),
            value=_value(body),
        )
        outcome = await terminate(services, click)
        if _container(body).get("type") == "view":
            # A click on the Home tab: it is republished, saying what happened.
            notice = outcome.note or outcome.replacement
            await publish_home(services, click.user_id, notice=notice)
            return
        if outcome.replacement is not None:
            if _from_list(body):
                # A list of sessions: say what happened, then refresh the list.
                await respond(**outcome.replacement, replace_original=False)
                refreshed = await answer(
                    services,
                    commands.KeepAlive(),
                    user_id=click.user_id,
                    channel_id=click.channel_id or "",
                    text="keepalive",
                )
                await respond(**refreshed, replace_original=True)
            elif click.message_ts and click.channel_id:
                try:
                    await services.slack.chat_update(
                        channel=click.channel_id,
                        ts=click.message_ts,
                        **outcome.replacement,
                    )
                except SlackApiError as exc:
                    # Not ours to edit after all: the response_url still replaces it.
                    logger.warning("edit refused error=%s", exc.response.get("error"))
                    await respond(**outcome.replacement, replace_original=True)
            else:
                await respond(**outcome.replacement, replace_original=True)
        if outcome.note is not None:
            await respond(
                **outcome.note, response_type="ephemeral", replace_original=False
            )

    async def on_share(ack: AsyncAck, body: Body, respond: AsyncRespond) -> None:
        await ack()
        parsed = commands.parse(_value(body))
        if not isinstance(parsed, SHAREABLE):
            await respond(
                **error_view("That answer cannot be shared."), replace_original=False
            )
            return
        message = await answer(
            services,
            dataclasses.replace(parsed, public=True),
            user_id=_user(body),
            channel_id=_channel(body) or "",
            text=_value(body),
        )
        await respond(**message, response_type="in_channel", replace_original=False)

    async def on_mute(ack: AsyncAck, body: Body, respond: AsyncRespond) -> None:
        await ack()
        channel = _channel(body)
        try:
            seconds = min(max(int(_value(body)), 60), MUTE_MAX_SECONDS)
        except ValueError:
            seconds = 3600
        if channel is None:
            return
        mute_channel(services, channel, seconds=seconds, user_id=_user(body))
        until = services.clock().timestamp() + seconds
        await respond(
            **admin.muted_view(datetime.fromtimestamp(until, UTC), by=_user(body)),
            response_type="in_channel",
            replace_original=False,
        )

    async def on_details(ack: AsyncAck, body: Body, respond: AsyncRespond) -> None:
        await ack()
        session_id = commands.session_id(_value(body))
        if session_id is None:
            await respond(
                **error_view("That is not a session id."), replace_original=False
            )
            return
        try:
            message = await session_detail(
                services, session_id, text=f"session {session_id}", public=False
            )
        except BrowserbaseError as exc:
            message = error_view(str(exc))
        await respond(**message, response_type="ephemeral", replace_original=False)

    async def on_link(ack: AsyncAck) -> None:
        # The browser opens the link; Slack still expects the click acknowledged.
        await ack()

    app.action(actions.TERMINATE)(on_terminate)
    app.action(actions.SHARE)(on_share)
    app.action(actions.MUTE)(on_mute)
    app.action(actions.DETAILS)(on_details)
    app.action(actions.OPEN_LINK)(on_link)


def _action(body: Body) -> dict[str, Any]:
    found = (body.get("actions") or [{}])[0]
    return found if isinstance(found, dict) else {}


def _value(body: Body) -> str:
    return str(_action(body).get("value") or "")[:2000]


def _user(body: Body) -> str:
    user = body.get("user") or {}
    return str(user.get("id") or "") if isinstance(user, dict) else ""


def _container(body: Body) -> dict[str, Any]:
    found = body.get("container") or {}
    return found if isinstance(found, dict) else {}


def _channel(body: Body) -> str | None:
    channel = _container(body).get("channel_id")
    if not channel:
        info = body.get("channel") or {}
        channel = info.get("id") if isinstance(info, dict) else None
    return str(channel) if channel else None


def _message_ts(body: Body) -> str | None:
    ts = _container(body).get("message_ts")
    return str(ts) if ts else None


def _ephemeral(body: Body) -> bool:
    return bool(_container(body).get("is_ephemeral"))


def _from_list(body: Body) -> bool:
    """Whether the button sat in a list of sessions rather than on one session's card.

    Slack echoes no ``message`` for ephemeral answers (the usual list), so the block
    id of the clicked row tells, as well as counting the buttons of an echoed message.
    """
    block_id = str(_action(body).get("block_id") or "")
    return block_id.startswith(LIST_ROW_PREFIX) or _terminate_buttons(body) > 1


def _terminate_buttons(body: Body) -> int:
    message = body.get("message") or {}
    count = 0
    for block in message.get("blocks") or [] if isinstance(message, dict) else []:
        for element in block.get("elements") or []:
            if (
                isinstance(element, dict)
                and element.get("action_id") == actions.TERMINATE
            ):
                count += 1
        accessory = block.get("accessory")
        if (
            isinstance(accessory, dict)
            and accessory.get("action_id") == actions.TERMINATE
        ):
            count += 1
    return count
