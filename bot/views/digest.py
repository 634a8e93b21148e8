"""The daily digest: what a day of browsers came to, in one message."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.models import DASHBOARD_URL, ERROR, TIMED_OUT, Session, Usage
from bot.views.admin import channel_mention, user_mention
from bot.views.common import (
    Message,
    actions,
    context,
    envelope,
    fields,
    header,
    link_button,
    plural,
    section,
)
from bot.views.describe import status_icon
from bot.views.text import human_bytes, human_duration, slack_date
from bot.views.usage import keepalive_lines


@dataclass(frozen=True, slots=True)
class DigestData:
    since: datetime
    until: datetime
    # Sessions that ended in an error or timed out in the period, by status.
    failures: Mapping[str, int]
    # Alert messages of the period, by delivery state (sent, failed, muted...).
    alerts: Mapping[str, int]
    keepalive: Sequence[Session]
    # Browserbase's totals now, and what they grew by since the last digest.
    usage: Usage | None
    usage_growth: Usage | None


def digest_message(data: DigestData, *, now: datetime) -> Message:
    errors = data.failures.get(ERROR, 0)
    timeouts = data.failures.get(TIMED_OUT, 0)
    period = human_duration((data.until - data.since).total_seconds())
    headline = (
        f"{status_icon(ERROR)} {plural(errors, 'error')} · "
        f"{status_icon(TIMED_OUT)} {plural(timeouts, 'timeout')} "
        f"in the last {period}"
    )
    blocks = [
        header("Browserbase daily digest"),
        section(f"*{headline}*"),
        fields(_usage_fields(data) + _alert_fields(data)),
    ]
    if data.keepalive:
        blocks.append(section(_keepalive_text(data.keepalive, now)))
    blocks.append(actions(link_button("Open usage dashboard", DASHBOARD_URL)))
    blocks.append(context(f"From {slack_date(data.since)} to {slack_date(data.until)}"))
    return envelope(f"Browserbase digest: {headline}", blocks)


def _usage_fields(data: DigestData) -> list[str]:
    if data.usage is None:
        return ["*Usage*\nunavailable right now"]
    growth = data.usage_growth
    minutes = f"{data.usage.browser_minutes} min in all"
    proxy = f"{human_bytes(data.usage.proxy_bytes)} in all"
    if growth is not None:
        minutes = f"+{growth.browser_minutes} min ({minutes})"
        proxy = f"+{human_bytes(growth.proxy_bytes)} ({proxy})"
    return [f"*Browser minutes*\n{minutes}", f"*Proxy data*\n{proxy}"]


def _alert_fields(data: DigestData) -> list[str]:
    posted = sum(data.alerts.get(state, 0) for state in ("sent", "pending"))
    held = sum(data.alerts.get(state, 0) for state in ("muted", "summarized"))
    failed = data.alerts.get("failed", 0)
    text = f"{posted} posted"
    if held:
        text += f", {held} held by a mute"
    if failed:
        text += f", {failed} failed (`/browserbase alerts`)"
    return [f"*Alerts*\n{text}", f"*Keep-alive running*\n{len(data.keepalive)}"]


def _keepalive_text(sessions: Sequence[Session], now: datetime) -> str:
    lines = keepalive_lines(sessions, now)
    return "*Still running, still billing* (`/browserbase keepalive`):\n" + "\n".join(
        lines
    )


def digest_set_view(*, channel_id: str, at_minute: int, by: str) -> Message:
    hours, minutes = divmod(at_minute, 60)
    text = (
        f":newspaper: {user_mention(by)} set a daily Browserbase digest for "
        f"{channel_mention(channel_id)} at {hours:02d}:{minutes:02d} UTC. "
        "`/browserbase alerts digest off` stops it."
    )
    return envelope(f"Daily digest at {hours:02d}:{minutes:02d} UTC", [section(text)])


def digest_off_view(*, channel_id: str, removed: bool) -> Message:
    if not removed:
        text = f":information_source: {channel_mention(channel_id)} had no digest."
    else:
        text = f":newspaper: No more daily digest in {channel_mention(channel_id)}."
    return envelope("Daily digest stopped" if removed else "No digest", [section(text)])
