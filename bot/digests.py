"""Daily digests: which are due at a poll, and what goes in them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from bot.browserbase import BrowserbaseClient
from bot.errors import BrowserbaseError
from bot.models import Session, Usage
from bot.views.digest import DigestData, digest_message
from storage import digests, outbox, state
from storage import sessions as seen

logger = logging.getLogger(__name__)

PERIOD = timedelta(hours=24)
ALERT_KINDS = ("alert", "group", "thread", "warning")


@dataclass(frozen=True)
class Planned:
    channel: str
    message: dict[str, Any]
    usage: Usage | None


def last_slot(now: datetime, at_minute: int) -> datetime:
    """The latest time of day ``at_minute`` (UTC) that is not after ``now``."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    slot = midnight + timedelta(minutes=at_minute)
    return slot if slot <= now else slot - timedelta(days=1)


def due(db: Database, now: datetime) -> list[digests.Digest]:
    """Digests whose time of day came since they were set up or last sent."""
    return [
        digest
        for digest in digests.all_digests(db)
        if last_slot(now, digest.at_minute).timestamp() > digest.since
    ]


async def plan(
    db: Database,
    client: BrowserbaseClient,
    found: list[digests.Digest],
    *,
    running: list[Session],
    now: datetime,
) -> list[Planned]:
    """One digest message per due channel; a failing usage call only blanks usage."""
    if not found:
        return []
    try:
        usage: Usage | None = await client.project_usage()
    except BrowserbaseError as exc:
        logger.warning("digest without usage reason=%s", exc)
        usage = None
    since = now - PERIOD
    failures = seen.ended_since(db, since.timestamp())
    alerts = outbox.counts_since(db, since.timestamp(), ALERT_KINDS)
    keepalive = [session for session in running if session.keep_alive]
    planned = []
    for digest in found:
        data = DigestData(
            since=since,
            until=now,
            failures=failures,
            alerts=alerts,
            keepalive=keepalive,
            usage=usage,
            usage_growth=_growth(db, digest.channel, usage),
        )
        planned.append(Planned(digest.channel, digest_message(data, now=now), usage))
    return planned


def record(db: Database, planned: list[Planned], *, now: datetime) -> None:
    """Queue the digests and remember the usage they reported (in a transaction)."""
    stamp = now.timestamp()
    for item in planned:
        outbox.add(
            db, kind="digest", channel=item.channel, message=item.message, now=stamp
        )
        digests.mark_sent(db, item.channel, now=stamp)
        if item.usage is not None:
            state.put(
                db,
                f"digest_usage:{item.channel}",
                [item.usage.browser_minutes, item.usage.proxy_bytes],
            )


def _growth(db: Database, channel: str, usage: Usage | None) -> Usage | None:
    """What usage grew by since this channel's last digest (None: no earlier one)."""
    before = state.get(db, f"digest_usage:{channel}")
    if usage is None or before is None:
        return None
    minutes, proxy = before
    if usage.browser_minutes < minutes or usage.proxy_bytes < proxy:
        return None  # a new billing period began: the totals were reset
    return Usage(usage.browser_minutes - minutes, usage.proxy_bytes - proxy)
