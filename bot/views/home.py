"""The App Home tab: the bot's health, keep-alive sessions, recent alerts, commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.commands import COMMAND, SUBCOMMANDS
from bot.models import SESSIONS_URL, Session
from bot.views.admin import BotStatus, is_healthy, status_lines
from bot.views.alerts import metadata_mrkdwn, outcome
from bot.views.common import Block, context, divider, header, section, short_id
from bot.views.describe import status_icon
from bot.views.keepalive import age_seconds, billed_minutes, session_blocks
from bot.views.text import clip, code, human_duration, link, relative_time

_MAX_BLOCKS = 100
_KEEPALIVE_SHOWN = 15
_RECENT_SHOWN = 10
_HOW_TO = ("sessions", "keepalive", "terminate", "alerts", "status")


def home_view(
    *,
    status: BotStatus,
    keepalive: Sequence[Session],
    recent_alerts: Sequence[Session],
    now: datetime,
    sign: Callable[[str], str],
    is_admin: bool,
) -> dict[str, Any]:
    """The Home tab; Terminate buttons appear only for admins."""
    blocks = [
        header("Browserbase"),
        *_health_blocks(status, now),
        divider(),
        *_keepalive_blocks(keepalive, now=now, sign=sign, is_admin=is_admin),
        divider(),
        *_recent_blocks(recent_alerts, now),
        divider(),
        *_how_to_blocks(),
    ]
    return {"type": "home", "blocks": blocks[:_MAX_BLOCKS]}


def _health_blocks(status: BotStatus, now: datetime) -> list[Block]:
    title = (
        ":large_green_circle: *The bot is healthy*"
        if is_healthy(status, now)
        else ":warning: *The bot needs attention*"
    )
    interval = human_duration(status.poll_interval)
    return [
        section("\n".join([title, *status_lines(status, now=now)])),
        context(f"bbslack {clip(status.version, 40)} · polls every {interval}"),
    ]


def _keepalive_blocks(
    sessions: Sequence[Session],
    *,
    now: datetime,
    sign: Callable[[str], str],
    is_admin: bool,
) -> list[Block]:
    running = sorted(
        (s for s in sessions if s.is_live),
        key=lambda s: age_seconds(s, now),
        reverse=True,
    )
    if not running:
        return [section(":sparkles: *No keep-alive sessions are running.*")]

    minutes = sum(billed_minutes(s, now) for s in running)
    title = (
        f":money_with_wings: *Keep-alive sessions running: {len(running)}* · "
        f"{minutes} browser minutes so far"
    )
    blocks = [section(title)]
    for index, session in enumerate(running[:_KEEPALIVE_SHOWN]):
        blocks += session_blocks(
            session, now=now, sign=sign, index=index, can_terminate=is_admin
        )
    notes = []
    if len(running) > _KEEPALIVE_SHOWN:
        more = len(running) - _KEEPALIVE_SHOWN
        notes.append(f"… and {more} more in the {link(SESSIONS_URL, 'sessions list')}.")
    if not is_admin:
        notes.append("Only admins (`BBSLACK_ADMINS`) can terminate sessions.")
    if notes:
        blocks.append(context(*notes))
    return blocks


def _recent_blocks(sessions: Sequence[Session], now: datetime) -> list[Block]:
    if not sessions:
        return [section(":bell: *Recent alerts*\nNo alerts yet.")]
    lines = [":bell: *Recent alerts*"]
    for session in sessions[:_RECENT_SHOWN]:
        label = link(session.inspector_url, short_id(session.id))
        what = outcome(session.status)
        ran = human_duration(session.duration_seconds(now))
        when = relative_time(session.ended_at or session.updated_at, now)
        metadata = metadata_mrkdwn(session.user_metadata, pairs=2, limit=40)
        icon = status_icon(session.status)
        lines.append(f"{icon} {label} {what} after {ran}, {when} · {metadata}")
    return [section("\n".join(lines))]


def _how_to_blocks() -> list[Block]:
    lines = [":information_source: *How to use*"]
    for name in _HOW_TO:
        sub = SUBCOMMANDS.get(name)
        if sub is not None:
            lines.append(f"• {code(sub.example)}: {sub.description}.")
    return [
        section("\n".join(lines)),
        context(
            f"{code(f'{COMMAND} help')} lists every command. Answers are shown only "
            "to you unless you add `public`."
        ),
    ]
