"""Small Block Kit builders shared by the views, and the limits they keep.

Builders take mrkdwn that is already safe (our words, outside text passed through
`escape`, `clip` or `code`) and cut it to Slack's limits, so no view can produce a
message Slack rejects. `envelope` wraps every answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.views.actions import OPEN_LINK, SHARE
from bot.views.text import code, escape, truncate

Block = dict[str, Any]
Message = dict[str, Any]

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_CONTEXT_TEXT = 2000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_BUTTON_URL = 3000
MAX_FALLBACK = 3000

SHARE_LABEL = "Share in channel"


def mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> dict[str, str]:
    # Slack rejects empty text objects; a lone space would render as nothing useful.
    return {"type": "mrkdwn", "text": truncate(text, limit) or "-"}


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit) or "-", "emoji": True}


def section(text: str, *, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def fields(items: Sequence[str]) -> Block:
    """A section of label/value pairs in two columns; at most ten are kept."""
    return {
        "type": "section",
        "fields": [mrkdwn(item, MAX_FIELD_TEXT) for item in items[:MAX_FIELDS]],
    }


def field(label: str, value: str) -> str:
    """``*Label*`` over its value, as one field of `fields`."""
    return f"*{label}*\n{value}"


def header(text: str) -> Block:
    """A header in our own words (plain text: outside text belongs in mrkdwn)."""
    return {"type": "header", "text": plain(text, MAX_HEADER)}


def context(*elements: str) -> Block:
    return {
        "type": "context",
        "elements": [
            mrkdwn(element, MAX_CONTEXT_TEXT)
            for element in elements[:MAX_CONTEXT_ELEMENTS]
        ],
    }


def divider() -> Block:
    return {"type": "divider"}


def button(label: str, action_id: str, value: str) -> Block:
    return {
        "type": "button",
        "text": plain(label, MAX_BUTTON_TEXT),
        "action_id": action_id,
        "value": value[:MAX_BUTTON_VALUE],
    }


def link_button(label: str, url: str) -> Block:
    """Opens ``url``; Slack still reports the click, which handlers only ack."""
    return {
        "type": "button",
        "text": plain(label, MAX_BUTTON_TEXT),
        "action_id": OPEN_LINK,
        "url": url[:MAX_BUTTON_URL],
    }


def actions(*elements: Block) -> Block:
    return {"type": "actions", "elements": list(elements)}


def share_button(command_text: str) -> Block:
    """Repost this answer for the whole channel; the value is the command to rerun."""
    return actions(button(SHARE_LABEL, SHARE, command_text.strip()))


def envelope(
    fallback: str, blocks: Sequence[Block], *, share_text: str | None = None
) -> Message:
    """The envelope: notification text, blocks, and the share button when asked.

    ``fallback`` is mrkdwn like the blocks (Slack parses it for notifications), so it
    must be safe already. Views keep under the block limit themselves; the cut here
    is a last guard that keeps the share button.
    """
    room = MAX_BLOCKS - (1 if share_text is not None else 0)
    kept = list(blocks[:room])
    if len(blocks) > room:
        kept[-1] = context("_Cut short to fit in one Slack message._")
    if share_text is not None:
        kept.append(share_button(share_text))
    return {"text": truncate(fallback, MAX_FALLBACK) or "-", "blocks": kept}


def error_view(message: str, example: str | None = None) -> Message:
    """A short, friendly answer to a command that could not be done.

    ``message`` is our sentence, but it may quote what the user typed: it is escaped,
    and its backticks still mark code.
    """
    safe = escape(message)
    blocks = [section(f":warning: {safe}")]
    if example:
        blocks.append(context(f"Try: {code(example, 300)}"))
    return envelope(safe, blocks)
