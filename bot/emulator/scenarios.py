"""What the emulated project holds when the emulator starts.

- ``empty``: one project, no sessions.
- ``demo``: a lively project for a newcomer watching the bot: a few running sessions,
  two keep-alive sessions already running for 40+ minutes, some history, and about
  every minute new sessions, one of which errors or times out (with failing logs).
- ``history``: 1,000 ended sessions over the past week and nothing live.

The demo plays on the state's clock: `Demo.tick` creates, backdated, every session due
since the last tick, so a test that jumps the clock an hour sees an hour of activity.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime, timedelta
from typing import Any

from bot.emulator.state import REGIONS, EmulatedSession, EmulatorState, new_session
from bot.models import COMPLETED, ERROR, PENDING, RUNNING, TIMED_OUT

logger = logging.getLogger(__name__)

SCENARIOS = ("empty", "demo", "history")

_JOBS = (
    ("price-scraper", "growth"),
    ("checkout-smoke", "checkout"),
    ("invoice-export", "finance"),
    ("login-monitor", "platform"),
)
_KEEP_ALIVE_TIMEOUT = 21600
_HISTORY_SPAN = timedelta(days=7)


def check_scenario(name: str) -> None:
    """Raise ValueError naming the valid scenarios when ``name`` is not one."""
    if name not in SCENARIOS:
        raise ValueError(
            f"unknown scenario {name!r}: choose one of {', '.join(SCENARIOS)}"
        )


def apply_scenario(state: EmulatorState, name: str, *, seed: int = 7) -> Demo | None:
    """Fill ``state`` for scenario ``name``; the demo comes back to be run."""
    check_scenario(name)
    rng = random.Random(seed)
    now = state.now()
    if name == "history":
        state.add_many(history(state, rng, now, count=1000, span=_HISTORY_SPAN))
    if name != "demo":
        return None
    demo = Demo(state, rng)
    demo.seed(now)
    state.add_ticker(demo.tick)
    return demo


def _metadata(rng: random.Random) -> dict[str, Any]:
    job, team = rng.choice(_JOBS)
    return {"job": job, "team": {"name": team}, "env": rng.choice(("prod", "staging"))}


def _ended(
    state: EmulatorState, rng: random.Random, status: str, ended: datetime
) -> EmulatedSession:
    """A finished session with a plausible run time for its status."""
    if status == TIMED_OUT:
        timeout = rng.choice((60, 300, 900))
        ran = float(timeout)
    else:
        timeout = rng.choice((300, 900, 1800))
        ran = rng.uniform(5, timeout * 0.8)
    started = ended - timedelta(seconds=ran)
    return new_session(
        state.project_id,
        status,
        started_at=started,
        expires_at=started + timedelta(seconds=timeout),
        ended_at=ended,
        region=rng.choice(REGIONS),
        proxy_bytes=rng.choice((0, rng.randrange(10_000, 5_000_000))),
        user_metadata=_metadata(rng),
    )


def history(
    state: EmulatorState,
    rng: random.Random,
    now: datetime,
    *,
    count: int,
    span: timedelta,
) -> list[EmulatedSession]:
    """``count`` ended sessions spread over ``span`` before ``now``, mostly fine."""
    statuses = rng.choices((COMPLETED, ERROR, TIMED_OUT), weights=(80, 12, 8), k=count)
    return [
        _ended(state, rng, status, now - span * rng.random()) for status in statuses
    ]


class Demo:
    """Keeps the demo project busy, one backdated batch of sessions a minute."""

    def __init__(self, state: EmulatorState, rng: random.Random) -> None:
        self._state = state
        self._rng = rng
        self._next: datetime | None = None

    def seed(self, now: datetime) -> None:
        state, rng = self._state, self._rng
        state.add_many(history(state, rng, now, count=24, span=timedelta(hours=6)))
        for minutes in (42, 57):
            started = now - timedelta(minutes=minutes, seconds=rng.uniform(0, 50))
            state.add(
                new_session(
                    state.project_id,
                    RUNNING,
                    started_at=started,
                    expires_at=started + timedelta(seconds=_KEEP_ALIVE_TIMEOUT),
                    keep_alive=True,
                    proxy_bytes=rng.randrange(1_000_000, 50_000_000),
                    user_metadata={
                        "job": "debug-console",
                        "team": {"name": "platform"},
                    },
                    avg_cpu_usage=rng.randrange(5, 60),
                    memory_usage=rng.randrange(200, 900),
                )
            )
        for _ in range(3):
            ago = rng.uniform(60, 600)
            self._start(now - timedelta(seconds=ago), 1800, COMPLETED, ago + 600)
        self._next = now + timedelta(seconds=15)

    def tick(self, now: datetime) -> None:
        """Create every session due by ``now`` (the state then plays their ends)."""
        while self._next is not None and self._next <= now:
            self._batch(self._next)
            self._next += timedelta(seconds=self._rng.uniform(45, 75))

    async def run(self, interval: float = 1.0) -> None:
        """Advance the state every ``interval`` seconds: the demo lives on its own."""
        while True:
            self._state.advance()
            await asyncio.sleep(interval)

    def _batch(self, at: datetime) -> None:
        rng = self._rng
        if rng.random() < 0.5:
            self._start(at, 300, ERROR, rng.uniform(15, 90))
        else:
            timeout = rng.randrange(60, 121)
            self._start(at, timeout, TIMED_OUT, None)
        for _ in range(rng.randint(1, 2)):
            self._start(at, 300, COMPLETED, rng.uniform(20, 150))
        if rng.random() < 0.3:
            self._start(at, 1800, COMPLETED, rng.uniform(300, 900))

    def _start(
        self, at: datetime, timeout: int, ends: str, after: float | None
    ) -> None:
        """A session created at ``at`` that ends ``ends`` after ``after`` seconds."""
        state, rng = self._state, self._rng
        session = new_session(
            state.project_id,
            PENDING,
            started_at=at,
            expires_at=at + timedelta(seconds=timeout),
            end_at=None if after is None else at + timedelta(seconds=after),
            end_status=None if after is None else ends,
            logs="failures" if ends in (ERROR, TIMED_OUT) else "clean",
            region=rng.choice(REGIONS),
            proxy_bytes=rng.choice((0, rng.randrange(10_000, 5_000_000))),
            user_metadata=_metadata(rng),
        )
        state.add(session)
        logger.debug("demo session=%s will end=%s", session.id, ends)
