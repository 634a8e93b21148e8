"""Which channels receive which alerts, and which channels are muted."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    channel: str
    kinds: str
    metadata: dict[str, str]
    created_by: str | None


@dataclass(frozen=True, slots=True)
class Mute:
    channel: str
    since: float
    until: float
    created_by: str | None


def subscribe(
    db: Database,
    channel: str,
    kinds: str,
    metadata: dict[str, str],
    *,
    user_id: str | None,
    now: float,
) -> bool:
    """Add a subscription; False when the channel already had exactly this one."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO subscriptions "
        "(channel, kinds, metadata, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
        [channel, kinds, json.dumps(metadata, sort_keys=True), user_id, now],
    )
    return cursor.rowcount == 1


def unsubscribe(db: Database, channel: str) -> int:
    """Remove every subscription of a channel; returns how many there were."""
    return db.execute("DELETE FROM subscriptions WHERE channel = ?", [channel]).rowcount


def all_subscriptions(db: Database) -> list[Subscription]:
    rows = db.execute(
        "SELECT id, channel, kinds, metadata, created_by FROM subscriptions ORDER BY id"
    ).fetchall()
    return [
        Subscription(row[0], row[1], row[2], json.loads(row[3]), row[4]) for row in rows
    ]


def for_channel(db: Database, channel: str) -> list[Subscription]:
    return [sub for sub in all_subscriptions(db) if sub.channel == channel]


def mute(
    db: Database, channel: str, *, until: float, user_id: str | None, now: float
) -> None:
    """Mute a channel until ``until``; extending a mute keeps when it began."""
    db.execute(
        "INSERT INTO mutes (channel, since, until, created_by) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (channel) DO UPDATE SET until = excluded.until, "
        "created_by = excluded.created_by",
        [channel, now, until, user_id],
    )


def unmute(db: Database, channel: str) -> Mute | None:
    found = get_mute(db, channel)
    db.execute("DELETE FROM mutes WHERE channel = ?", [channel])
    return found


def get_mute(db: Database, channel: str) -> Mute | None:
    row = db.execute(
        "SELECT channel, since, until, created_by FROM mutes WHERE channel = ?",
        [channel],
    ).fetchone()
    return None if row is None else Mute(*row)


def all_mutes(db: Database) -> list[Mute]:
    rows = db.execute("SELECT channel, since, until, created_by FROM mutes").fetchall()
    return [Mute(*row) for row in rows]
