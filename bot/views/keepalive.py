"""Keep-alive sessions: the warning, the list, and the Terminate button's whole story.

A keep-alive session keeps running, and billing, until someone releases it or its
timeout ends it. Every Terminate button is red, carries a signed value, and asks first
in a confirm dialog that names the session, its age and its metadata.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.models import SESSIONS_URL, Session
from bot.views.actions import OPEN_LINK, SHARE, TERMINATE
from bot.views.alerts import (
    HEADLINE_BLOCK_ID,
    LIVE_BLOCK_ID,
    date_or_na,
    headline,
    metadata_mrkdwn,
    metadata_plain,
    session_noun,
    short_id,
)
from bot.views.describe import end_reason, time_left
from bot.views.text import (
    clip,
    code,
    escape,
    human_duration,
    link,
    slack_date,
    truncate,
)

Block = dict[str, Any]
Signer = Callable[[str], str]

MAX_LISTED = 20
_MAX_BLOCKS = 50
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


# The pieces every keep-alive view shares (home.py uses them too).


def age_seconds(session: Session, now: datetime) -> float:
    return session.duration_seconds(now) or 0.0


def billed_minutes(session: Session, now: datetime) -> int:
    """Browser minutes so far: Browserbase bills every started minute, at least one."""
    return max(1, math.ceil(age_seconds(session, now) / 60))


def terminate_button(session: Session, *, now: datetime, sign: Signer) -> Block:
    """The red Terminate button, whose confirm dialog says exactly what goes away."""
    return {
        "type": "button",
        "text": _plain("Terminate", 75),
        "style": "danger",
        "action_id": TERMINATE,
        "value": sign(session.id),
        "confirm": _confirm(session, now),
    }


def inspector_button(session: Session) -> Block:
    return {
        "type": "button",
        "text": _plain("Open in Session Inspector", 75),
        "action_id": OPEN_LINK,
        "url": session.inspector_url,
    }


def session_blocks(
    session: Session,
    *,
    now: datetime,
    sign: Signer,
    index: int,
    can_terminate: bool = True,
) -> list[Block]:
    """One running session in a list: a line of facts, then its buttons."""
    label = link(session.inspector_url, short_id(session.id))
    line = (
        f"{label} running for *{human_duration(age_seconds(session, now))}* · "
        f"{_time_left_phrase(session, now, short=True)} · "
        f"{billed_minutes(session, now)} min billed · "
        f"{clip(session.region or 'unknown region', 100)}\n"
        f"{metadata_mrkdwn(session.user_metadata, pairs=4, limit=60)}"
    )
    buttons = [inspector_button(session)]
    if can_terminate:
        buttons.insert(0, terminate_button(session, now=now, sign=sign))
    return [
        _section(line, block_id=f"bb_keepalive_{index}"),
        {
            "type": "actions",
            "block_id": f"bb_keepalive_{index}_actions",
            "elements": buttons,
        },
    ]


def _confirm(session: Session, now: datetime) -> Block:
    age = human_duration(age_seconds(session, now))
    lead = (
        f"{session_noun(session)} {escape(short_id(session.id))} has been running "
        f"for {age}. Terminating releases it: its browser closes and anything "
        "connected to it stops. This cannot be undone."
    )
    if session.user_metadata:
        budget = 300 - len(lead) - len("\nMetadata: ")
        lead += f"\nMetadata: {metadata_plain(session.user_metadata, budget)}"
    return {
        "title": _plain("Terminate this session?", 100),
        "text": _plain(lead, 300),
        "confirm": _plain("Terminate", 30),
        "deny": _plain("Keep it running", 30),
        "style": "danger",
    }


def _time_left_phrase(session: Session, now: datetime, *, short: bool = False) -> str:
    """``times out in 5 h``; the long form adds the time it happens at."""
    left = time_left(session, now)
    if left is None or session.expires_at is None:
        return "timeout unknown"
    phrase = f"times out in {human_duration(left)}"
    if short:
        return phrase
    return f"{phrase} (at {slack_date(session.expires_at, '{time}')})"


# Messages.


def keepalive_warning_message(
    session: Session, *, now: datetime, after_minutes: float, sign: Signer
) -> dict[str, Any]:
    """The channel warning for a keep-alive session that has run too long."""
    age = human_duration(age_seconds(session, now))
    title = (
        f":money_with_wings: Keep-alive session {code(short_id(session.id))} "
        f"has been running for {age}"
    )
    why = (
        "It keeps running, and billing, until someone releases it or its timeout "
        f"ends it. The bot warns after {human_duration(after_minutes * 60)}."
    )
    blocks = [
        # The headline is rewritten and the live fields dropped once the session ends.
        _section(f"{title}\n{why}", block_id=HEADLINE_BLOCK_ID),
        _fields(_live_fields(session, now), block_id=LIVE_BLOCK_ID),
        _fields(_fixed_fields(session)),
        _actions(
            terminate_button(session, now=now, sign=sign), inspector_button(session)
        ),
    ]
    fallback = (
        f"Keep-alive session {escape(short_id(session.id))} has been running for {age}"
    )
    return _message(_with_metadata(fallback, session), blocks)


def keepalive_list_view(
    sessions: Sequence[Session],
    *,
    now: datetime,
    sign: Signer,
    command_text: str,
    public: bool,
) -> dict[str, Any]:
    """Running keep-alive sessions, oldest first, each with Terminate and Inspector."""
    running = sorted((s for s in sessions if s.is_live), key=_start_key)
    if not running:
        text = ":sparkles: No keep-alive sessions are running."
        return _message("No keep-alive sessions are running.", [_section(text)])

    minutes = sum(billed_minutes(s, now) for s in running)
    count = f"{len(running)} keep-alive session{'s are' if len(running) > 1 else ' is'}"
    title = f":money_with_wings: *{count} running* · {minutes} browser minutes so far"
    blocks = [_section(title)]
    for index, session in enumerate(running[:MAX_LISTED]):
        blocks += session_blocks(session, now=now, sign=sign, index=index)
    if len(running) > MAX_LISTED:
        more = len(running) - MAX_LISTED
        sessions_link = link(SESSIONS_URL, "sessions list")
        blocks.append(_context(f"… and {more} more: see the {sessions_link}."))
    if not public:
        blocks.append(_share_actions(command_text))
    return _message(f"{count} running, {minutes} browser minutes so far", blocks)


def terminate_card(
    session: Session,
    *,
    now: datetime,
    sign: Signer,
    default_timeout: int | None = None,
) -> dict[str, Any]:
    """The card for ``/browserbase terminate ID``: a confirmed button, or why not."""
    short = code(short_id(session.id))
    if not session.is_live:
        reason = end_reason(session, default_timeout, now)
        text = f"{headline(session, now=now, default_timeout=default_timeout)}."
        text += " It has already ended: there is nothing to terminate."
        fallback = f"Session {escape(short_id(session.id))} already ended: it {reason}"
        return _message(fallback, [_section(text), _context(_inspector_link(session))])

    title = f":warning: Terminate {session_noun(session).lower()} {short}?"
    blocks = [
        _section(title, block_id=HEADLINE_BLOCK_ID),
        _fields(_live_fields(session, now), block_id=LIVE_BLOCK_ID),
        _fields(_fixed_fields(session)),
        _actions(
            terminate_button(session, now=now, sign=sign), inspector_button(session)
        ),
    ]
    fallback = f"Terminate session {escape(short_id(session.id))}?"
    return _message(_with_metadata(fallback, session), blocks)


def terminated_message(
    session: Session, *, user_id: str, at: datetime, ran_for_seconds: float
) -> dict[str, Any]:
    """The message edited after a release: who, when, after how long; no buttons."""
    ran = human_duration(ran_for_seconds)
    title = (
        f":stop_sign: {session_noun(session)} {code(short_id(session.id))} "
        f"terminated by {mention(user_id)} at {slack_date(at, '{time}')} after {ran}"
    )
    minutes = max(1, math.ceil(ran_for_seconds / 60))
    facts = f"{minutes} browser minutes billed · {_inspector_link(session)}"
    blocks = [
        _section(title, block_id=HEADLINE_BLOCK_ID),
        _fields(_fixed_fields(session)),
        _context(facts),
    ]
    fallback = f"Session {escape(short_id(session.id))} was terminated after {ran}"
    return _message(_with_metadata(fallback, session), blocks)


def already_ended_message(
    session: Session,
    *,
    now: datetime,
    default_timeout: int | None,
    terminated_by: str | None,
    terminated_at: datetime | None,
) -> dict[str, Any]:
    """For a stale button or a second click: who got there first, or how it ended."""
    short = code(short_id(session.id))
    if terminated_by is not None:
        when = f" at {slack_date(terminated_at, '{time}')}" if terminated_at else ""
        title = (
            f":information_source: {session_noun(session)} {short} was already "
            f"terminated by {mention(terminated_by)}{when}."
        )
        fallback = f"Session {escape(short_id(session.id))} was already terminated"
    else:
        reason = end_reason(session, default_timeout, now)
        title = headline(session, now=now, default_timeout=default_timeout)
        title += "." if session.is_live else ". There is nothing left to terminate."
        fallback = f"Session {escape(short_id(session.id))} {reason}"
    blocks = [
        _section(title, block_id=HEADLINE_BLOCK_ID),
        _fields(_fixed_fields(session)),
        _context(_inspector_link(session)),
    ]
    return _message(fallback, blocks)


def mention(user_id: str) -> str:
    """``<@U123>`` for a Slack user id; anything else is shown as inert text."""
    if _USER_ID.match(user_id):
        return f"<@{user_id}>"
    return code(user_id, 40)


def _live_fields(session: Session, now: datetime) -> list[str]:
    return [
        f"*Running for*\n{human_duration(age_seconds(session, now))}",
        f"*Time left*\n{_time_left_phrase(session, now)}",
        f"*Browser minutes so far*\n{billed_minutes(session, now)} (billed per minute)",
        f"*Started*\n{date_or_na(session.started_at or session.created_at)}",
    ]


def _fixed_fields(session: Session) -> list[str]:
    return [
        f"*Region*\n{clip(session.region or 'unknown', 100)}",
        f"*Metadata*\n{metadata_mrkdwn(session.user_metadata, pairs=6, limit=100)}",
    ]


def _with_metadata(fallback: str, session: Session) -> str:
    if not session.user_metadata:
        return fallback
    return f"{fallback} ({metadata_plain(session.user_metadata, 300)})"


def _inspector_link(session: Session) -> str:
    return link(session.inspector_url, "Open in Session Inspector")


def _start_key(session: Session) -> tuple[bool, datetime]:
    start = session.started_at or session.created_at
    # Sessions without a start time go last; the datetime is only a tie-breaker then.
    return (start is None, start or datetime.max.replace(tzinfo=UTC))


def _share_actions(command_text: str) -> Block:
    button = {
        "type": "button",
        "text": _plain("Share in channel", 75),
        "action_id": SHARE,
        "value": command_text[:2000],
    }
    return {"type": "actions", "block_id": "bb_share", "elements": [button]}


# Small builders. TODO(views): use bot/views/common.py's builders once it lands.


def _message(fallback: str, blocks: list[Block]) -> dict[str, Any]:
    return {"text": truncate(fallback, 3000), "blocks": blocks[:_MAX_BLOCKS]}


def _section(text: str, *, block_id: str | None = None) -> Block:
    block: Block = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text, 3000)},
    }
    if block_id:
        block["block_id"] = block_id
    return block


def _fields(fields: Sequence[str], *, block_id: str | None = None) -> Block:
    block: Block = {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": truncate(f, 2000)} for f in fields[:10]],
    }
    if block_id:
        block["block_id"] = block_id
    return block


def _context(text: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(text, 2000)}],
    }


def _actions(*elements: Block) -> Block:
    return {"type": "actions", "elements": list(elements)}


def _plain(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}
