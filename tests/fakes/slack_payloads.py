"""Requests Slack sends to an app, built with every field Slack puts in them.

The same dicts serve both modes: form-encoded and signed over HTTP (``signing``), or
as the ``payload`` of a Socket Mode envelope (``FakeSlack.socket_send``).
"""

from __future__ import annotations

import copy
import itertools
import secrets
import time
from typing import Any

from tests.fakes.blockkit import interactive_elements
from tests.fakes.slack_ids import (
    ALERTS,
    ALICE,
    APP_ID,
    BOT_USER_ID,
    DEFAULT_CHANNELS,
    TEAM_DOMAIN,
    TEAM_ID,
    USER_NAMES,
    VERIFICATION_TOKEN,
)

_counter = itertools.count(1)


def new_trigger_id() -> str:
    """A fresh ``trigger_id`` shaped like Slack's (``123.456.hex``)."""
    return f"{next(_counter)}{int(time.time())}.1000000001.{secrets.token_hex(16)}"


def slash_command_form(
    text: str,
    *,
    user_id: str = ALICE,
    channel_id: str = ALERTS,
    response_url: str,
    command: str = "/browserbase",
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    user_name: str | None = None,
    channel_name: str | None = None,
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = APP_ID,
    enterprise_id: str | None = None,
) -> dict[str, str]:
    """The form fields of a slash command, in the order Slack sends them."""
    form = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name or _channel_name(channel_id),
        "user_id": user_id,
        "user_name": user_name or _user_name(user_id),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    if enterprise_id is not None:
        # Only Enterprise Grid workspaces send these two.
        form = {"enterprise_id": enterprise_id, "enterprise_name": "Acme Grid", **form}
    return form


def click(
    message: dict[str, Any], action_id: str, *, value_contains: str | None = None
) -> dict[str, Any]:
    """The ``actions[0]`` Slack sends when a user clicks this button of ``message``.

    ``message`` is what the bot posted (a stored message, ``Call.args`` or a
    ``Response.body``): the test clicks only buttons that really are there.
    """
    blocks = message.get("blocks") or []
    found = [
        (block, element)
        for block, element in interactive_elements(blocks)
        if element.get("action_id") == action_id
        and (value_contains is None or value_contains in str(element.get("value", "")))
    ]
    if len(found) != 1:
        buttons = [
            f"{e.get('action_id')}={e.get('value', '')!r}"
            for _, e in interactive_elements(blocks)
        ]
        wanted = action_id + (
            f" with value ~ {value_contains!r}" if value_contains else ""
        )
        raise AssertionError(
            f"expected exactly one button {wanted}, found {len(found)}; "
            f"the message has: {buttons or 'no buttons'}"
        )
    block, element = found[0]
    if element.get("type") != "button":
        raise AssertionError(f"{action_id} is a {element.get('type')}, not a button")
    return _button_action(block, element)


def _button_action(block: dict[str, Any], element: dict[str, Any]) -> dict[str, Any]:
    text = {"emoji": True, **element.get("text", {})}
    action: dict[str, Any] = {
        "action_id": element["action_id"],
        "block_id": block.get("block_id", ""),
        "text": text,
        "type": "button",
        "action_ts": f"{time.time():.6f}",
    }
    for key in ("value", "style", "url"):
        if key in element:
            action[key] = element[key]
    return action


def block_actions_payload(
    action: dict[str, Any],
    *,
    message: dict[str, Any],
    channel_id: str = ALERTS,
    user_id: str = ALICE,
    response_url: str,
    is_ephemeral: bool = False,
    state: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
) -> dict[str, Any]:
    """A ``block_actions`` payload for a click on a message in ``channel_id``."""
    message_ts = message.get("ts") or f"{time.time():.6f}"
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {
            "id": user_id,
            "username": _user_name(user_id),
            "name": _user_name(user_id),
            "team_id": team_id,
        },
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": is_ephemeral,
        },
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": _channel_name(channel_id)},
        "state": state or {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }
    if not is_ephemeral:
        # Slack does not echo ephemeral messages back: the app never stored them.
        payload["message"] = copy.deepcopy(message)
    return payload


def event_callback(
    event: dict[str, Any],
    *,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    event_id: str | None = None,
    event_time: int | None = None,
) -> dict[str, Any]:
    """The Events API body that wraps ``event``."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
        "event_time": event_time or int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def app_home_opened(user_id: str = ALICE, *, tab: str = "home") -> dict[str, Any]:
    """The ``app_home_opened`` event of ``user_id`` opening the app's Home tab."""
    return {
        "type": "app_home_opened",
        "user": user_id,
        "channel": f"D{user_id.removeprefix('U')}",
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }


def _user_name(user_id: str) -> str:
    return USER_NAMES.get(user_id, user_id.lower())


def _channel_name(channel_id: str) -> str:
    if channel_id.startswith("D"):
        return "directmessage"
    return DEFAULT_CHANNELS.get(channel_id, channel_id.lower())
