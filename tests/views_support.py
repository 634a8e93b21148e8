"""What the view tests share: sessions to render, hostile text, and Slack's limits.

`assert_block_kit_limits` says Slack would accept a message or Home tab;
`assert_inert` says no outside text turned into a ping, a mention or a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.models import Session
from tests.fakes.blockkit import MESSAGE_MAX_BLOCKS, VIEW_MAX_BLOCKS, block_errors

NOW = datetime(2026, 12, 3, 14, 2, tzinfo=UTC)
SESSION_ID = "abc12345-6789-4abc-8def-0123456789ab"
HOSTILE_METADATA: dict[str, Any] = {
    "<!channel>": "<!here> & <@U0BAD> <https://evil.test|click me>",
    "job": "<!subteam^S0BAD>" + "x" * 5000,
    "`tick`": "```code``` *bold*",
    "nested": {"who": "<!everyone>", "list": ["<#C0BAD>"]},
}

# Tokens Slack turns into pings or links; our views only ever emit these shapes.
_SAFE_TOKEN = re.compile(
    r"^(https://www\.browserbase\.com/[^|<>]*\|[^<>]*"
    r"|@[UW][A-Z0-9]+|#[CGD][A-Z0-9]+|!subteam\^S[A-Z0-9]+"
    r"|!date\^\d+\^[^|<>]*\|[^<>]*)$"
)
# What the hostile fixtures hold, live: none of it may survive into a message.
_LIVE = ("<!channel", "<!here", "<!everyone", "<@U0BAD", "<@U123>", "<#C0BAD", "<http")


def make_session(**changes: Any) -> Session:
    """An ended session with sensible defaults; keyword arguments override fields."""
    started = NOW - timedelta(seconds=42)
    base = Session(
        id=SESSION_ID,
        status="ERROR",
        project_id="proj",
        created_at=started,
        started_at=started,
        updated_at=NOW,
        expires_at=started + timedelta(minutes=5),
        ended_at=NOW,
        proxy_bytes=1_536_000,
        keep_alive=False,
        region="us-west-2",
        user_metadata={"job": "checkout", "env": "prod"},
    )
    return replace(base, **changes)


def running(minutes: float = 42, **changes: Any) -> Session:
    """A live keep-alive session started ``minutes`` ago, an hour before its timeout."""
    return make_session(
        status="RUNNING",
        keep_alive=True,
        started_at=NOW - timedelta(minutes=minutes),
        expires_at=NOW + timedelta(hours=1),
        ended_at=None,
        **changes,
    )


def sign(session_id: str) -> str:
    return f"{session_id}.signed"


def walk_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_strings(item)


def mrkdwn_of(message: Any) -> str:
    """Every visible text of the message, joined, to search in."""
    return "\n".join(walk_strings(message))


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in message["blocks"]:
        if block["type"] == "actions":
            found += [e for e in block["elements"] if e["type"] == "button"]
        accessory = block.get("accessory")
        if accessory and accessory.get("type") == "button":
            found.append(accessory)
    return found


def assert_inert(message: dict[str, Any]) -> None:
    """No outside text became a mention, a ping or a link anywhere in the message."""
    for text in walk_strings(message):
        for token in re.findall(r"<([^<>]*)>", text):
            assert _SAFE_TOKEN.match(token), token
        for raw in _LIVE:
            assert raw not in text.replace("<https://www.browserbase.com/", "")


def assert_block_kit_limits(message: dict[str, Any]) -> None:
    """Slack accepts the message: block counts, text lengths, ids and dialogs."""
    home = message.get("type") == "home"
    max_blocks = VIEW_MAX_BLOCKS if home else MESSAGE_MAX_BLOCKS
    if not home:
        assert {"text", "blocks"} <= set(message)
        assert "response_type" not in message
        assert isinstance(message["text"], str)
        assert 0 < len(message["text"]) <= 3000
    blocks = message["blocks"]
    assert 0 < len(blocks) <= max_blocks
    block_ids = [block["block_id"] for block in blocks if "block_id" in block]
    assert len(set(block_ids)) == len(block_ids)
    for block in blocks:
        assert len(block.get("block_id", "")) <= 255
        _check_block(block)
    assert [] == block_errors(blocks, max_blocks=max_blocks)


def _check_block(block: dict[str, Any]) -> None:
    kind = block["type"]
    if kind == "section":
        assert "text" in block or "fields" in block
        if "text" in block:
            _check_text(block["text"], 3000)
        fields = block.get("fields", [])
        assert len(fields) <= 10
        for item in fields:
            _check_text(item, 2000)
        if "accessory" in block:
            _check_element(block["accessory"])
    elif kind == "header":
        _check_text(block["text"], 150, plain=True)
    elif kind == "context":
        assert 0 < len(block["elements"]) <= 10
        for element in block["elements"]:
            _check_text(element, 2000)
    elif kind == "actions":
        assert 0 < len(block["elements"]) <= 25
        action_ids = [element["action_id"] for element in block["elements"]]
        assert len(set(action_ids)) == len(action_ids)
        for element in block["elements"]:
            _check_element(element)
    else:
        assert kind == "divider", kind


def _check_element(element: dict[str, Any]) -> None:
    assert element["type"] == "button"
    _check_text(element["text"], 75, plain=True)
    assert 0 < len(element["action_id"]) <= 255
    assert ("value" in element) != ("url" in element)
    assert len(element.get("value", "")) <= 2000
    assert len(element.get("url", "")) <= 3000
    assert element.get("style", "danger") in ("primary", "danger")
    if "confirm" in element:
        confirm = element["confirm"]
        _check_text(confirm["title"], 100, plain=True)
        _check_text(confirm["text"], 300)
        _check_text(confirm["confirm"], 30, plain=True)
        _check_text(confirm["deny"], 30, plain=True)


def _check_text(obj: dict[str, Any], limit: int, *, plain: bool = False) -> None:
    assert (
        obj["type"] == "plain_text"
        if plain
        else obj["type"] in ("plain_text", "mrkdwn")
    )
    assert 0 < len(obj["text"]) <= limit
