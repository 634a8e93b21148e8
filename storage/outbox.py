"""The outbox: every message the bot will post or edit, recorded before it is sent.

Rows move ``pending`` → ``sent`` (with Slack's ``ts``) or ``failed`` (an error that
retrying cannot heal). Alerts for a muted channel are stored as ``muted`` and later
``summarized``. A row with a ``parent_id`` is posted in its parent's thread, so it is
due only once the parent has a ``ts``; an ``update`` row edits its ``target_id``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
MUTED = "muted"
SUMMARIZED = "summarized"


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    kind: str
    op: str
    channel: str
    session_id: str | None
    session_status: str | None
    message: dict[str, Any]
    parent_id: int | None
    target_id: int | None
    status: str
    attempts: int
    next_attempt_at: float
    created_at: float
    sent_at: float | None
    ts: str | None
    error: str | None


_COLUMNS = (
    "id, kind, op, channel, session_id, session_status, message, parent_id, "
    "target_id, status, attempts, next_attempt_at, created_at, sent_at, ts, error"
)


def _item(row: tuple[Any, ...]) -> Item:
    values = list(row)
    values[6] = json.loads(values[6])
    return Item(*values)


def add(
    db: Database,
    *,
    kind: str,
    channel: str,
    message: dict[str, Any],
    now: float,
    session_id: str | None = None,
    session_status: str | None = None,
    parent_id: int | None = None,
    target_id: int | None = None,
    op: str = "post",
    status: str = PENDING,
) -> int:
    """Record a message to send and return its id (inside the caller's transaction)."""
    cursor = db.execute(
        "INSERT INTO outbox (kind, op, channel, session_id, session_status, message, "
        "parent_id, target_id, status, next_attempt_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            kind,
            op,
            channel,
            session_id,
            session_status,
            json.dumps(message, separators=(",", ":")),
            parent_id,
            target_id,
            status,
            now,
            now,
        ],
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def get(db: Database, item_id: int) -> Item | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", [item_id]
    ).fetchone()
    return None if row is None else _item(row)


def due(db: Database, now: float, *, limit: int = 50) -> list[Item]:
    """The oldest due row of each channel, oldest channel first.

    A row is due when its time has come and the message it threads under or edits
    (if any) has been posted. One row per channel: a storm in one channel, paced at
    Slack's one message a second, must not hold up the others.
    """
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE id IN ("
        "  SELECT MIN(id) FROM outbox AS o WHERE status = 'pending' "
        "  AND next_attempt_at <= ? "
        "  AND (parent_id IS NULL OR (SELECT ts FROM outbox WHERE id = o.parent_id) "
        "       IS NOT NULL) "
        "  AND (target_id IS NULL OR (SELECT ts FROM outbox WHERE id = o.target_id) "
        "       IS NOT NULL) "
        "  GROUP BY channel"
        ") ORDER BY id LIMIT ?",
        [now, limit],
    ).fetchall()
    return [_item(row) for row in rows]


def next_due_at(db: Database) -> float | None:
    row = db.execute(
        "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'"
    ).fetchone()
    return None if row is None else row[0]


def thread_ts(db: Database, item: Item) -> str | None:
    """The ``ts`` a row threads under (its parent's) or edits (its target's)."""
    ref = item.parent_id if item.op == "post" else item.target_id
    if ref is None:
        return None
    row = db.execute("SELECT ts FROM outbox WHERE id = ?", [ref]).fetchone()
    return None if row is None else row[0]


def mark_sent(db: Database, item_id: int, *, ts: str | None, now: float) -> None:
    db.execute(
        "UPDATE outbox SET status = 'sent', ts = COALESCE(?, ts), sent_at = ?, "
        "attempts = attempts + 1, error = NULL WHERE id = ?",
        [ts, now, item_id],
    )


def mark_retry(db: Database, item_id: int, *, at: float, error: str) -> None:
    db.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, error = ? "
        "WHERE id = ?",
        [at, error, item_id],
    )


def postpone_channel(db: Database, channel: str, *, until: float) -> None:
    """Hold every pending row of a channel (Slack asked us to wait)."""
    db.execute(
        "UPDATE outbox SET next_attempt_at = MAX(next_attempt_at, ?) "
        "WHERE channel = ? AND status = 'pending'",
        [until, channel],
    )


def mark_failed(db: Database, item_id: int, *, error: str) -> None:
    """A permanent failure; rows threaded under it or editing it fail with it."""
    with db.atomic():
        db.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ? "
            "WHERE id = ?",
            [error, item_id],
        )
        db.execute(
            "UPDATE outbox SET status = 'failed', error = ? WHERE status = 'pending' "
            "AND (parent_id = ? OR target_id = ?)",
            [f"parent message failed: {error}", item_id, item_id],
        )


def counts(db: Database, channel: str | None = None) -> dict[str, int]:
    """Rows by status, for one channel or all."""
    where, params = ("WHERE channel = ?", [channel]) if channel else ("", [])
    rows = db.execute(
        f"SELECT status, COUNT(*) FROM outbox {where} GROUP BY status", params
    ).fetchall()
    return {status: count for status, count in rows}


def last_failure(db: Database, channel: str | None = None) -> str | None:
    where, params = ("AND channel = ?", [channel]) if channel else ("", [])
    row = db.execute(
        f"SELECT error FROM outbox WHERE status = 'failed' {where} "
        "ORDER BY id DESC LIMIT 1",
        params,
    ).fetchone()
    return None if row is None else row[0]


def last_sent_at(db: Database, channel: str) -> float | None:
    row = db.execute(
        "SELECT MAX(sent_at) FROM outbox WHERE channel = ? AND status = 'sent'",
        [channel],
    ).fetchone()
    return None if row is None else row[0]


def muted_since(db: Database, channel: str) -> list[Item]:
    """Alerts held back by a mute, oldest first."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE channel = ? AND status = 'muted' "
        "ORDER BY id",
        [channel],
    ).fetchall()
    return [_item(row) for row in rows]


def mark_summarized(db: Database, channel: str) -> None:
    db.execute(
        "UPDATE outbox SET status = 'summarized' "
        "WHERE channel = ? AND status = 'muted'",
        [channel],
    )


def posts_for_session(db: Database, session_id: str, kind: str) -> list[Item]:
    """Posted (or pending) top-level messages about a session, e.g. its warnings."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE session_id = ? AND kind = ? "
        "AND op = 'post' AND status IN ('pending', 'sent') ORDER BY id",
        [session_id, kind],
    ).fetchall()
    return [_item(row) for row in rows]


def recent(db: Database, kinds: tuple[str, ...], limit: int) -> list[Item]:
    marks = ", ".join("?" for _ in kinds)
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE kind IN ({marks}) AND op = 'post' "
        "ORDER BY id DESC LIMIT ?",
        [*kinds, limit],
    ).fetchall()
    return [_item(row) for row in rows]


def oldest_pending_at(db: Database) -> float | None:
    row = db.execute(
        "SELECT MIN(created_at) FROM outbox WHERE status = 'pending'"
    ).fetchone()
    return None if row is None else row[0]


def roots_for_sessions(
    db: Database, session_ids: list[str], kind: str
) -> dict[tuple[str, str], int]:
    """(channel, session id) → id of the top-level ``kind`` post about that session."""
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(session_ids), 500):
        chunk = session_ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            f"SELECT channel, session_id, MIN(id) FROM outbox WHERE kind = ? "
            f"AND op = 'post' AND status IN ('pending', 'sent') "
            f"AND session_id IN ({marks}) GROUP BY channel, session_id",
            [kind, *chunk],
        ).fetchall()
        found.update({(channel, sid): root for channel, sid, root in rows})
    return found


def prune(db: Database, before: float) -> int:
    """Forget finished rows older than ``before``, keeping open keep-alive warnings.

    Threads and edits refer to rows by id; rows that old are no longer threaded under
    or edited (thread windows and warnings are far shorter).
    """
    return db.execute(
        "DELETE FROM outbox WHERE created_at < ? "
        "AND status IN ('sent', 'failed', 'summarized') "
        "AND NOT (kind = 'warning' AND session_id IN "
        "         (SELECT session_id FROM warnings WHERE closed_at IS NULL)) "
        "AND id NOT IN (SELECT root_id FROM threads)",
        [before],
    ).rowcount


def counts_since(db: Database, since: float, kinds: tuple[str, ...]) -> dict[str, int]:
    """Rows of these kinds created after ``since``, by status."""
    marks = ", ".join("?" for _ in kinds)
    rows = db.execute(
        f"SELECT status, COUNT(*) FROM outbox WHERE created_at >= ? "
        f"AND kind IN ({marks}) GROUP BY status",
        [since, *kinds],
    ).fetchall()
    return {status: count for status, count in rows}
