"""The project's usage and settings as Slack messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.models import DASHBOARD_URL, Project, Session, Usage
from bot.views.common import (
    Block,
    Message,
    actions,
    context,
    envelope,
    field,
    fields,
    header,
    link_button,
    section,
    short_id,
)
from bot.views.text import clip, code, human_bytes, human_duration, link

# Running at this share of the concurrency limit, new sessions may soon get a 429.
_BUSY_SHARE = 0.8
_KEEP_ALIVE_LISTED = 5


def usage_view(
    usage: Usage,
    project: Project,
    *,
    running: Sequence[Session],
    now: datetime,
    command_text: str,
    public: bool,
) -> Message:
    keep_alive = [s for s in running if s.keep_alive]
    name = clip(project.name, 100)
    blocks: list[Block] = [
        header("Browserbase usage"),
        section(f"Project *{name}*"),
        fields(
            [
                field("Browser minutes", _minutes(usage.browser_minutes)),
                field("Proxy data", human_bytes(usage.proxy_bytes)),
                field("Running now", _running(len(running), project.concurrency)),
                field("Keep-alive running", _keep_alive(keep_alive)),
                field("Default timeout", _timeout(project.default_timeout)),
            ]
        ),
    ]
    if keep_alive:
        blocks.append(section(_keep_alive_list(keep_alive, now)))
    blocks.append(actions(link_button("Open usage dashboard", DASHBOARD_URL)))
    blocks.append(
        context(
            "Minutes and proxy data are Browserbase's own totals; the "
            f"{link(DASHBOARD_URL, 'usage dashboard')} shows the period they cover."
        )
    )
    fallback = (
        f"Browserbase usage for {name}: {_minutes(usage.browser_minutes)} of "
        f"browsers, {human_bytes(usage.proxy_bytes)} of proxy data, "
        f"{_running(len(running), project.concurrency)}"
    )
    return envelope(fallback, blocks, share_text=None if public else command_text)


def project_view(project: Project, *, command_text: str, public: bool) -> Message:
    name = clip(project.name, 100)
    blocks: list[Block] = [
        section(f"Project *{name}*"),
        fields(
            [
                field("Project id", code(project.id, 130)),
                field("Default timeout", _timeout(project.default_timeout)),
                field("Concurrency", _concurrency(project.concurrency)),
            ]
        ),
        context(
            "Sessions that set no `timeout` of their own get the default timeout. "
            "Concurrency is how many browsers this project may run at once."
        ),
    ]
    fallback = (
        f"Project {name}: default timeout {_timeout(project.default_timeout)}, "
        f"concurrency {_concurrency(project.concurrency)}"
    )
    return envelope(fallback, blocks, share_text=None if public else command_text)


def _minutes(minutes: int) -> str:
    text = f"{minutes:,} min"
    return f"{text} (about {round(minutes / 60):,} h)" if minutes >= 120 else text


def _running(count: int, concurrency: int | None) -> str:
    if not concurrency:
        return f"{count} running (concurrency limit unknown)"
    text = f"{count} of {concurrency} browsers"
    if count >= concurrency:
        return f":no_entry: {text}: at the limit, new sessions will be refused"
    if count >= concurrency * _BUSY_SHARE:
        return f":warning: {text}: close to the limit"
    return text


def _keep_alive(sessions: Sequence[Session]) -> str:
    if not sessions:
        return "none"
    return f":pushpin: {len(sessions)}, billing until released or timed out"


def keepalive_lines(
    sessions: Sequence[Session], now: datetime, *, limit: int = _KEEP_ALIVE_LISTED
) -> list[str]:
    """``• abc12345 up 1 h 30 min`` per session, oldest first, then how many more."""
    oldest = sorted(sessions, key=lambda s: s.duration_seconds(now) or 0, reverse=True)
    lines = [
        f"• {link(s.inspector_url, short_id(s.id))} up "
        f"{human_duration(s.duration_seconds(now))}"
        for s in oldest[:limit]
    ]
    if len(oldest) > limit:
        lines.append(f"• and {len(oldest) - limit} more")
    return lines


def _keep_alive_list(sessions: Sequence[Session], now: datetime) -> str:
    return (
        "*Keep-alive sessions running*, oldest first "
        "(`/browserbase keepalive` to release them):\n"
        + "\n".join(keepalive_lines(sessions, now))
    )


def _timeout(seconds: int | None) -> str:
    return human_duration(seconds) if seconds is not None else "unknown"


def _concurrency(limit: int | None) -> str:
    return f"{limit} browsers at once" if limit is not None else "unknown"
