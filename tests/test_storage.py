"""Storage rules the alert pipeline relies on: order, threads, failures, claims."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from storage import audit, outbox
from storage import sessions as seen
from storage.db import open_database

MESSAGE = {"text": "hello"}


@pytest.fixture
def db() -> Database:
    """A migrated in-memory database."""
    return open_database(None)


def test_due_gives_one_row_per_channel_so_a_storm_cannot_starve_others(
    db: Database,
) -> None:
    """Fifty rows for one channel do not hide the single row of another."""
    for _ in range(50):
        outbox.add(db, kind="thread", channel="C1", message=MESSAGE, now=1.0)
    other = outbox.add(db, kind="alert", channel="C2", message=MESSAGE, now=2.0)

    due = outbox.due(db, now=10.0)

    assert ["C1", "C2"] == [item.channel for item in due]
    assert other == due[1].id


def test_thread_replies_wait_for_their_parent_to_be_posted(db: Database) -> None:
    """A reply is not due until its parent has a ts, then it threads under it."""
    root = outbox.add(db, kind="group", channel="C1", message=MESSAGE, now=1.0)
    reply = outbox.add(
        db, kind="thread", channel="C1", message=MESSAGE, parent_id=root, now=1.0
    )

    assert [root] == [item.id for item in outbox.due(db, now=5.0)]
    outbox.mark_sent(db, root, ts="1.000100", now=5.0)

    [item] = outbox.due(db, now=5.0)
    assert reply == item.id
    assert "1.000100" == outbox.thread_ts(db, item)


def test_a_permanent_failure_fails_what_depends_on_it(db: Database) -> None:
    """Replies and edits of a message Slack refused are failed with it, not stuck."""
    root = outbox.add(db, kind="alert", channel="C1", message=MESSAGE, now=1.0)
    outbox.add(db, kind="thread", channel="C1", message=MESSAGE, parent_id=root, now=1)

    outbox.mark_failed(db, root, error="channel_not_found")

    assert {"failed": 2} == outbox.counts(db)
    assert "parent message failed" in (outbox.last_failure(db) or "")


def test_retry_later_keeps_the_row_pending_until_its_time(db: Database) -> None:
    """A row told to retry is not due before its time, and is due after."""
    item = outbox.add(db, kind="alert", channel="C1", message=MESSAGE, now=1.0)
    outbox.mark_retry(db, item, at=100.0, error="HTTP 503")

    assert [] == outbox.due(db, now=50.0)
    assert [item] == [row.id for row in outbox.due(db, now=100.0)]


def test_prune_forgets_old_finished_rows_but_keeps_open_warnings(db: Database) -> None:
    """Old sent rows go; a warning still showing a running session stays."""
    old = outbox.add(db, kind="alert", channel="C1", message=MESSAGE, now=1.0)
    warning = outbox.add(
        db, kind="warning", channel="C1", message=MESSAGE, session_id="s1", now=1.0
    )
    for row in (old, warning):
        outbox.mark_sent(db, row, ts=f"1.{row}", now=1.0)
    seen.mark_warned(db, "s1", now=1.0)

    removed = outbox.prune(db, before=10.0)

    assert 1 == removed
    assert outbox.get(db, old) is None
    assert outbox.get(db, warning) is not None


def test_only_the_first_claim_on_a_session_wins(db: Database) -> None:
    """Two clicks on one session: the second learns who holds it."""
    assert audit.claim(db, "s1", "U1", now=1.0) is None

    holder = audit.claim(db, "s1", "U2", now=2.0)

    assert holder is not None
    assert "U1" == holder.user_id


def test_a_failed_release_frees_the_claim_for_another_try(db: Database) -> None:
    """After a failure the session can be claimed again; after success it cannot."""
    audit.claim(db, "s1", "U1", now=1.0)
    audit.finish_claim(db, "s1", released=False)
    assert audit.claim(db, "s1", "U2", now=2.0) is None

    audit.finish_claim(db, "s1", released=True)

    held = audit.claim(db, "s1", "U3", now=3.0)
    assert held is not None
    assert audit.RELEASED == held.state


def test_database_file_runs_in_wal_mode(tmp_path) -> None:
    """A database on disk uses WAL, so readers never block the poller's writes."""
    db = open_database(tmp_path / "bbslack.db")
    try:
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        db.close()

    assert "wal" == mode
