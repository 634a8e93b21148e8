"""Opening the database: WAL mode, a busy timeout, and the schema's migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_SECONDS = 5.0

migrations = Migrations("bbslack")


def open_database(path: Path | str | None = None) -> Database:
    """Open (creating if needed) and migrate the database; None means in memory."""
    if path is None:
        conn = sqlite3.connect(":memory:", check_same_thread=False)
    else:
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False
        )
    db = Database(conn, execute_plugins=False)
    if path is not None:
        db.enable_wal()
    db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    # Commits survive a process kill in WAL mode with NORMAL; only a power cut could
    # lose the last transactions, which the next poll would detect again.
    db.execute("PRAGMA synchronous = NORMAL")
    migrations.apply(db)
    return db


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE seen_sessions (
            session_id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            ended_at REAL,
            seen_at REAL NOT NULL,
            alerted INTEGER NOT NULL
        );
        CREATE INDEX seen_sessions_seen_at ON seen_sessions (seen_at);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            op TEXT NOT NULL DEFAULT 'post',
            channel TEXT NOT NULL,
            session_id TEXT,
            session_status TEXT,
            message TEXT NOT NULL,
            parent_id INTEGER REFERENCES outbox (id),
            target_id INTEGER REFERENCES outbox (id),
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL,
            created_at REAL NOT NULL,
            sent_at REAL,
            ts TEXT,
            error TEXT
        );
        CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
        CREATE INDEX outbox_channel ON outbox (channel, status);
        CREATE INDEX outbox_session ON outbox (session_id);
        CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            channel TEXT NOT NULL,
            kinds TEXT NOT NULL,
            metadata TEXT NOT NULL,
            created_by TEXT,
            created_at REAL NOT NULL,
            UNIQUE (channel, kinds, metadata)
        );
        CREATE TABLE mutes (
            channel TEXT PRIMARY KEY,
            since REAL NOT NULL,
            until REAL NOT NULL,
            created_by TEXT
        );
        CREATE TABLE threads (
            channel TEXT NOT NULL,
            key TEXT NOT NULL,
            root_id INTEGER NOT NULL REFERENCES outbox (id),
            expires_at REAL NOT NULL,
            PRIMARY KEY (channel, key)
        );
        CREATE TABLE warnings (
            session_id TEXT PRIMARY KEY,
            warned_at REAL NOT NULL,
            closed_at REAL
        );
        CREATE TABLE terminations (
            session_id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            started_at REAL NOT NULL,
            state TEXT NOT NULL
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at REAL NOT NULL,
            user_id TEXT NOT NULL,
            session_id TEXT NOT NULL,
            channel_id TEXT,
            action TEXT NOT NULL,
            result TEXT NOT NULL,
            detail TEXT
        );
        """
    )


@migrations()
def m002_digests(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE digests (
            channel TEXT PRIMARY KEY,
            at_minute INTEGER NOT NULL,
            since REAL NOT NULL,
            created_by TEXT
        );
        """
    )
