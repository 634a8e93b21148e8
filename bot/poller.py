"""The poll: detect what changed in Browserbase, decide, and record it in the outbox.

Detection costs what is new, not what is old. The list endpoint returns every ended
session ever, so each poll keeps a watermark (the newest end time it has handled) and
only looks closer at sessions that ended after ``watermark - MARGIN``; the margin covers
sessions that show up in the list a little late. Those few are checked against the
sessions already handled; nothing is written when nothing is new.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from bot import digests, planner
from bot.browserbase import BrowserbaseClient
from bot.clock import Clock
from bot.errors import BadResponse, BrowserbaseError, Forbidden, NotFound, Unavailable
from bot.logsummary import LogSummary, summarize
from bot.models import ERROR, RUNNING, TIMED_OUT, Session, format_time, parse_time
from bot.settings import Settings
from bot.views import alerts as alert_views
from bot.views import keepalive as keepalive_views
from storage import audit, outbox, state, subscriptions
from storage import sessions as seen

logger = logging.getLogger(__name__)

# Sessions may show up in the list a while after their endedAt (and stand-ins for
# Browserbase may backdate them); looking back this far costs reads, never writes.
MARGIN = timedelta(minutes=30)
LOG_FETCH_TIMEOUT = 3.0
SUMMARIES_PER_POLL = 10
FOLLOW_UPS_PER_POLL = 20
PROJECT_CACHE = timedelta(minutes=10)
FORGET_AFTER = timedelta(days=7)
# A slow Browserbase must not stretch one poll across many intervals: the poll gives
# up, reports the outage, and the next one tries again (missed polls coalesce).
POLL_BUDGET = 45.0


@dataclass
class Health:
    """What /healthz and `/browserbase status` say about polling."""

    last_poll_at: datetime | None = None
    last_ok: bool | None = None
    last_error: str | None = None
    outage_since: datetime | None = None


@dataclass
class PollResult:
    ok: bool
    error: str | None = None
    # The failure's kind (NotFound, Unavailable...), a metrics label.
    error_kind: str | None = None
    new_alerts: int = 0
    warnings: int = 0
    follow_ups: int = 0
    lines: list[str] = field(default_factory=list)


def _having(
    dicts: list[dict[str, Any]], status: str, project_id: str
) -> list[dict[str, Any]]:
    return [
        d
        for d in dicts
        if str(d.get("status", "")).upper() == status
        and d.get("projectId", project_id) in (project_id, "", None)
    ]


def _end_key(data: dict[str, Any]) -> str | None:
    """When a session ended, as text that sorts in time order.

    Browserbase writes ``2026-12-03T16:07:25.123Z``, which already sorts as time does;
    only other spellings are parsed, so a long history costs string comparisons.
    """
    text = data.get("endedAt") or data.get("updatedAt")
    if isinstance(text, str) and len(text) == 24 and text[-1] == "Z":
        return text
    parsed = parse_time(text)
    return None if parsed is None else format_time(parsed)


class Poller:
    def __init__(
        self,
        *,
        client: BrowserbaseClient,
        db: Database,
        settings: Settings,
        clock: Clock,
        sign: Callable[[str], str],
        on_recorded: Callable[[], None] = lambda: None,
        on_poll: Callable[[PollResult], None] = lambda result: None,
        budget: float = POLL_BUDGET,
    ) -> None:
        self._client = client
        self._db = db
        self._settings = settings
        self._clock = clock
        self._sign = sign
        self._on_recorded = on_recorded
        self._on_poll = on_poll
        self._budget = budget
        self._default_timeout: int | None = None
        self._project_read_at: datetime | None = None
        self.health = Health()

    async def poll(self, *, dry_run: bool = False) -> PollResult:
        """One cycle; never raises for a Browserbase failure (it is reported)."""
        now = self._clock()
        try:
            result = await asyncio.wait_for(
                self._poll(now, dry_run=dry_run), self._budget
            )
        except TimeoutError:
            exc = Unavailable(
                f"Browserbase did not answer a poll within {self._budget:g} s."
            )
            result = PollResult(ok=False, error=str(exc), error_kind="Timeout")
            self._record_failure(now, exc)
        except BrowserbaseError as exc:
            result = PollResult(ok=False, error=str(exc), error_kind=type(exc).__name__)
            self._record_failure(now, exc)
        else:
            self._record_success(now, result)
        self._on_poll(result)
        return result

    async def _poll(self, now: datetime, *, dry_run: bool) -> PollResult:
        default_timeout = await self._project_default_timeout(now)
        errored, timed_out, running_dicts = await asyncio.gather(
            self._client.list_session_dicts(status=ERROR),
            self._client.list_session_dicts(status=TIMED_OUT),
            self._client.list_session_dicts(status=RUNNING),
        )
        # Only what we asked for: a list that ignored its filter must not make a
        # running session count as ended (and so as handled before it ends), and an
        # API key that sees several projects must not alert the others' sessions.
        project = self._client.project_id
        errored = _having(errored, ERROR, project)
        timed_out = _having(timed_out, TIMED_OUT, project)
        running = [
            Session.from_api(data) for data in _having(running_dicts, RUNNING, project)
        ]

        # Detect.
        watermark = parse_time(state.get(self._db, "watermark"))
        fresh, newest = self._fresh_endings([*errored, *timed_out], watermark, now)
        if watermark is None and newest is None:
            # An empty project: what ends from now on is new.
            newest = now
        alertable = self._alertable(fresh, first_run=watermark is None, now=now)
        to_warn = self._overdue_keepalive(running, now)

        # Decide.
        route = self._routing(now, alertable)
        summaries = await self._summaries(alertable[:SUMMARIES_PER_POLL])
        plan = planner.plan_alerts(
            alertable,
            now=now,
            route=route,
            default_timeout=default_timeout,
            summaries=summaries,
        )
        warnings = planner.plan_warnings(
            to_warn,
            now=now,
            route=route,
            after_minutes=self._settings.keepalive_alert_after_minutes,
            sign=self._sign,
        )
        result = PollResult(
            ok=True,
            new_alerts=len(alertable),
            warnings=len(to_warn),
            lines=plan.describe() + warnings.describe(),
        )
        if dry_run:
            return result

        # Follow up on warnings whose session has ended, then record everything.
        follow_ups = await self._follow_ups(running, now, default_timeout)
        result.follow_ups = len(follow_ups)
        daily = await digests.plan(
            self._db,
            self._client,
            digests.due(self._db, now),
            running=running,
            now=now,
        )
        if not (fresh or to_warn or follow_ups or daily or self._expired_mutes(now)):
            self._advance(watermark, newest)
            return result
        alerted = {session.id for session in alertable}
        with self._db.atomic():
            stamp = now.timestamp()
            self._record_plan(plan, stamp)
            self._record_plan(warnings, stamp)
            for session in fresh:
                seen.mark_seen(
                    self._db,
                    session.id,
                    status=session.status,
                    ended_at=session.ended_at.timestamp() if session.ended_at else None,
                    now=stamp,
                    alerted=session.id in alerted,
                )
            for session in to_warn:
                seen.mark_warned(self._db, session.id, now=stamp)
            for session_id, updates in follow_ups:
                if seen.close_warning(self._db, session_id, now=stamp):
                    for target_id, channel, message in updates:
                        outbox.add(
                            self._db,
                            kind="edit",
                            op="update",
                            channel=channel,
                            message=message,
                            session_id=session_id,
                            target_id=target_id,
                            now=stamp,
                        )
            self._end_mutes(now)
            digests.record(self._db, daily, now=now)
            self._advance(watermark, newest)
            seen.forget_older_than(self._db, (now - FORGET_AFTER).timestamp())
            seen.forget_threads(self._db, (now - FORGET_AFTER).timestamp())
            outbox.prune(self._db, (now - FORGET_AFTER).timestamp())
        self._on_recorded()
        return result

    def _advance(self, watermark: datetime | None, newest: datetime | None) -> None:
        if newest is not None and (watermark is None or newest > watermark):
            state.put(self._db, "watermark", newest.isoformat())

    def _fresh_endings(
        self, dicts: Iterable[dict[str, Any]], watermark: datetime | None, now: datetime
    ) -> tuple[list[Session], datetime | None]:
        """Ended sessions not handled before, oldest first, and the newest end time."""
        keyed = [(data, _end_key(data)) for data in dicts]
        newest = parse_time(max((key for _, key in keyed if key), default=None))
        if watermark is not None:
            floor = watermark - MARGIN
        else:
            backfill = timedelta(minutes=self._settings.alert_backfill_minutes)
            floor = min((newest or now) - MARGIN, now - backfill)
        floor_key = format_time(floor)
        candidates = [data for data, key in keyed if key is None or key >= floor_key]
        known = seen.seen_among(self._db, (data["id"] for data in candidates))
        fresh = [Session.from_api(d) for d in candidates if d["id"] not in known]
        fresh.sort(key=lambda s: s.ended_at or s.updated_at or now)
        return fresh, newest

    def _alertable(
        self, fresh: list[Session], *, first_run: bool, now: datetime
    ) -> list[Session]:
        """History is recorded, not alerted: a first run alerts only the backfill."""
        if not first_run:
            return fresh
        since = now - timedelta(minutes=self._settings.alert_backfill_minutes)
        if self._settings.alert_backfill_minutes <= 0:
            return []
        return [s for s in fresh if (s.ended_at or s.updated_at or now) >= since]

    def _overdue_keepalive(
        self, running: list[Session], now: datetime
    ) -> list[Session]:
        limit = timedelta(minutes=self._settings.keepalive_alert_after_minutes)
        overdue = [
            session
            for session in running
            if session.keep_alive
            and (session.duration_seconds(now) or 0) >= limit.total_seconds()
        ]
        already = seen.warned(self._db, (s.id for s in overdue))
        return [session for session in overdue if session.id not in already]

    def _routing(self, now: datetime, alertable: list[Session]) -> planner.Routing:
        stamp = now.timestamp()
        muted = frozenset(
            mute.channel
            for mute in subscriptions.all_mutes(self._db)
            if mute.until > stamp
        )
        subs = subscriptions.all_subscriptions(self._db)
        window = self._settings.thread_window_minutes
        roots = seen.thread_roots(self._db, now=stamp) if window > 0 else {}
        return planner.Routing(
            subscriptions=subs,
            default_channel=self._settings.alert_channel,
            muted=muted,
            group_threshold=self._settings.group_threshold,
            thread_roots=roots,
            session_roots=outbox.roots_for_sessions(
                self._db, [session.id for session in alertable], "warning"
            ),
        )

    async def _summaries(self, sessions: list[Session]) -> dict[str, LogSummary]:
        """Debugging summaries, each fetched within a short limit; slow ones skipped."""

        async def one(session: Session) -> tuple[str, LogSummary | None]:
            try:
                logs = await self._client.session_logs(
                    session.id, timeout=LOG_FETCH_TIMEOUT
                )
            except BrowserbaseError as exc:
                logger.warning(
                    "alert logs unavailable session=%s reason=%s", session.id, exc
                )
                return session.id, None
            return session.id, summarize(logs)

        found = await asyncio.gather(*(one(session) for session in sessions))
        return {key: value for key, value in found if value is not None}

    async def _follow_ups(
        self, running: list[Session], now: datetime, default_timeout: int | None
    ) -> list[tuple[str, list[tuple[int, str, dict[str, Any]]]]]:
        """Edits for warnings whose session is no longer running."""
        live = {session.id for session in running}
        gone = [sid for sid in seen.open_warnings(self._db) if sid not in live]
        edits = []
        for session_id in gone[:FOLLOW_UPS_PER_POLL]:
            try:
                session = await self._client.get_session(session_id)
            except BrowserbaseError as exc:
                logger.warning(
                    "follow-up skipped session=%s reason=%s", session_id, exc
                )
                continue
            if session.is_live:
                continue
            updates = [
                (
                    post.id,
                    post.channel,
                    self._ended_message(post, session, now, default_timeout),
                )
                for post in outbox.posts_for_session(self._db, session_id, "warning")
            ]
            edits.append((session_id, updates))
        return edits

    def _ended_message(
        self,
        post: outbox.Item,
        session: Session,
        now: datetime,
        default_timeout: int | None,
    ) -> dict[str, Any]:
        claim = audit.get_claim(self._db, session.id)
        if claim is not None and claim.state == audit.RELEASED:
            start = session.started_at or session.created_at or now
            at = datetime.fromtimestamp(claim.started_at, now.tzinfo)
            return keepalive_views.terminated_message(
                session,
                user_id=claim.user_id,
                at=at,
                ran_for_seconds=(at - start).total_seconds(),
            )
        return alert_views.session_ended_update(
            post.message, session, now=now, default_timeout=default_timeout
        )

    def _expired_mutes(self, now: datetime) -> list[subscriptions.Mute]:
        stamp = now.timestamp()
        return [m for m in subscriptions.all_mutes(self._db) if m.until <= stamp]

    def _end_mutes(self, now: datetime) -> None:
        for mute in self._expired_mutes(now):
            end_mute(self._db, mute, now=now)

    def _record_plan(self, plan: planner.Plan, stamp: float) -> None:
        ids: list[int] = []
        window = self._settings.thread_window_minutes * 60
        for item in plan.messages:
            parent = (
                ids[item.parent_index]
                if item.parent_index is not None
                else item.parent_id
            )
            item_id = outbox.add(
                self._db,
                kind=item.kind,
                channel=item.channel,
                message=item.message,
                session_id=item.session.id if item.session else None,
                session_status=item.session.status if item.session else None,
                parent_id=parent,
                status=outbox.MUTED if item.muted else outbox.PENDING,
                now=stamp,
            )
            ids.append(item_id)
            if item.thread_key is not None and window > 0:
                seen.set_thread_root(
                    self._db,
                    item.channel,
                    item.thread_key,
                    item_id,
                    expires_at=stamp + window,
                )

    async def _project_default_timeout(self, now: datetime) -> int | None:
        """The project's default timeout, for wording alerts; never worth a failed poll.

        An unreachable Browserbase fails the poll as usual; a project that cannot be
        read (not found, forbidden, odd answer) only costs alerts the timeout's source.
        """
        fresh = self._project_read_at and now - self._project_read_at < PROJECT_CACHE
        if not fresh:
            try:
                project = await self._client.get_project()
            except (NotFound, Forbidden, BadResponse) as exc:
                logger.warning("project unreadable, alerts go on reason=%s", exc)
            else:
                self._default_timeout = project.default_timeout
            self._project_read_at = now
        return self._default_timeout

    def _record_failure(self, now: datetime, exc: BrowserbaseError) -> None:
        health = self.health
        if health.outage_since is None:
            # Once per outage: the following failures would only repeat it.
            logger.warning("poll failed, outage begins reason=%s", exc)
            health.outage_since = now
        else:
            logger.debug("poll failed again reason=%s", exc)
        health.last_poll_at, health.last_ok, health.last_error = now, False, str(exc)

    def _record_success(self, now: datetime, result: PollResult) -> None:
        health = self.health
        if health.outage_since is not None:
            logger.warning(
                "poll recovered outage_seconds=%.0f",
                (now - health.outage_since).total_seconds(),
            )
        health.outage_since = None
        health.last_poll_at, health.last_ok, health.last_error = now, True, None
        logger.info(
            "poll finished new=%d warnings=%d follow_ups=%d",
            result.new_alerts,
            result.warnings,
            result.follow_ups,
        )


def end_mute(db: Database, mute: subscriptions.Mute, *, now: datetime) -> None:
    """Lift a mute and queue one summary of what it held back (inside a transaction)."""
    held = outbox.muted_since(db, mute.channel)
    subscriptions.unmute(db, mute.channel)
    if not held:
        return
    counts = Counter(item.session_status or item.kind for item in held)
    tz = now.tzinfo
    message = alert_views.muted_summary_message(
        dict(counts),
        muted_since=datetime.fromtimestamp(mute.since, tz),
        muted_until=datetime.fromtimestamp(min(mute.until, now.timestamp()), tz),
        examples=[],
        by_key=None,
    )
    outbox.mark_summarized(db, mute.channel)
    outbox.add(
        db, kind="summary", channel=mute.channel, message=message, now=now.timestamp()
    )
