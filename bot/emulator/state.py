"""The emulator's world: projects and sessions, moved along by a clock.

Nothing runs on a timer here. Every request first calls `EmulatorState.advance`, which
plays whatever happened since the last call: PENDING sessions start, planned ends
happen, sessions past ``expiresAt`` time out. Tests inject the clock and jump it.

Ended sessions never change again, so their JSON is built once and the list of each
(project, status) is cached until a session joins or leaves it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.emulator import wire
from bot.models import COMPLETED, ERROR, LIVE_STATUSES, PENDING, RUNNING, TIMED_OUT

Clock = Callable[[], datetime]
Ticker = Callable[[datetime], None]

ENDED_STATUSES = (COMPLETED, ERROR, TIMED_OUT)
REGIONS = ("us-west-2", "us-east-1", "eu-central-1", "ap-southeast-1")
LOG_KINDS = ("failures", "clean", "none")
MIN_TIMEOUT, MAX_TIMEOUT = 60, 21600
# How long a created session stays PENDING before it runs.
PENDING_FOR = timedelta(seconds=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


# Session ids only need to be unique, and bulk creation makes 100,000 of them: a
# generator seeded from the OS is several times faster than uuid.uuid4().
_ids = random.Random()
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def new_session_id() -> str:
    """A random version 4 UUID, as Browserbase's session ids are."""
    h = f"{_ids.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


@dataclass(slots=True)
class EmulatedProject:
    id: str
    name: str
    owner_id: str
    created_at: datetime
    updated_at: datetime
    default_timeout: int = 300
    concurrency: int = 25


@dataclass(slots=True, eq=False)
class EmulatedSession:
    id: str
    project_id: str
    status: str
    created_at: datetime
    started_at: datetime
    updated_at: datetime
    expires_at: datetime
    keep_alive: bool = False
    region: str = "us-west-2"
    proxy_bytes: int = 0
    ended_at: datetime | None = None
    # When a PENDING session starts running.
    running_at: datetime | None = None
    # A planned end before the timeout: when, and with which status.
    end_at: datetime | None = None
    end_status: str | None = None
    context_id: str | None = None
    user_metadata: dict[str, Any] | None = None
    avg_cpu_usage: int | None = None
    memory_usage: int | None = None
    logs: str = "clean"
    # Cached JSON, reset by every change the state makes.
    body: bytes | None = field(default=None, repr=False)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    def due_end(self) -> tuple[datetime, str]:
        """When and how this live session ends if nobody releases it."""
        if self.end_at is not None and self.end_at < self.expires_at:
            return self.end_at, self.end_status or COMPLETED
        return self.expires_at, TIMED_OUT


def new_session(
    project_id: str,
    status: str,
    *,
    started_at: datetime,
    expires_at: datetime,
    ended_at: datetime | None = None,
    end_at: datetime | None = None,
    end_status: str | None = None,
    keep_alive: bool = False,
    region: str = "us-west-2",
    proxy_bytes: int = 0,
    context_id: str | None = None,
    user_metadata: dict[str, Any] | None = None,
    avg_cpu_usage: int | None = None,
    memory_usage: int | None = None,
    logs: str | None = None,
) -> EmulatedSession:
    """A session record with the derived fields filled in (not stored yet).

    A PENDING session runs one second after it started; ended sessions show failures
    in their logs when they ended badly, unless ``logs`` says otherwise.
    """
    if logs is None:
        bad = {status, end_status} & {ERROR, TIMED_OUT}
        logs = "failures" if bad else "clean"
    running_at = started_at + PENDING_FOR if status == PENDING else None
    return EmulatedSession(
        id=new_session_id(),
        project_id=project_id,
        status=status,
        created_at=started_at,
        started_at=started_at,
        updated_at=ended_at or started_at,
        expires_at=expires_at,
        ended_at=ended_at,
        running_at=running_at,
        end_at=end_at,
        end_status=end_status,
        keep_alive=keep_alive,
        region=region,
        proxy_bytes=proxy_bytes,
        context_id=context_id,
        user_metadata=user_metadata,
        avg_cpu_usage=avg_cpu_usage,
        memory_usage=memory_usage,
        logs=logs,
    )


def billed_minutes(session: EmulatedSession, now: datetime) -> int:
    """Browserbase bills every session for at least one minute."""
    end = session.ended_at or now
    seconds = max(0.0, (end - session.started_at).total_seconds())
    return max(1, math.ceil(seconds / 60))


class EmulatorState:
    """Projects and sessions of one emulated Browserbase account."""

    def __init__(
        self,
        project_id: str = "proj_emulator",
        *,
        now: Clock = utc_now,
        default_timeout: int = 300,
        concurrency: int = 25,
    ) -> None:
        self.project_id = project_id
        self.now = now
        self._default_timeout = default_timeout
        self._concurrency = concurrency
        self._tickers: list[Ticker] = []
        self.reset()

    def reset(self) -> None:
        """Back to one empty project (tickers such as the demo keep running)."""
        self.projects: dict[str, EmulatedProject] = {}
        self.sessions: dict[str, EmulatedSession] = {}
        self._live: dict[str, EmulatedSession] = {}
        self._index: dict[tuple[str, str], dict[str, EmulatedSession]] = {}
        # Bumped whenever a (project, status) list changes; None stands for all.
        self._generation: dict[tuple[str, str | None], int] = {}
        self._list_cache: dict[tuple[str, str | None], tuple[int, bytes]] = {}
        self._ended_minutes: dict[str, int] = {}
        self._ended_bytes: dict[str, int] = {}
        self.ensure_project(self.project_id)

    def add_ticker(self, ticker: Ticker) -> None:
        """Call ``ticker(now)`` at the start of every `advance` (scenarios use it)."""
        self._tickers.append(ticker)

    # Projects

    def ensure_project(self, project_id: str) -> EmulatedProject:
        project = self.projects.get(project_id)
        if project is None:
            born = self.now() - timedelta(days=30)
            project = EmulatedProject(
                id=project_id,
                name="Emulator project"
                if project_id == self.project_id
                else f"Project {project_id}",
                owner_id="org_emulator",
                created_at=born,
                updated_at=born,
                default_timeout=self._default_timeout,
                concurrency=self._concurrency,
            )
            self.projects[project_id] = project
        return project

    def usage(self, project_id: str, now: datetime) -> tuple[int, int]:
        """(browser minutes, proxy bytes) of every session the project ever had."""
        minutes = self._ended_minutes.get(project_id, 0)
        proxy = self._ended_bytes.get(project_id, 0)
        for session in self._live.values():
            if session.project_id == project_id:
                minutes += billed_minutes(session, now)
                proxy += session.proxy_bytes
        return minutes, proxy

    def live_count(self, project_id: str) -> int:
        return sum(1 for s in self._live.values() if s.project_id == project_id)

    # Sessions

    def add(self, session: EmulatedSession) -> EmulatedSession:
        """Store a session built by the caller, in whatever state it is."""
        self._store(session)
        self._touch(session.project_id, session.status)
        return session

    def add_many(self, sessions: Iterable[EmulatedSession]) -> int:
        """Store many sessions; the lists they join are invalidated once."""
        touched: set[tuple[str, str]] = set()
        count = 0
        for session in sessions:
            self._store(session)
            touched.add((session.project_id, session.status))
            count += 1
        for project_id, status in touched:
            self._touch(project_id, status)
        return count

    def release(self, session: EmulatedSession, now: datetime) -> None:
        """REQUEST_RELEASE: a live session completes now; an ended one stays as is."""
        if session.is_live:
            self.finish(session, COMPLETED, now)

    def finish(self, session: EmulatedSession, status: str, at: datetime) -> None:
        """End a live session with ``status`` at ``at``."""
        session.ended_at = at
        if status == TIMED_OUT:
            # Keep the API's invariant: a timed-out session ends at its expiry.
            session.expires_at = at
        self._move(session, status, at)
        del self._live[session.id]
        self._account(session)
        wire.session_bytes(session)

    def advance(self) -> datetime:
        """Play everything due up to now; return that now."""
        now = self.now()
        for ticker in self._tickers:
            ticker(now)
        for session in list(self._live.values()):
            self._evolve(session, now)
        return now

    def list_body(self, project_id: str, status: str | None) -> bytes:
        """The JSON array of a project's sessions, newest first, cached."""
        key = (project_id, status)
        generation = self._generation.get(key, 0)
        cached = self._list_cache.get(key)
        if cached is not None and cached[0] == generation:
            return cached[1]
        body = b"[" + b",".join(map(wire.session_bytes, self.listed(key))) + b"]"
        self._list_cache[key] = (generation, body)
        return body

    def listed(self, key: tuple[str, str | None]) -> list[EmulatedSession]:
        project_id, status = key
        if status is not None:
            found = list(self._index.get((project_id, status), {}).values())
        else:
            found = [s for s in self.sessions.values() if s.project_id == project_id]
        found.sort(key=_newest_first)
        return found

    # Internals

    def _store(self, session: EmulatedSession) -> None:
        self.ensure_project(session.project_id)
        self.sessions[session.id] = session
        key = (session.project_id, session.status)
        self._index.setdefault(key, {})[session.id] = session
        if session.is_live:
            self._live[session.id] = session
        else:
            self._account(session)
            # It will never change: pay for its JSON now rather than on a listing.
            wire.session_bytes(session)

    def _evolve(self, session: EmulatedSession, now: datetime) -> None:
        end_time, end_status = session.due_end()
        running_at = session.running_at
        if (
            session.status == PENDING
            and running_at is not None
            and running_at <= now
            and running_at < end_time
        ):
            self._move(session, RUNNING, running_at)
        if end_time <= now:
            self.finish(session, end_status, end_time)

    def _move(self, session: EmulatedSession, status: str, at: datetime) -> None:
        old = self._index[(session.project_id, session.status)]
        del old[session.id]
        self._index.setdefault((session.project_id, status), {})[session.id] = session
        self._touch(session.project_id, session.status, status)
        session.status = status
        session.updated_at = max(session.updated_at, at)
        session.body = None

    def _touch(self, project_id: str, *statuses: str) -> None:
        for key in ((project_id, None), *((project_id, s) for s in statuses)):
            self._generation[key] = self._generation.get(key, 0) + 1

    def _account(self, session: EmulatedSession) -> None:
        project_id = session.project_id
        minutes = billed_minutes(session, session.ended_at or session.updated_at)
        self._ended_minutes[project_id] = (
            self._ended_minutes.get(project_id, 0) + minutes
        )
        self._ended_bytes[project_id] = (
            self._ended_bytes.get(project_id, 0) + session.proxy_bytes
        )


def _newest_first(session: EmulatedSession) -> float:
    return -session.created_at.timestamp()
