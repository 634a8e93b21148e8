"""Daily digests: which channel wants one, at what time, and when it was last sent."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True, slots=True)
class Digest:
    channel: str
    # Minutes after midnight UTC.
    at_minute: int
    # When it was set up or last sent: the next one is due after this.
    since: float
    created_by: str | None


def schedule(
    db: Database, channel: str, at_minute: int, *, user_id: str | None, now: float
) -> None:
    db.execute(
        "INSERT INTO digests (channel, at_minute, since, created_by) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (channel) DO UPDATE SET "
        "at_minute = excluded.at_minute, since = excluded.since, "
        "created_by = excluded.created_by",
        [channel, at_minute, now, user_id],
    )


def cancel(db: Database, channel: str) -> bool:
    return db.execute("DELETE FROM digests WHERE channel = ?", [channel]).rowcount == 1


def get(db: Database, channel: str) -> Digest | None:
    row = db.execute(
        "SELECT channel, at_minute, since, created_by FROM digests WHERE channel = ?",
        [channel],
    ).fetchone()
    return None if row is None else Digest(*row)


def all_digests(db: Database) -> list[Digest]:
    rows = db.execute(
        "SELECT channel, at_minute, since, created_by FROM digests ORDER BY channel"
    ).fetchall()
    return [Digest(*row) for row in rows]


def mark_sent(db: Database, channel: str, *, now: float) -> None:
    db.execute("UPDATE digests SET since = ? WHERE channel = ?", [now, channel])
