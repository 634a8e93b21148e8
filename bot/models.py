"""Typed views of Browserbase API answers.

Parsing is tolerant: unknown status values are kept as they come, optional fields may be
absent, and extra fields are ignored (except the ones that grant control of a browser,
which are dropped on purpose so they can never be logged or shown).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Known session statuses; the API may add more, and we keep whatever it sends.
PENDING = "PENDING"
RUNNING = "RUNNING"
COMPLETED = "COMPLETED"
ERROR = "ERROR"
TIMED_OUT = "TIMED_OUT"
STATUSES = (PENDING, RUNNING, ERROR, TIMED_OUT, COMPLETED)
LIVE_STATUSES = frozenset({PENDING, RUNNING})

INSPECTOR_URL = "https://www.browserbase.com/sessions/{id}"
SESSIONS_URL = "https://www.browserbase.com/sessions"
DASHBOARD_URL = "https://www.browserbase.com/overview"


def parse_time(value: object) -> datetime | None:
    """An ISO-8601 string as an aware UTC datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    """The API's own shape: ``2026-12-03T16:07:25.123Z``."""
    text = value.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    return None


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    status: str
    project_id: str
    created_at: datetime | None
    started_at: datetime | None
    updated_at: datetime | None
    expires_at: datetime | None
    ended_at: datetime | None = None
    proxy_bytes: int = 0
    keep_alive: bool = False
    region: str | None = None
    context_id: str | None = None
    user_metadata: dict[str, Any] = field(default_factory=dict)
    avg_cpu_usage: int | None = None
    memory_usage: int | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Session:
        metadata = data.get("userMetadata")
        return cls(
            id=str(data["id"]),
            status=str(data.get("status") or "UNKNOWN").upper(),
            project_id=str(data.get("projectId") or ""),
            created_at=parse_time(data.get("createdAt")),
            started_at=parse_time(data.get("startedAt")),
            updated_at=parse_time(data.get("updatedAt")),
            expires_at=parse_time(data.get("expiresAt")),
            ended_at=parse_time(data.get("endedAt")),
            proxy_bytes=_int_or_none(data.get("proxyBytes")) or 0,
            keep_alive=data.get("keepAlive") is True,
            region=_str_or_none(data.get("region")),
            context_id=_str_or_none(data.get("contextId")),
            user_metadata=dict(metadata) if isinstance(metadata, Mapping) else {},
            avg_cpu_usage=_int_or_none(data.get("avgCpuUsage")),
            memory_usage=_int_or_none(data.get("memoryUsage")),
        )

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def inspector_url(self) -> str:
        return INSPECTOR_URL.format(id=self.id)

    @property
    def timeout_seconds(self) -> int | None:
        """The timeout in force, read from ``expiresAt - startedAt``."""
        start = self.started_at or self.created_at
        if start is None or self.expires_at is None:
            return None
        return round((self.expires_at - start).total_seconds())

    def duration_seconds(self, now: datetime) -> float | None:
        """How long it ran: to its end, or to ``now`` while it is live."""
        start = self.started_at or self.created_at
        if start is None:
            return None
        end = self.ended_at or (now if self.is_live else self.updated_at) or now
        return max(0.0, (end - start).total_seconds())


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    name: str
    default_timeout: int | None
    concurrency: int | None
    owner_id: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Project:
        return cls(
            id=str(data["id"]),
            name=str(data.get("name") or data["id"]),
            default_timeout=_int_or_none(data.get("defaultTimeout")),
            concurrency=_int_or_none(data.get("concurrency")),
            owner_id=_str_or_none(data.get("ownerId")),
        )


@dataclass(frozen=True, slots=True)
class Usage:
    browser_minutes: int
    proxy_bytes: int

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Usage:
        return cls(
            browser_minutes=_int_or_none(data.get("browserMinutes")) or 0,
            proxy_bytes=_int_or_none(data.get("proxyBytes")) or 0,
        )


@dataclass(frozen=True, slots=True)
class SessionLog:
    """One Chrome DevTools Protocol call made in a session."""

    method: str
    page_id: int | str | None
    timestamp: datetime | None
    request_params: dict[str, Any]
    response_result: dict[str, Any]
    response_raw: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> SessionLog:
        request = (
            data.get("request") if isinstance(data.get("request"), Mapping) else {}
        )
        response = (
            data.get("response") if isinstance(data.get("response"), Mapping) else {}
        )
        assert isinstance(request, Mapping) and isinstance(response, Mapping)
        params = request.get("params")
        result = response.get("result")
        stamp = _int_or_none(data.get("timestamp"))
        return cls(
            method=str(data.get("method") or ""),
            page_id=data.get("pageId"),
            timestamp=datetime.fromtimestamp(stamp / 1000, UTC) if stamp else None,
            request_params=dict(params) if isinstance(params, Mapping) else {},
            response_result=dict(result) if isinstance(result, Mapping) else {},
            response_raw=_str_or_none(response.get("rawBody")),
        )


@dataclass(frozen=True, slots=True)
class DebugPage:
    id: str
    url: str
    title: str


@dataclass(frozen=True, slots=True)
class DebugUrls:
    """Live view URLs of a running session (they give control: never post them)."""

    debugger_fullscreen_url: str | None
    debugger_url: str | None
    pages: tuple[DebugPage, ...]

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> DebugUrls:
        pages = tuple(
            DebugPage(
                id=str(page.get("id") or ""),
                url=str(page.get("url") or ""),
                title=str(page.get("title") or ""),
            )
            for page in data.get("pages") or []
            if isinstance(page, Mapping)
        )
        return cls(
            debugger_fullscreen_url=_str_or_none(data.get("debuggerFullscreenUrl")),
            debugger_url=_str_or_none(data.get("debuggerUrl")),
            pages=pages,
        )


@dataclass(frozen=True, slots=True)
class ReplayPage:
    page_id: str
    url: str
    start_ms: int | None
    end_ms: int | None


@dataclass(frozen=True, slots=True)
class Replays:
    pages: tuple[ReplayPage, ...]
    page_count: int

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Replays:
        pages = tuple(
            ReplayPage(
                page_id=str(page.get("pageId") or ""),
                url=str(page.get("url") or ""),
                start_ms=_int_or_none(page.get("startTimeMs")),
                end_ms=_int_or_none(page.get("endTimeMs")),
            )
            for page in data.get("pages") or []
            if isinstance(page, Mapping)
        )
        count = _int_or_none(data.get("pageCount"))
        return cls(pages=pages, page_count=count if count is not None else len(pages))
