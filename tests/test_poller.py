"""The poller against the emulator, in process: what it detects, records and skips."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bot.browserbase import BrowserbaseClient, build_http_client
from bot.emulator import EmulatorServer
from bot.poller import Poller
from bot.settings import Settings
from storage import digests, outbox, subscriptions
from storage.db import open_database

CHANNEL = "C0ALERTS"


def make_settings(**extra: str) -> Settings:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "BROWSERBASE_API_KEY": "bb_emulator_key",
        "BROWSERBASE_PROJECT_ID": "proj_emulator",
        "BBSLACK_ALERT_CHANNEL": CHANNEL,
        **extra,
    }
    return Settings.from_env(env)


class Rig:
    """A poller, its database and the emulator it polls."""

    def __init__(self, server: EmulatorServer, http: httpx.AsyncClient, **env: str):
        self.server = server
        self.http = http
        self.db = open_database(None)
        self.client = BrowserbaseClient(
            http,
            api_key=server.api_key,
            base_url=server.url,
            project_id=server.project_id,
        )
        self.settings = make_settings(**env)
        self.poller = self.new_poller()

    def new_poller(self, **overrides: Any) -> Poller:
        """A poller on this rig's database and client (a fresh one: no caches)."""
        options: dict[str, Any] = {
            "client": self.client,
            "db": self.db,
            "settings": self.settings,
            "clock": lambda: datetime.now(UTC),
            "sign": lambda value: value + ".sig",
        }
        options.update(overrides)
        return Poller(**options)

    async def control(self, path: str, body: dict[str, Any]) -> Any:
        response = await self.http.post(f"{self.server.url}/_emulator{path}", json=body)
        response.raise_for_status()
        return response.json()

    def pending(self) -> list[outbox.Item]:
        """Every row waiting to be posted, whenever it is due, oldest first."""
        rows = self.db.execute(
            "SELECT id FROM outbox WHERE status = 'pending' ORDER BY id"
        ).fetchall()
        return [item for (row_id,) in rows if (item := outbox.get(self.db, row_id))]


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    """A poller with an in-memory database, against a fresh emulator."""
    async with EmulatorServer() as server:
        http = build_http_client()
        try:
            yield Rig(server, http)
        finally:
            await http.aclose()


async def test_poll_over_long_history_with_nothing_new_writes_nothing(rig: Rig) -> None:
    """100,000 ended sessions and none new: the poll leaves the database untouched."""
    await rig.control("/sessions/bulk", {"count": 100_000, "status": "ERROR"})
    await rig.poller.poll()
    changes = rig.db.conn.total_changes

    result = await rig.poller.poll()

    assert result.ok
    assert 0 == result.new_alerts
    assert changes == rig.db.conn.total_changes
    assert [] == rig.pending()


async def test_first_poll_records_history_without_alerting(rig: Rig) -> None:
    """Sessions that ended before the bot started are not alerted, then or later."""
    await rig.control("/sessions", {"status": "ERROR", "endedAgo": 30})
    await rig.control("/sessions", {"status": "TIMED_OUT", "timeout": 60})

    first = await rig.poller.poll()
    second = await rig.poller.poll()

    assert (0, 0) == (first.new_alerts, second.new_alerts)
    assert [] == rig.pending()


async def test_backfill_setting_alerts_recent_history_on_first_run() -> None:
    """BBSLACK_ALERT_BACKFILL_MINUTES alerts what ended within that window, once."""
    async with EmulatorServer() as server:
        http = build_http_client()
        try:
            rig = Rig(server, http, BBSLACK_ALERT_BACKFILL_MINUTES="10")
            await rig.control("/sessions", {"status": "ERROR", "endedAgo": 120})
            await rig.control("/sessions", {"status": "ERROR", "endedAgo": 3600})

            first = await rig.poller.poll()
            second = await rig.poller.poll()
        finally:
            await http.aclose()

    assert 1 == first.new_alerts
    assert 0 == second.new_alerts


async def test_a_session_that_errors_between_two_polls_is_caught(rig: Rig) -> None:
    """Started and ended in the gap between polls, never seen running: still alerted."""
    await rig.poller.poll()
    quick = await rig.control(
        "/sessions", {"status": "ERROR", "startedAgo": 3, "endedAgo": 1}
    )

    result = await rig.poller.poll()

    assert 1 == result.new_alerts
    [item] = rig.pending()
    assert quick["id"] == item.session_id
    assert CHANNEL == item.channel


async def test_recurring_failures_of_one_job_go_into_the_first_alerts_thread(
    rig: Rig,
) -> None:
    """The same metadata failing again threads under the first alert."""
    await rig.poller.poll()
    job = {"status": "ERROR", "userMetadata": {"job": "nightly-crawl"}}
    await rig.control("/sessions", job)
    await rig.poller.poll()
    [root] = rig.pending()
    outbox.mark_sent(rig.db, root.id, ts="1.000100", now=datetime.now(UTC).timestamp())

    await rig.control("/sessions", job)
    await rig.poller.poll()

    [reply] = rig.pending()
    assert root.id == reply.parent_id
    assert "thread" == reply.kind


async def test_muted_channel_records_alerts_without_posting(rig: Rig) -> None:
    """During a mute the alert is stored as muted, not pending."""
    now = datetime.now(UTC).timestamp()
    subscriptions.mute(rig.db, CHANNEL, until=now + 3600, user_id="U1", now=now)
    await rig.poller.poll()
    await rig.control("/sessions", {"status": "ERROR"})

    await rig.poller.poll()

    assert [] == rig.pending()
    assert 1 == len(outbox.muted_since(rig.db, CHANNEL))


async def test_long_running_keepalive_session_is_warned_once(rig: Rig) -> None:
    """A keep-alive session past the limit gets one warning, however many polls."""
    await rig.control(
        "/sessions",
        {"status": "RUNNING", "keepAlive": True, "startedAgo": 3600, "timeout": 21600},
    )
    await rig.control(
        "/sessions", {"status": "RUNNING", "startedAgo": 3600, "timeout": 21600}
    )

    results = [await rig.poller.poll() for _ in range(3)]

    assert [1, 0, 0] == [result.warnings for result in results]
    [warning] = rig.pending()
    assert "warning" == warning.kind


async def test_browserbase_outage_is_reported_and_polls_catch_up(rig: Rig) -> None:
    """A failing API makes the poll fail softly; the next good poll finds the alert."""
    await rig.poller.poll()
    await rig.control("/faults", {"status": 503, "path": "/v1/"})
    await rig.control("/sessions", {"status": "ERROR"})

    failed = await rig.poller.poll()
    assert not failed.ok
    assert rig.poller.health.outage_since is not None
    (await rig.http.delete(f"{rig.server.url}/_emulator/faults")).raise_for_status()
    recovered = await rig.poller.poll()

    assert recovered.ok
    assert 1 == recovered.new_alerts
    assert rig.poller.health.outage_since is None


async def test_an_expired_mute_is_lifted_with_one_summary(rig: Rig) -> None:
    """When a mute runs out, what it held back becomes one summary message."""
    now = datetime.now(UTC).timestamp()
    subscriptions.mute(rig.db, CHANNEL, until=now + 3600, user_id="U1", now=now)
    await rig.poller.poll()
    for _ in range(3):
        await rig.control("/sessions", {"status": "ERROR"})
    await rig.poller.poll()
    subscriptions.mute(rig.db, CHANNEL, until=now - 1, user_id="U1", now=now)

    await rig.poller.poll()

    [summary] = rig.pending()
    assert "summary" == summary.kind
    assert "3" in summary.message["text"]
    assert subscriptions.get_mute(rig.db, CHANNEL) is None
    assert [] == outbox.muted_since(rig.db, CHANNEL)


async def test_keepalive_warnings_go_to_channels_that_want_them(rig: Rig) -> None:
    """`errors` subscribers get no warnings; `keepalive` and `all` subscribers do."""
    now = datetime.now(UTC).timestamp()
    for channel, kinds in (
        ("C0ERR", "errors"),
        ("C0KA", "keepalive"),
        ("C0ALL", "all"),
    ):
        subscriptions.subscribe(rig.db, channel, kinds, {}, user_id="U1", now=now)
    await rig.control(
        "/sessions",
        {"status": "RUNNING", "keepAlive": True, "startedAgo": 3600, "timeout": 21600},
    )

    await rig.poller.poll()

    assert ["C0ALL", "C0KA"] == sorted(item.channel for item in rig.pending())


async def test_a_hanging_browserbase_fails_the_poll_within_its_budget(
    rig: Rig,
) -> None:
    """A poll that gets no answer gives up and reports the outage, not hangs."""
    rig.poller = rig.new_poller(budget=0.5)
    await rig.control("/faults", {"hang": True, "path": "/v1/"})

    result = await rig.poller.poll()

    assert not result.ok
    assert "did not answer a poll within 0.5 s" in (result.error or "")
    assert rig.poller.health.outage_since is not None


async def test_an_unreadable_project_does_not_stop_alerts(rig: Rig) -> None:
    """Without the project (404), alerts still go out, just without its timeout."""
    await rig.poller.poll()
    await rig.control("/faults", {"status": 404, "path": "/v1/projects"})
    rig.poller = rig.new_poller()
    await rig.control("/sessions", {"status": "ERROR"})

    result = await rig.poller.poll()

    assert result.ok
    assert 1 == result.new_alerts


def listed_session(**changes: Any) -> dict[str, Any]:
    session = {
        "id": "sess-1",
        "status": "RUNNING",
        "projectId": "proj_emulator",
        "createdAt": "2026-12-03T10:00:00.000Z",
        "startedAt": "2026-12-03T10:00:00.000Z",
        "updatedAt": "2026-12-03T10:00:00.000Z",
        "expiresAt": "2026-12-03T16:00:00.000Z",
        "proxyBytes": 0,
        "keepAlive": False,
        "region": "us-west-2",
    }
    session.update(changes)
    return session


@asynccontextmanager
async def poller_over(sessions: list[dict[str, Any]]) -> AsyncIterator[Poller]:
    """A poller against an API that answers every list with ``sessions``, unfiltered."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/v1/projects"):
            return httpx.Response(200, json={"id": "proj_emulator", "name": "p"})
        return httpx.Response(200, json=sessions)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        client = BrowserbaseClient(
            http, api_key="k", base_url="http://bb.test", project_id="proj_emulator"
        )
        db = open_database(None)
        try:
            yield Poller(
                client=client,
                db=db,
                settings=make_settings(),
                clock=lambda: datetime.now(UTC),
                sign=lambda value: value,
            )
        finally:
            db.close()


async def test_a_list_that_ignores_its_status_filter_cannot_hide_a_failure() -> None:
    """A running session returned for ?status=ERROR is not taken as ended."""
    session = listed_session()
    async with poller_over([session]) as poller:
        await poller.poll()
        await poller.poll()
        session.update(status="ERROR", endedAt=datetime.now(UTC).isoformat())
        result = await poller.poll()

    assert 1 == result.new_alerts


async def test_sessions_of_other_projects_raise_no_alert() -> None:
    """An API key that sees several projects: only the watched one alerts."""
    ours = listed_session(id="sess-ours")
    theirs = listed_session(id="sess-theirs", projectId="proj_other")
    async with poller_over([ours, theirs]) as poller:
        await poller.poll()
        for session in (ours, theirs):
            session.update(status="ERROR", endedAt=datetime.now(UTC).isoformat())
        result = await poller.poll()

    assert 1 == result.new_alerts


async def test_a_daily_digest_is_posted_once_when_its_time_comes(rig: Rig) -> None:
    """The digest waits for its time of day, then goes out once with the day's count."""
    now = [datetime.now(UTC)]
    rig.poller = rig.new_poller(clock=lambda: now[0])
    await rig.poller.poll()
    soon = now[0] + timedelta(minutes=2)
    digests.schedule(
        rig.db,
        "C0DIGEST",
        soon.hour * 60 + soon.minute,
        user_id="U1",
        now=now[0].timestamp(),
    )
    await rig.control("/sessions", {"status": "ERROR"})
    await rig.poller.poll()
    before = [item.kind for item in rig.pending()]

    now[0] += timedelta(minutes=3)
    await rig.poller.poll()
    await rig.poller.poll()

    assert "digest" not in before
    [digest] = [item for item in rig.pending() if item.kind == "digest"]
    assert "C0DIGEST" == digest.channel
    assert "1 error" in digest.message["text"]
