"""Sessions placed in time by the control API: any status, backdated, consistent.

A spec is read and checked once, then built against a "now" as many times as needed:
bulk creation builds 100,000 sessions from one spec, each a little older than the
last. Every built session keeps the API's invariants: ``expiresAt = startedAt +
timeout``, an ended session has ``endedAt`` no later than its expiry, and a
TIMED_OUT session ended exactly at its expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, overload

from bot.emulator.params import ParamError, Params
from bot.emulator.state import (
    ENDED_STATUSES,
    LOG_KINDS,
    MAX_TIMEOUT,
    MIN_TIMEOUT,
    REGIONS,
    EmulatedSession,
    EmulatorState,
    new_session,
)
from bot.models import (
    COMPLETED,
    ERROR,
    LIVE_STATUSES,
    RUNNING,
    STATUSES,
    TIMED_OUT,
)

# Ten years: far enough back for any history a test wants.
_MAX_AGO = 10 * 365 * 86400.0
# An ended session given no start ran for one minute (or its whole timeout if less).
_DEFAULT_RUN = timedelta(seconds=60)
_ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class SessionSpec:
    status: str
    project_id: str
    timeout: timedelta
    started_ago: timedelta | None
    ended_ago: timedelta
    end_in: timedelta | None
    end_status: str | None
    keep_alive: bool
    region: str
    proxy_bytes: int
    context_id: str | None
    user_metadata: dict[str, Any] | None
    avg_cpu_usage: int | None
    memory_usage: int | None
    logs: str | None

    @classmethod
    def parse(cls, params: Params, state: EmulatorState) -> SessionSpec:
        """Read a control API body; raises `ParamError` naming the wrong field."""
        status = params.choice("status", STATUSES) or RUNNING
        project_id = params.string("projectId") or state.project_id
        timeout = params.integer("timeout", MIN_TIMEOUT, MAX_TIMEOUT)
        started_ago = params.number("startedAgo", 0, _MAX_AGO)
        ended_ago = params.number("endedAgo", 0, _MAX_AGO)
        end_in = params.number("endIn", 0, _MAX_AGO)
        end_status = params.choice("endStatus", ENDED_STATUSES)
        live = status in LIVE_STATUSES
        if live and ended_ago is not None:
            raise ParamError("body/endedAgo is only for ended statuses")
        if not live and (end_in is not None or end_status is not None):
            raise ParamError("body/endIn and endStatus are only for live statuses")
        if end_status is not None and end_in is None:
            raise ParamError("body/endStatus needs endIn (seconds from now)")
        if status == TIMED_OUT and started_ago is not None and timeout is not None:
            raise ParamError(
                "body: a TIMED_OUT session ran for its timeout; give timeout or "
                "startedAgo, not both"
            )
        default = state.ensure_project(project_id).default_timeout
        spec = cls(
            status=status,
            project_id=project_id,
            timeout=_seconds(timeout or default),
            started_ago=_seconds(started_ago),
            ended_ago=_seconds(ended_ago or 0.0),
            end_in=_seconds(end_in),
            end_status=(end_status or COMPLETED) if end_in is not None else None,
            keep_alive=params.boolean("keepAlive"),
            region=params.choice("region", REGIONS) or REGIONS[0],
            proxy_bytes=params.integer("proxyBytes") or 0,
            context_id=params.string("contextId"),
            user_metadata=params.mapping("userMetadata"),
            avg_cpu_usage=params.integer("avgCpuUsage"),
            memory_usage=params.integer("memoryUsage"),
            logs=params.choice("logs", LOG_KINDS),
        )
        spec._check_times()
        return spec

    def _check_times(self) -> None:
        if self.status == TIMED_OUT and self.started_ago is not None:
            ran = (self.started_ago - self.ended_ago).total_seconds()
            if not MIN_TIMEOUT <= ran <= MAX_TIMEOUT:
                raise ParamError(
                    "body/startedAgo minus endedAgo is the timeout of a TIMED_OUT "
                    f"session and must be between {MIN_TIMEOUT} and {MAX_TIMEOUT}"
                )
        elif self.status in (COMPLETED, ERROR) and self.started_ago is not None:
            lasted = self.started_ago - self.ended_ago
            if lasted < _ZERO:
                raise ParamError("body/startedAgo must be at least endedAgo")
            if lasted > self.timeout:
                raise ParamError(
                    "body/startedAgo: the session would have timed out before it "
                    "ended; raise timeout"
                )

    def build(self, now: datetime) -> EmulatedSession:
        """The session as it stands at ``now``."""
        started, expires, ended = self._times(now)
        end_at = None if self.end_in is None else now + self.end_in
        return new_session(
            self.project_id,
            self.status,
            started_at=started,
            expires_at=expires,
            ended_at=ended,
            end_at=end_at,
            end_status=self.end_status,
            keep_alive=self.keep_alive,
            region=self.region,
            proxy_bytes=self.proxy_bytes,
            context_id=self.context_id,
            user_metadata=self.user_metadata,
            avg_cpu_usage=self.avg_cpu_usage,
            memory_usage=self.memory_usage,
            logs=self.logs,
        )

    def _times(self, now: datetime) -> tuple[datetime, datetime, datetime | None]:
        """(startedAt, expiresAt, endedAt) as seen from ``now``."""
        if self.status in LIVE_STATUSES:
            started = now - (self.started_ago or _ZERO)
            return started, started + self.timeout, None
        ended = now - self.ended_ago
        if self.status == TIMED_OUT:
            if self.started_ago is not None:
                return now - self.started_ago, ended, ended
            return ended - self.timeout, ended, ended
        if self.started_ago is not None:
            started = now - self.started_ago
        else:
            started = ended - min(_DEFAULT_RUN, self.timeout)
        return started, started + self.timeout, ended


@overload
def _seconds(value: float) -> timedelta: ...
@overload
def _seconds(value: None) -> None: ...
def _seconds(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=value)
