"""Sessions the poller has handled, warnings it has posted, recurring threads."""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database


def seen_among(db: Database, session_ids: Iterable[str]) -> set[str]:
    """Which of these sessions were handled before (reads only)."""
    ids = list(session_ids)
    found: set[str] = set()
    # SQLite caps bound parameters; look up in chunks.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            f"SELECT session_id FROM seen_sessions WHERE session_id IN ({marks})", chunk
        ).fetchall()
        found.update(row[0] for row in rows)
    return found


def mark_seen(
    db: Database,
    session_id: str,
    *,
    status: str,
    ended_at: float | None,
    now: float,
    alerted: bool,
) -> None:
    db.execute(
        "INSERT OR IGNORE INTO seen_sessions "
        "(session_id, status, ended_at, seen_at, alerted) VALUES (?, ?, ?, ?, ?)",
        [session_id, status, ended_at, now, int(alerted)],
    )


def count_seen(db: Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM seen_sessions").fetchone()[0])


def forget_older_than(db: Database, cutoff: float) -> int:
    """Drop records no poll can meet again (older than the watermark's margin)."""
    return db.execute("DELETE FROM seen_sessions WHERE seen_at < ?", [cutoff]).rowcount


def warned(db: Database, session_ids: Iterable[str]) -> set[str]:
    ids = list(session_ids)
    if not ids:
        return set()
    marks = ", ".join("?" for _ in ids)
    rows = db.execute(
        f"SELECT session_id FROM warnings WHERE session_id IN ({marks})", ids
    ).fetchall()
    return {row[0] for row in rows}


def mark_warned(db: Database, session_id: str, *, now: float) -> None:
    db.execute(
        "INSERT OR IGNORE INTO warnings (session_id, warned_at) VALUES (?, ?)",
        [session_id, now],
    )


def open_warnings(db: Database) -> list[str]:
    """Sessions warned about whose warning still shows them running."""
    rows = db.execute(
        "SELECT session_id FROM warnings WHERE closed_at IS NULL ORDER BY warned_at"
    ).fetchall()
    return [row[0] for row in rows]


def close_warning(db: Database, session_id: str, *, now: float) -> bool:
    """Mark a warning closed; False when someone else closed it first."""
    return (
        db.execute(
            "UPDATE warnings SET closed_at = ? WHERE session_id = ? "
            "AND closed_at IS NULL",
            [now, session_id],
        ).rowcount
        == 1
    )


def thread_roots(db: Database, *, now: float) -> dict[tuple[str, str], int]:
    """Open recurring-failure threads: (channel, key) → the root alert's outbox id."""
    rows = db.execute(
        "SELECT channel, key, root_id FROM threads WHERE expires_at > ?", [now]
    ).fetchall()
    return {(channel, key): root_id for channel, key, root_id in rows}


def set_thread_root(
    db: Database, channel: str, key: str, root_id: int, *, expires_at: float
) -> None:
    db.execute(
        "INSERT INTO threads (channel, key, root_id, expires_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (channel, key) DO UPDATE SET root_id = excluded.root_id, "
        "expires_at = excluded.expires_at",
        [channel, key, root_id, expires_at],
    )


def forget_threads(db: Database, before: float) -> int:
    """Drop recurring-failure threads that closed before ``before``."""
    return db.execute("DELETE FROM threads WHERE expires_at < ?", [before]).rowcount


def ended_since(db: Database, since: float) -> dict[str, int]:
    """Failures the poller saw end after ``since``, by status."""
    rows = db.execute(
        "SELECT status, COUNT(*) FROM seen_sessions "
        "WHERE COALESCE(ended_at, seen_at) >= ? GROUP BY status",
        [since],
    ).fetchall()
    return {status: count for status, count in rows}
