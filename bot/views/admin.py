"""Who may terminate, what was done, and how the bot and a channel's alerts stand.

Ids that end up inside ``<@...>``, ``<!subteam^...>`` or ``<#...>`` are checked against
Slack's own id shapes first; anything else is shown as inert text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from bot.commands import COMMAND
from bot.models import INSPECTOR_URL
from bot.views.common import (
    MAX_SECTION_TEXT,
    Message,
    context,
    envelope,
    plural,
    section,
    short_id,
)
from bot.views.text import (
    clip,
    code,
    escape,
    human_duration,
    link,
    relative_time,
    slack_date,
)

# The alert commands as `bot.commands` parses them.
SUBSCRIBE_USAGE = (
    f"{COMMAND} alerts subscribe [errors|timeouts|keepalive|all] [KEY=VALUE ...]"
)
UNSUBSCRIBE_USAGE = f"{COMMAND} alerts unsubscribe"
MUTE_USAGE = f"{COMMAND} alerts mute 2h"
UNMUTE_USAGE = f"{COMMAND} alerts unmute"
_MAX_AUDIT = 40
_USER = re.compile(r"^[UW][A-Z0-9]+$")
_GROUP = re.compile(r"^S[A-Z0-9]+$")
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]+$")
_RESULT_ICONS = {
    "released": ":stop_sign:",
    "refused": ":no_entry:",
    "already ended": ":information_source:",
    "rejected": ":warning:",
    "failed": ":x:",
}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    user_id: str
    session_id: str
    channel_id: str | None
    action: str
    result: str
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Subscription:
    channel_id: str
    kinds: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    created_by: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelAlertState:
    channel_id: str
    subscriptions: Sequence[Subscription]
    muted_until: datetime | None
    is_default_channel: bool
    pending: int
    failed: int
    last_failure: str | None
    last_posted_at: datetime | None


@dataclass(frozen=True, slots=True)
class BotStatus:
    version: str
    last_poll_at: datetime | None
    last_poll_ok: bool | None
    last_poll_error: str | None
    outage_since: datetime | None
    sessions_tracked: int
    alerts_pending: int
    alerts_failed: int
    mutes: Mapping[str, datetime]
    poll_interval: float


# Mentions that cannot be forged from outside text.


def user_mention(user_id: str) -> str:
    """``<@U123>`` for a Slack user id; anything else is shown as inert text."""
    return f"<@{user_id}>" if _USER.match(user_id) else code(user_id, 40)


def channel_mention(channel_id: str | None) -> str:
    if channel_id is None:
        return "this channel"
    return f"<#{channel_id}>" if _CHANNEL.match(channel_id) else code(channel_id, 40)


def _admin_mention(admin_id: str) -> str:
    if _GROUP.match(admin_id):
        return f"members of <!subteam^{admin_id}>"
    return user_mention(admin_id)


# Permissions and failed terminations.


def permission_denied_view(
    *, admins: Collection[str], action: str = "terminate sessions"
) -> Message:
    """Why the click was refused, who may do it, and how an admin adds someone."""
    what = clip(action, 100)
    if not admins:
        fallback = (
            f"Nobody can {what} yet: set BBSLACK_ADMINS to a comma-separated list of "
            "Slack user or user-group IDs and restart the bot."
        )
        return envelope(fallback, [section(f":no_entry: {fallback}")])
    who = ", ".join(_admin_mention(admin) for admin in sorted(admins))
    text = (
        f":no_entry: You are not allowed to {what}. Who can: {who}.\n"
        "To allow someone, an admin adds their member ID (their Slack profile > "
        "⋮ > Copy member ID) to `BBSLACK_ADMINS` and restarts the bot."
    )
    return envelope(f"You are not allowed to {what}.", [section(text)])


def terminate_failed_view(session_id: str, reason: str) -> Message:
    """What went wrong with a Terminate click; the message it came from is unchanged."""
    inspector = INSPECTOR_URL.format(id=quote(session_id, safe=""))
    short, why = short_id(session_id), clip(reason, 1000)
    text = (
        f":warning: Could not terminate session {code(short)}: {why}\n"
        "The message is left as it was. Try again in a minute, or release the "
        f"session from the {link(inspector, 'Inspector')}."
    )
    fallback = f"Could not terminate session {escape(short)}: {why}"
    return envelope(fallback, [section(text)])


def audit_view(entries: Sequence[AuditEntry], *, now: datetime) -> Message:
    """The latest termination attempts, newest first."""
    if not entries:
        text = ":scroll: No termination attempts yet."
        return envelope("No termination attempts yet.", [section(text)])
    ordered = sorted(entries, key=lambda entry: entry.at, reverse=True)
    lines = [_audit_line(entry, now) for entry in ordered[:_MAX_AUDIT]]
    blocks = [section(":scroll: *Termination attempts*, newest first")]
    blocks += [section(chunk) for chunk in _chunks(lines, MAX_SECTION_TEXT)]
    if len(ordered) > _MAX_AUDIT:
        blocks.append(context(f"Showing the latest {_MAX_AUDIT} of {len(ordered)}."))
    return envelope(f"{len(ordered)} termination attempts, newest first", blocks)


def _audit_line(entry: AuditEntry, now: datetime) -> str:
    result = entry.result.lower().replace("_", " ")
    icon = _RESULT_ICONS.get(result, ":grey_question:")
    line = (
        f"{icon} *{clip(result, 40)}* · {slack_date(entry.at)} "
        f"({relative_time(entry.at, now)}) · {user_mention(entry.user_id)} · "
        f"{clip(entry.action, 40)} {code(short_id(entry.session_id))} in "
        f"{channel_mention(entry.channel_id)}"
    )
    if entry.detail:
        line += f" · {clip(' '.join(entry.detail.split()), 300)}"
    return line


# A channel's alerts.


def alerts_state_view(state: ChannelAlertState, *, now: datetime) -> Message:
    """The channel's subscriptions, mute and deliveries, and how to change them."""
    channel = channel_mention(state.channel_id)
    blocks = [
        section(f":bell: *Alerts in {channel}*\n{_subscription_text(state)}"),
        section(f"{_mute_line(state.muted_until, now)}\n{_delivery_line(state, now)}"),
        context(
            f"Subscribe: {code(SUBSCRIBE_USAGE)}",
            f"Stop: {code(UNSUBSCRIBE_USAGE)}",
            f"Mute: {code(MUTE_USAGE)} · {code(UNMUTE_USAGE)}",
        ),
    ]
    subscriptions = plural(len(state.subscriptions), "subscription")
    muted = " (muted)" if _is_muted(state.muted_until, now) else ""
    fallback = f"Alerts in this channel: {subscriptions}{muted}"
    return envelope(fallback, blocks)


def _subscription_text(state: ChannelAlertState) -> str:
    if not state.subscriptions:
        if state.is_default_channel:
            return (
                "No subscriptions. This is the default alert channel "
                "(`BBSLACK_ALERT_CHANNEL`): it gets every alert while no channel "
                "has subscribed."
            )
        return "No subscriptions: this channel gets no alerts."
    lines = [_subscription_line(sub) for sub in state.subscriptions[:20]]
    if len(state.subscriptions) > 20:
        lines.append(f"… and {len(state.subscriptions) - 20} more")
    return "\n".join(lines)


def _subscription_line(sub: Subscription) -> str:
    line = f"• {code(sub.kinds, 80)}"
    if sub.metadata:
        pairs = ", ".join(f"{key}={value}" for key, value in sub.metadata.items())
        line += f" for sessions with {code(pairs, 300)}"
    else:
        line += " for every session"
    if sub.created_by:
        line += f", added by {user_mention(sub.created_by)}"
    return line


def _is_muted(until: datetime | None, now: datetime) -> bool:
    return until is not None and until > now


def _mute_line(until: datetime | None, now: datetime) -> str:
    if until is None or not _is_muted(until, now):
        return ":bell: Not muted."
    return f":mute: Muted until {slack_date(until)} ({relative_time(until, now)})."


def _delivery_line(state: ChannelAlertState, now: datetime) -> str:
    line = f":outbox_tray: {state.pending} pending, {state.failed} failed"
    if state.last_posted_at is not None:
        line += f"; last alert posted {relative_time(state.last_posted_at, now)}"
    if state.last_failure:
        line += f"\n:x: Last failure: {clip(state.last_failure, 500)}"
    return line


# The bot's own health.


def is_healthy(status: BotStatus, now: datetime) -> bool:
    return (
        status.last_poll_ok is True
        and status.outage_since is None
        and not _poll_is_stale(status, now)
    )


def status_lines(status: BotStatus, *, now: datetime) -> list[str]:
    """The bot's health in a few lines (the Home tab shows them too)."""
    lines = [_poll_line(status, now)]
    if status.outage_since is not None:
        lines.append(
            ":rotating_light: Browserbase has been unreachable since "
            f"{slack_date(status.outage_since, '{time}')} "
            f"({relative_time(status.outage_since, now)}); alerts will catch up when "
            "it recovers."
        )
    lines.append(f":mag: Tracking {status.sessions_tracked} sessions.")
    alerts = f":outbox_tray: Alerts: {status.alerts_pending} pending"
    alerts += f", {status.alerts_failed} failed"
    if status.alerts_failed:
        alerts += " (the bot's logs say why)"
    lines.append(alerts + ".")
    lines.append(_mutes_line(status.mutes, now))
    return lines


def status_view(status: BotStatus, *, now: datetime) -> Message:
    """``/browserbase status``: last poll, outage, sessions tracked, alerts, mutes."""
    healthy = is_healthy(status, now)
    title = (
        ":large_green_circle: *bbslack is healthy*"
        if healthy
        else ":warning: *bbslack needs attention*"
    )
    interval = human_duration(status.poll_interval)
    blocks = [
        section(title),
        section("\n".join(status_lines(status, now=now))),
        context(f"bbslack {clip(status.version, 40)} · polls every {interval}"),
    ]
    fallback = f"bbslack is {'healthy' if healthy else 'degraded'}"
    return envelope(fallback, blocks)


def _poll_is_stale(status: BotStatus, now: datetime) -> bool:
    if status.last_poll_at is None:
        return False
    # Three missed polls (and at least five minutes) before calling it stuck.
    limit = max(3 * status.poll_interval, 300.0)
    return (now - status.last_poll_at).total_seconds() > limit


def _poll_line(status: BotStatus, now: datetime) -> str:
    interval = human_duration(status.poll_interval)
    if status.last_poll_at is None:
        return f":hourglass_flowing_sand: No poll yet: one runs every {interval}."
    when = relative_time(status.last_poll_at, now)
    if status.last_poll_ok is False:
        error = clip(status.last_poll_error or "unknown error", 300)
        line = f":x: Last poll {when} failed: {error}"
    else:
        line = f":white_check_mark: Last poll {when}: OK."
    if _poll_is_stale(status, now):
        line += f"\n:warning: Polls should run every {interval}: is the bot stuck?"
    return line


def _mutes_line(mutes: Mapping[str, datetime], now: datetime) -> str:
    active = sorted((until, ch) for ch, until in mutes.items() if until > now)
    if not active:
        return ":bell: No channel is muted."
    shown = [f"{channel_mention(ch)} until {slack_date(until)}" for until, ch in active]
    return ":mute: Muted: " + ", ".join(shown[:10]) + (" …" if len(shown) > 10 else "")


# One-line confirmations.


def subscribed_view(
    *,
    channel_id: str,
    kinds: str,
    metadata: Mapping[str, str],
    created: bool = True,
) -> Message:
    channel = channel_mention(channel_id)
    scope = "every session"
    if metadata:
        pairs = ", ".join(f"{key}={value}" for key, value in metadata.items())
        scope = f"sessions with {code(pairs, 300)}"
    verb = "now gets" if created else "already gets"
    icon = ":white_check_mark:" if created else ":information_source:"
    text = f"{icon} {channel} {verb} {code(kinds, 80)} alerts for {scope}."
    fallback = f"This channel {verb} {clip(kinds, 80)} alerts."
    return envelope(fallback, [section(text)])


def unsubscribed_view(*, channel_id: str, removed: int) -> Message:
    channel = channel_mention(channel_id)
    if removed == 0:
        text = f":information_source: {channel} had no subscriptions."
        fallback = "This channel had no subscriptions."
    else:
        what = plural(removed, "subscription")
        text = f":no_bell: Removed {what}: {channel} gets no alerts now."
        fallback = f"Removed {what}: this channel gets no alerts now."
    return envelope(fallback, [section(text)])


def muted_view(until: datetime, *, by: str | None = None) -> Message:
    who = f"{user_mention(by)} muted alerts" if by else "Alerts are muted"
    text = (
        f":mute: {who} in this channel until {slack_date(until)}. "
        f"{code(UNMUTE_USAGE)} turns them back on; a summary follows the mute."
    )
    fallback = f"Alerts muted until {until.strftime('%Y-%m-%d %H:%M UTC')}"
    return envelope(fallback, [section(text)])


def unmuted_view(*, by: str | None = None) -> Message:
    who = f"{user_mention(by)} turned alerts back on" if by else "Alerts are back on"
    text = f":bell: {who} in this channel."
    return envelope("Alerts are back on in this channel.", [section(text)])


# Audit lines, a section's worth at a time.


def _chunks(lines: Sequence[str], limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks
