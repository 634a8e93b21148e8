"""Deciding what to post: routing, mutes, grouping of storms, recurring threads.

`plan_alerts` is pure: the poller reads the database, calls it, and records the plan
it returns in one transaction. A dry run prints the same plan and records nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot import routing
from bot.logsummary import LogSummary
from bot.models import Session
from bot.views import alerts as alert_views
from bot.views import keepalive as keepalive_views

# Details of a storm that go into the summary's thread; the rest are linked.
THREAD_DETAILS = 10


@dataclass
class Planned:
    """One message to record in the outbox."""

    kind: str
    channel: str
    message: dict[str, Any]
    session: Session | None = None
    # Thread under another planned message (its index in the plan)...
    parent_index: int | None = None
    # ...or under a message already in the outbox.
    parent_id: int | None = None
    muted: bool = False
    # Start a recurring-failure thread rooted at this message.
    thread_key: str | None = None


@dataclass
class Plan:
    messages: list[Planned] = field(default_factory=list)

    def add(self, item: Planned) -> int:
        self.messages.append(item)
        return len(self.messages) - 1

    def describe(self) -> list[str]:
        """One line per message, for ``bbslack poll --once --dry-run``."""
        lines = []
        for item in self.messages:
            where = item.channel
            if item.parent_index is not None or item.parent_id is not None:
                where += " (thread)"
            if item.muted:
                where += " (muted: recorded, not posted)"
            text = str(item.message.get("text", "")).splitlines()[0][:150]
            lines.append(f"{item.kind:<8} {where}: {text}")
        return lines


@dataclass(frozen=True)
class Routing:
    subscriptions: Sequence[routing.SubscriptionLike]
    default_channel: str | None
    muted: frozenset[str]
    group_threshold: int
    # (channel, recurring key) → outbox id of the open thread's root
    thread_roots: Mapping[tuple[str, str], int]
    # (channel, session id) → outbox id of an earlier post about that very session
    # (a keep-alive warning): how it ended goes into that post's thread.
    session_roots: Mapping[tuple[str, str], int] = field(default_factory=dict)


def plan_alerts(
    sessions: Sequence[Session],
    *,
    now: datetime,
    route: Routing,
    default_timeout: int | None,
    summaries: Mapping[str, LogSummary],
) -> Plan:
    """Messages for newly ended sessions, per channel."""
    by_channel: dict[str, list[Session]] = defaultdict(list)
    for session in sessions:
        kind = routing.kind_of(session.status)
        if kind is None:
            continue
        for channel in routing.channels_for(
            session, kind, route.subscriptions, route.default_channel
        ):
            by_channel[channel].append(session)

    plan = Plan()
    for channel, found in by_channel.items():

        def render(session: Session, *, reply: bool = False) -> dict[str, Any]:
            build = (
                alert_views.alert_thread_reply if reply else alert_views.alert_message
            )
            return build(
                session,
                now=now,
                default_timeout=default_timeout,
                summary=summaries.get(session.id),
            )

        if channel in route.muted:
            for session in found:
                plan.add(
                    Planned("alert", channel, render(session), session, muted=True)
                )
        elif len(found) > route.group_threshold:
            _plan_storm(plan, channel, found, now=now, render=render)
        else:
            _plan_singles(plan, channel, found, route=route, render=render)
    return plan


def _plan_storm(
    plan: Plan,
    channel: str,
    sessions: Sequence[Session],
    *,
    now: datetime,
    render: Callable[..., dict[str, Any]],
) -> None:
    shown = sessions[:THREAD_DETAILS]
    summary = alert_views.group_summary_message(
        sessions,
        now=now,
        total=len(sessions),
        group_key=routing.group_key(sessions),
        shown_in_thread=len(shown),
    )
    root = plan.add(Planned("group", channel, summary))
    for session in shown:
        plan.add(Planned("thread", channel, render(session, reply=True), session, root))
    if len(sessions) > len(shown):
        overflow = alert_views.group_overflow_message(len(sessions) - len(shown))
        plan.add(Planned("thread", channel, overflow, parent_index=root))


def _plan_singles(
    plan: Plan,
    channel: str,
    sessions: Sequence[Session],
    *,
    route: Routing,
    render: Callable[..., dict[str, Any]],
) -> None:
    roots_here: dict[str, int] = {}
    for session in sessions:
        key = routing.recurring_key(session)
        existing = route.session_roots.get((channel, session.id))
        if existing is None and key is not None:
            existing = route.thread_roots.get((channel, key))
        earlier = roots_here.get(key) if existing is None and key else None
        if existing is not None or earlier is not None:
            reply = render(session, reply=True)
            plan.add(
                Planned("thread", channel, reply, session, earlier, parent_id=existing)
            )
        else:
            index = plan.add(
                Planned("alert", channel, render(session), session, thread_key=key)
            )
            if key is not None:
                roots_here[key] = index


def plan_warnings(
    sessions: Sequence[Session],
    *,
    now: datetime,
    route: Routing,
    after_minutes: float,
    sign: Callable[[str], str],
) -> Plan:
    """One warning per long-running keep-alive session, in the alert channels."""
    plan = Plan()
    for session in sessions:
        message = keepalive_views.keepalive_warning_message(
            session, now=now, after_minutes=after_minutes, sign=sign
        )
        for channel in routing.channels_for(
            session, routing.KEEPALIVE, route.subscriptions, route.default_channel
        ):
            muted = channel in route.muted
            plan.add(Planned("warning", channel, message, session, muted=muted))
    return plan
