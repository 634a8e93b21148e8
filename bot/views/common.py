"""Small Block Kit builders shared by the views, the limits they keep, and a few words.

Builders take mrkdwn that is already safe (our words, outside text passed through
`escape`, `clip` or `code`) and cut it to Slack's limits, so no view can produce a
message Slack rejects. `envelope` wraps every answer. A ``block_id`` marks a block
that a later edit finds again (alerts rewrite their headline in place).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.views.actions import OPEN_LINK, SHARE
from bot.views.text import code, escape, slack_date, truncate

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
SHORT_ID_CHARS = 8
_LOG_ICONS = {
    "navigation": ":compass:",
    "request": ":globe_with_meridians:",
    "console": ":speech_balloon:",
    "exception": ":boom:",
}


def mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> dict[str, str]:
    # Slack rejects empty text objects; a lone space would render as nothing useful.
    return {"type": "mrkdwn", "text": truncate(text, limit) or "-"}


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit) or "-", "emoji": True}


def section(
    text: str, *, block_id: str | None = None, accessory: Block | None = None
) -> Block:
    block = _with_id({"type": "section", "text": mrkdwn(text)}, block_id)
    if accessory is not None:
        block["accessory"] = accessory
    return block


def fields(items: Sequence[str], *, block_id: str | None = None) -> Block:
    """A section of label/value pairs in two columns; at most ten are kept."""
    texts = [mrkdwn(item, MAX_FIELD_TEXT) for item in items[:MAX_FIELDS]]
    return _with_id({"type": "section", "fields": texts}, block_id)


def field(label: str, value: str) -> str:
    """``*Label*`` over its value, as one field of `fields`."""
    return f"*{label}*\n{value}"


def header(text: str) -> Block:
    """A header in our own words (plain text: outside text belongs in mrkdwn)."""
    return {"type": "header", "text": plain(text, MAX_HEADER)}


def context(*elements: str, block_id: str | None = None) -> Block:
    texts = [mrkdwn(text, MAX_CONTEXT_TEXT) for text in elements[:MAX_CONTEXT_ELEMENTS]]
    return _with_id({"type": "context", "elements": texts}, block_id)


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


def actions(*elements: Block, block_id: str | None = None) -> Block:
    return _with_id({"type": "actions", "elements": list(elements)}, block_id)


def _with_id(block: Block, block_id: str | None) -> Block:
    if block_id:
        block["block_id"] = block_id
    return block


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


# Words every view uses about sessions and counts.


def short_id(session_id: str) -> str:
    """The first 8 characters: enough to tell sessions apart in a channel."""
    return session_id[:SHORT_ID_CHARS]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 session``, ``3 sessions``; ``plural_form`` where an ``s`` does not fit."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count} {word}"


def date_or_na(when: datetime | None) -> str:
    return slack_date(when) if when is not None else "n/a"


def log_icon(kind: str) -> str:
    """The emoji for a kind of failed log line (see `bot.logsummary`)."""
    return _LOG_ICONS.get(kind, "•")


def value_text(value: object) -> str:
    """Metadata values may be nested objects; show them as compact JSON."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    except ValueError:  # a circular structure, which parsed JSON never is
        return str(value)
