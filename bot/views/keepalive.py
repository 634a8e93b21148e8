"""Keep-alive sessions: the warning, the list, and the Terminate button's whole story.

A keep-alive session keeps running, and billing, until someone releases it or its
timeout ends it. Every Terminate button is red, carries a signed value, and asks first
in a confirm dialog that names the session, its age and its metadata.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from bot.models import SESSIONS_URL, Session
from bot.views.actions import TERMINATE
from bot.views.admin import user_mention
from bot.views.alerts import (
    HEADLINE_BLOCK_ID,
    LIVE_BLOCK_ID,
    headline,
    metadata_mrkdwn,
    metadata_plain,
    session_noun,
)
from bot.views.common import (
    Block,
    Message,
    actions,
    button,
    context,
    date_or_na,
    envelope,
    field,
    fields,
    link_button,
    plain,
    section,
    short_id,
)
from bot.views.describe import end_reason, time_left
from bot.views.text import clip, code, escape, human_duration, link, slack_date

Signer = Callable[[str], str]

MAX_LISTED = 20


# The pieces every keep-alive view shares (home.py uses them too).


def age_seconds(session: Session, now: datetime) -> float:
    return session.duration_seconds(now) or 0.0


def billed_minutes(session: Session, now: datetime) -> int:
    """Browser minutes so far: Browserbase bills every started minute, at least one."""
    return max(1, math.ceil(age_seconds(session, now) / 60))


def terminate_button(session: Session, *, now: datetime, sign: Signer) -> Block:
    """The red Terminate button, whose confirm dialog says exactly what goes away."""
    terminate = button("Terminate", TERMINATE, sign(session.id))
    return {**terminate, "style": "danger", "confirm": _confirm(session, now)}


def inspector_button(session: Session) -> Block:
    return link_button("Open in Session Inspector", session.inspector_url)


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
        section(line, block_id=f"bb_keepalive_{index}"),
        actions(*buttons, block_id=f"bb_keepalive_{index}_actions"),
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
        "title": plain("Terminate this session?", 100),
        "text": plain(lead, 300),
        "confirm": plain("Terminate", 30),
        "deny": plain("Keep it running", 30),
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
) -> Message:
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
        section(f"{title}\n{why}", block_id=HEADLINE_BLOCK_ID),
        fields(_live_fields(session, now), block_id=LIVE_BLOCK_ID),
        fields(_fixed_fields(session)),
        actions(
            terminate_button(session, now=now, sign=sign), inspector_button(session)
        ),
    ]
    fallback = (
        f"Keep-alive session {escape(short_id(session.id))} has been running for {age}"
    )
    return envelope(_with_metadata(fallback, session), blocks)


def keepalive_list_view(
    sessions: Sequence[Session],
    *,
    now: datetime,
    sign: Signer,
    command_text: str,
    public: bool,
) -> Message:
    """Running keep-alive sessions, oldest first, each with Terminate and Inspector."""
    running = sorted((s for s in sessions if s.is_live), key=_start_key)
    if not running:
        text = ":sparkles: No keep-alive sessions are running."
        return envelope("No keep-alive sessions are running.", [section(text)])

    minutes = sum(billed_minutes(s, now) for s in running)
    count = f"{len(running)} keep-alive session{'s are' if len(running) > 1 else ' is'}"
    title = f":money_with_wings: *{count} running* · {minutes} browser minutes so far"
    blocks = [section(title)]
    for index, session in enumerate(running[:MAX_LISTED]):
        blocks += session_blocks(session, now=now, sign=sign, index=index)
    if len(running) > MAX_LISTED:
        more = len(running) - MAX_LISTED
        sessions_link = link(SESSIONS_URL, "sessions list")
        blocks.append(context(f"… and {more} more: see the {sessions_link}."))
    fallback = f"{count} running, {minutes} browser minutes so far"
    return envelope(fallback, blocks, share_text=None if public else command_text)


def terminate_card(
    session: Session,
    *,
    now: datetime,
    sign: Signer,
    default_timeout: int | None = None,
) -> Message:
    """The card for ``/browserbase terminate ID``: a confirmed button, or why not."""
    short = code(short_id(session.id))
    if not session.is_live:
        reason = end_reason(session, default_timeout, now)
        text = f"{headline(session, now=now, default_timeout=default_timeout)}."
        text += " It has already ended: there is nothing to terminate."
        fallback = f"Session {escape(short_id(session.id))} already ended: it {reason}"
        return envelope(fallback, [section(text), context(_inspector_link(session))])

    title = f":warning: Terminate {session_noun(session).lower()} {short}?"
    blocks = [
        section(title, block_id=HEADLINE_BLOCK_ID),
        fields(_live_fields(session, now), block_id=LIVE_BLOCK_ID),
        fields(_fixed_fields(session)),
        actions(
            terminate_button(session, now=now, sign=sign), inspector_button(session)
        ),
    ]
    fallback = f"Terminate session {escape(short_id(session.id))}?"
    return envelope(_with_metadata(fallback, session), blocks)


def terminated_message(
    session: Session, *, user_id: str, at: datetime, ran_for_seconds: float
) -> Message:
    """The message edited after a release: who, when, after how long; no buttons."""
    ran = human_duration(ran_for_seconds)
    title = (
        f":stop_sign: {session_noun(session)} {code(short_id(session.id))} "
        f"terminated by {user_mention(user_id)} at {slack_date(at, '{time}')} "
        f"after {ran}"
    )
    minutes = max(1, math.ceil(ran_for_seconds / 60))
    facts = f"{minutes} browser minutes billed · {_inspector_link(session)}"
    blocks = [
        section(title, block_id=HEADLINE_BLOCK_ID),
        fields(_fixed_fields(session)),
        context(facts),
    ]
    fallback = f"Session {escape(short_id(session.id))} was terminated after {ran}"
    return envelope(_with_metadata(fallback, session), blocks)


def already_ended_message(
    session: Session,
    *,
    now: datetime,
    default_timeout: int | None,
    terminated_by: str | None,
    terminated_at: datetime | None,
) -> Message:
    """For a stale button or a second click: who got there first, or how it ended."""
    short = code(short_id(session.id))
    if terminated_by is not None:
        when = f" at {slack_date(terminated_at, '{time}')}" if terminated_at else ""
        title = (
            f":information_source: {session_noun(session)} {short} was already "
            f"terminated by {user_mention(terminated_by)}{when}."
        )
        fallback = f"Session {escape(short_id(session.id))} was already terminated"
    else:
        reason = end_reason(session, default_timeout, now)
        title = headline(session, now=now, default_timeout=default_timeout)
        title += "." if session.is_live else ". There is nothing left to terminate."
        fallback = f"Session {escape(short_id(session.id))} {reason}"
    blocks = [
        section(title, block_id=HEADLINE_BLOCK_ID),
        fields(_fixed_fields(session)),
        context(_inspector_link(session)),
    ]
    return envelope(fallback, blocks)


def _live_fields(session: Session, now: datetime) -> list[str]:
    return [
        field("Running for", human_duration(age_seconds(session, now))),
        field("Time left", _time_left_phrase(session, now)),
        field(
            "Browser minutes so far",
            f"{billed_minutes(session, now)} (billed per minute)",
        ),
        field("Started", date_or_na(session.started_at or session.created_at)),
    ]


def _fixed_fields(session: Session) -> list[str]:
    return [
        field("Region", clip(session.region or "unknown", 100)),
        field("Metadata", metadata_mrkdwn(session.user_metadata, pairs=6, limit=100)),
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
