"""`BrowserbaseClient`: the calls the bot makes to the Browserbase API."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import orjson

from bot.browserbase import failures
from bot.browserbase.failures import SECRET_FIELDS, Target
from bot.browserbase.query import matches_metadata, metadata_query
from bot.browserbase.transport import (
    RETRY_STATUSES,
    retry_after_seconds,
    retry_delay,
)
from bot.errors import NotFound
from bot.models import DebugUrls, Project, Replays, Session, SessionLog, Usage

logger = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class BrowserbaseClient:
    """Reads sessions and projects, and releases sessions, for one watched project.

    Reads and releases (which are idempotent) are retried on connection errors,
    timeouts and HTTP 408, 409, 429 and 5xx. Every failure is raised as a
    `bot.errors.BrowserbaseError` whose message names the ids involved.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_key: str,
        base_url: str,
        project_id: str,
        max_attempts: int = 3,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._http = http
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._project_id = project_id
        self._max_attempts = max_attempts
        self._sleep = sleep
        self._headers = {"X-BB-API-Key": api_key, "Accept": "application/json"}

    @property
    def project_id(self) -> str:
        return self._project_id

    @property
    def http(self) -> httpx.AsyncClient:
        """The shared HTTP client (for event hooks such as metrics)."""
        return self._http

    # -- sessions ---------------------------------------------------------------

    async def list_sessions(
        self, status: str | None = None, metadata: Mapping[str, str] | None = None
    ) -> list[Session]:
        """Sessions of the watched project, filtered by status and user metadata."""
        items = await self.list_session_dicts(status, metadata)
        target = self._list_target()
        found = [_build(Session.from_api, item, target) for item in items]
        # A key that sees several projects lists them all; we answer for one.
        return [s for s in found if s.project_id in ("", self._project_id)]

    async def list_session_dicts(
        self, status: str | None = None, metadata: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """The same sessions as raw JSON objects, without the browser-control fields.

        For callers that must not pay for a model per session on long histories.
        """
        metadata = metadata or {}
        params: dict[str, str] = {}
        if status:
            params["status"] = status
        query = metadata_query(metadata)
        if query is not None:
            params["q"] = query
        target = self._list_target()

        data = await self._call("GET", "/v1/sessions", target, params=params)
        items = _session_dicts(data, target)

        if metadata:
            items = [
                i for i in items if matches_metadata(i.get("userMetadata"), metadata)
            ]
        return items

    async def get_session(self, session_id: str) -> Session:
        target = self._session_target(session_id, "session")
        path = _path(target, "sessions", session_id)
        data = await self._call("GET", path, target)
        return _build(Session.from_api, data, target)

    async def release_session(self, session_id: str) -> Session:
        """Ask Browserbase to end a session; it ends ``COMPLETED``."""
        target = self._session_target(session_id, "session")
        path = _path(target, "sessions", session_id)
        body = {"status": "REQUEST_RELEASE", "projectId": self._project_id}
        data = await self._call("POST", path, target, body=body)
        return _build(Session.from_api, data, target)

    async def session_logs(
        self, session_id: str, *, timeout: float | None = None
    ) -> list[SessionLog]:
        """The session's CDP log; with ``timeout``, give up after that many seconds."""
        target = self._session_target(session_id, "the logs of session")
        path = _path(target, "sessions", session_id, "logs")
        data = await self._call("GET", path, target, budget=timeout)
        if not isinstance(data, list):
            raise failures.wrong_shape(target, "a list of log entries")
        return [_build(SessionLog.from_api, item, target) for item in data]

    async def session_debug(self, session_id: str) -> DebugUrls:
        """Live view URLs; they give control of the browser, so never post them."""
        target = self._session_target(session_id, "the live view of session")
        path = _path(target, "sessions", session_id, "debug")
        data = await self._call("GET", path, target)
        return _build(DebugUrls.from_api, data, target)

    async def session_replays(self, session_id: str) -> Replays:
        target = self._session_target(session_id, "the replays of session")
        path = _path(target, "sessions", session_id, "replays")
        data = await self._call("GET", path, target)
        return _build(Replays.from_api, data, target)

    # -- projects ---------------------------------------------------------------

    async def get_project(self, project_id: str | None = None) -> Project:
        """A project, by default the watched one."""
        project_id = project_id or self._project_id
        target = self._project_target(project_id, "project")
        path = _path(target, "projects", project_id)
        data = await self._call("GET", path, target)
        return _build(Project.from_api, data, target)

    async def project_usage(self, project_id: str | None = None) -> Usage:
        """Browser minutes and proxy bytes of a project, by default the watched one."""
        project_id = project_id or self._project_id
        target = self._project_target(project_id, "the usage of project")
        path = _path(target, "projects", project_id, "usage")
        data = await self._call("GET", path, target)
        return _build(Usage.from_api, data, target)

    # -- targets and paths ------------------------------------------------------

    def _session_target(self, session_id: str, label: str) -> Target:
        shown = failures.printable(session_id)
        project = failures.printable(self._project_id)
        return Target(
            label=f"{label} {shown}",
            not_found=f"Session {shown} was not found in Browserbase project "
            f"{project}.",
        )

    def _project_target(self, project_id: str, label: str) -> Target:
        shown = failures.printable(project_id)
        hint = (
            " Check BROWSERBASE_PROJECT_ID." if project_id == self._project_id else ""
        )
        return Target(
            label=f"{label} {shown}",
            not_found=f"Browserbase project {shown} was not found.{hint}",
        )

    def _list_target(self) -> Target:
        project = failures.printable(self._project_id)
        return Target(
            label=f"the sessions of project {project}",
            not_found=f"Browserbase has no session list at {self._base_url}: "
            "check BROWSERBASE_BASE_URL.",
        )

    # -- the call itself --------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        target: Target,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        budget: float | None = None,
    ) -> Any:
        """Make the call, retrying what may succeed again; return the JSON answer."""
        deadline = None if budget is None else time.monotonic() + budget
        attempt = 0
        while True:
            attempt += 1
            timeout = _attempt_timeout(deadline, budget)
            try:
                response = await self._send(
                    method, path, attempt, params, body, timeout
                )
            except httpx.HTTPError as exc:
                limit = budget or _limit_for(exc, self._http.timeout)
                error = failures.error_for_transport(exc, limit)
                if not failures.retryable(exc):
                    raise error from exc
                cause: BaseException | None = exc
                retry_after = None
            else:
                if response.is_success:
                    return _json(response, target)
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                error = failures.error_for_status(
                    response, target, api_key=self._api_key, retry_after=retry_after
                )
                if response.status_code not in RETRY_STATUSES:
                    raise error
                cause = None

            delay = retry_delay(attempt, retry_after)
            out_of_time = deadline is not None and time.monotonic() + delay >= deadline
            if attempt >= self._max_attempts or out_of_time:
                raise error from cause
            logger.warning(
                "browserbase retry method=%s path=%s attempt=%d reason=%s wait_s=%.2f",
                method,
                path,
                attempt,
                failures.describe(cause or error),
                delay,
            )
            await self._sleep(delay)

    async def _send(
        self,
        method: str,
        path: str,
        attempt: int,
        params: Mapping[str, str] | None,
        body: Mapping[str, Any] | None,
        timeout: httpx.Timeout | None,
    ) -> httpx.Response:
        """One request, logged in one line: status and time, never the payload."""
        started = time.perf_counter()
        # Anything else that stops the call (a cancelled poll at shutdown) logs this.
        status = "cancelled"
        try:
            response = await self._http.request(
                method,
                self._base_url + path,
                params=params,
                json=body,
                headers=self._headers,
                timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
            )
        except httpx.HTTPError as exc:
            status = f"error error={type(exc).__name__}"
            raise
        else:
            status = str(response.status_code)
        finally:
            logger.info(
                "browserbase call method=%s path=%s status=%s attempt=%d elapsed_ms=%d",
                method,
                path,
                status,
                attempt,
                round((time.perf_counter() - started) * 1000),
            )
        return response


def _path(target: Target, *segments: str) -> str:
    """``/v1/...`` with every segment escaped, so an id cannot change the path."""
    # "." and ".." are path steps however they are escaped, and no id is only dots.
    if any(segment.strip(".") == "" for segment in segments):
        raise NotFound(target.not_found)
    return "/v1/" + "/".join(quote(segment, safe="") for segment in segments)


def _attempt_timeout(
    deadline: float | None, budget: float | None
) -> httpx.Timeout | None:
    """The limit for one attempt: what is left of the caller's budget, if any."""
    if deadline is None or budget is None:
        return None
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise failures.timed_out(budget)
    return httpx.Timeout(remaining, connect=min(5.0, remaining))


def _limit_for(exc: httpx.HTTPError, timeout: httpx.Timeout) -> float | None:
    """The configured limit that ``exc`` ran into, for the error message."""
    if isinstance(exc, httpx.ConnectTimeout):
        return timeout.connect
    if isinstance(exc, httpx.WriteTimeout):
        return timeout.write
    if isinstance(exc, httpx.PoolTimeout):
        return timeout.pool
    return timeout.read


def _json(response: httpx.Response, target: Target) -> Any:
    try:
        # orjson: a project's history can be tens of megabytes of JSON every poll.
        return orjson.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise failures.not_json(target, response.status_code) from exc


def _session_dicts(data: object, target: Target) -> list[dict[str, Any]]:
    """Check the list answer's shape and drop the browser-control fields in place."""
    if not isinstance(data, list):
        raise failures.wrong_shape(target, "a list of sessions")
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise failures.wrong_shape(target, "sessions with an id")
        for name in SECRET_FIELDS:
            item.pop(name, None)
    return data


def _build(
    factory: Callable[[Mapping[str, Any]], T], data: object, target: Target
) -> T:
    """A model from one JSON object, or BadResponse when it does not fit."""
    if not isinstance(data, dict):
        raise failures.wrong_shape(target, "a JSON object")
    try:
        return factory(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise failures.wrong_shape(target, "the documented fields") from exc
