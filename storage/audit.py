"""Termination claims (one release per session, whoever clicks) and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

IN_PROGRESS = "in_progress"
RELEASED = "released"


@dataclass(frozen=True, slots=True)
class Claim:
    session_id: str
    user_id: str
    started_at: float
    state: str


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    at: float
    user_id: str
    session_id: str
    channel_id: str | None
    action: str
    result: str
    detail: str | None


def claim(db: Database, session_id: str, user_id: str, *, now: float) -> Claim | None:
    """Claim the right to release a session; None means we won, else who holds it."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO terminations (session_id, user_id, started_at, state) "
        "VALUES (?, ?, ?, ?)",
        [session_id, user_id, now, IN_PROGRESS],
    )
    if cursor.rowcount == 1:
        return None
    return get_claim(db, session_id)


def get_claim(db: Database, session_id: str) -> Claim | None:
    row = db.execute(
        "SELECT session_id, user_id, started_at, state FROM terminations "
        "WHERE session_id = ?",
        [session_id],
    ).fetchone()
    return None if row is None else Claim(*row)


def finish_claim(db: Database, session_id: str, *, released: bool) -> None:
    """Keep a successful claim forever; drop a failed one so it can be tried again."""
    if released:
        db.execute(
            "UPDATE terminations SET state = ? WHERE session_id = ?",
            [RELEASED, session_id],
        )
    else:
        db.execute("DELETE FROM terminations WHERE session_id = ?", [session_id])


def record(
    db: Database,
    *,
    at: float,
    user_id: str,
    session_id: str,
    channel_id: str | None,
    action: str,
    result: str,
    detail: str | None = None,
) -> None:
    db.execute(
        "INSERT INTO audit (at, user_id, session_id, channel_id, action, result, "
        "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [at, user_id, session_id[:200], channel_id, action, result, detail],
    )


def latest(db: Database, limit: int) -> list[Entry]:
    rows = db.execute(
        "SELECT id, at, user_id, session_id, channel_id, action, result, detail "
        "FROM audit ORDER BY id DESC LIMIT ?",
        [limit],
    ).fetchall()
    return [Entry(*row) for row in rows]
