"""The real API: the Browserbase endpoints the bot calls, under ``/v1/``.

Every request is logged for the tests, goes through the active faults, must carry
the API key, then sees the state advanced to now. Errors have Fastify's body.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.emulator import cdp, wire
from bot.emulator.context import CONTEXT, Context, json_response
from bot.emulator.faults import Outcome
from bot.emulator.params import ParamError, Params
from bot.emulator.query import QueryError, matches_all, parse_query
from bot.emulator.state import (
    MAX_TIMEOUT,
    MIN_TIMEOUT,
    REGIONS,
    EmulatedSession,
    EmulatorState,
    new_session,
)
from bot.models import PENDING, STATUSES

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

API_KEY_HEADER = "X-BB-API-Key"
_NOW = web.RequestKey("bbslack_emulator_now", datetime)
_METADATA_LIMIT = 512


def register(app: web.Application) -> None:
    router = app.router
    router.add_get("/v1/sessions", list_sessions)
    router.add_post("/v1/sessions", create_session)
    router.add_get("/v1/sessions/{id}", get_session)
    router.add_post("/v1/sessions/{id}", update_session)
    router.add_get("/v1/sessions/{id}/debug", get_debug)
    router.add_get("/v1/sessions/{id}/logs", get_logs)
    router.add_get("/v1/sessions/{id}/replays", get_replays)
    router.add_get("/v1/projects", list_projects)
    router.add_get("/v1/projects/{id}", get_project)
    router.add_get("/v1/projects/{id}/usage", get_usage)


def error(
    status: int, message: str | None = None, headers: dict[str, str] | None = None
) -> web.Response:
    body = wire.dumps(wire.fastify_error(status, message))
    response = json_response(body, status)
    response.headers.update(headers or {})
    return response


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Log, fault, authenticate and advance the state before every API call."""
    context = request.app[CONTEXT]
    if not request.path.startswith("/v1/"):
        request[_NOW] = context.state.advance()
        return await handler(request)

    entry: dict[str, Any] = {
        "method": request.method,
        "path": request.path,
        "query": dict(request.query),
        "status": None,
    }
    context.requests.append(entry)
    response = await _serve(request, handler, context)
    entry["status"] = response.status
    logger.debug(
        "emulator request method=%s path=%s status=%s",
        request.method,
        request.path,
        response.status,
    )
    return response


async def _serve(
    request: web.Request, handler: Handler, context: Context
) -> web.StreamResponse:
    outcome = context.faults.decide(request.method, request.path)
    if outcome is not None:
        faulted = await _apply_fault(outcome, context)
        if faulted is not None:
            return faulted
    key = request.headers.get(API_KEY_HEADER)
    if not key:
        return error(401, f"Missing {API_KEY_HEADER} header")
    if key != context.api_key:
        return error(401, "Invalid API key")
    request[_NOW] = context.state.advance()
    try:
        return await handler(request)
    except NotFound as exc:
        return error(404, str(exc))
    except web.HTTPException as exc:
        # Unknown route or method: Fastify answers 404 for both.
        if exc.status in (404, 405):
            return error(404, f"Route {request.method}:{request.path} not found")
        return error(exc.status, exc.reason)


async def _apply_fault(outcome: Outcome, context: Context) -> web.Response | None:
    """Sleep, hang or answer as the fault says; None lets the request through."""
    if outcome.latency:
        await asyncio.sleep(outcome.latency)
    if outcome.hang:
        await context.unhang.wait()
        # Faults were cleared while we hung: answer as if nothing had happened.
        return error(503, "Emulator shutting down") if context.closing else None
    if outcome.status is None:
        return None
    headers = {}
    if outcome.retry_after is not None:
        headers["Retry-After"] = f"{outcome.retry_after:g}"
    if outcome.body is not None:
        kind = "text/html" if outcome.body.lstrip().startswith("<") else "text/plain"
        response = web.Response(
            text=outcome.body, status=outcome.status, content_type=kind
        )
        response.headers.update(headers)
        return response
    return error(outcome.status, headers=headers)


class NotFound(Exception):
    """The path names a session or project the emulator does not have."""


def current_time(request: web.Request) -> datetime:
    """The emulator's "now" for this request, the one the state advanced to."""
    return request[_NOW]


def _session(request: web.Request) -> EmulatedSession:
    session_id = request.match_info["id"]
    session = request.app[CONTEXT].state.sessions.get(session_id)
    if session is None:
        raise NotFound(f"Session {session_id} not found")
    return session


async def _json_body(request: web.Request) -> Params:
    text = await request.text()
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise ParamError(f"Body is not valid JSON: {exc.msg}") from exc
    return Params(data)


async def list_sessions(request: web.Request) -> web.StreamResponse:
    state = request.app[CONTEXT].state
    status = request.query.get("status")
    if status is not None and status not in STATUSES:
        return error(
            400, "querystring/status must be equal to one of the allowed values"
        )
    query = request.query.get("q", "").strip()
    if not query:
        return json_response(state.list_body(state.project_id, status))
    try:
        clauses = parse_query(query)
    except QueryError as exc:
        return error(400, f"querystring/q {exc}")
    found = [
        session
        for session in state.listed((state.project_id, status))
        if matches_all(clauses, session.user_metadata)
    ]
    return json_response(b"[" + b",".join(map(wire.session_bytes, found)) + b"]")


def _new_session(
    params: Params, state: EmulatorState, now: datetime
) -> EmulatedSession:
    """The session a create body asks for; ParamError or NotFound when it can't be."""
    project_id = params.string("projectId") or state.project_id
    project = state.projects.get(project_id)
    if project is None:
        raise NotFound(f"Project {project_id} not found")
    timeout = params.integer("timeout", MIN_TIMEOUT, MAX_TIMEOUT)
    metadata = params.mapping("userMetadata")
    if metadata is not None and len(wire.dumps(metadata)) >= _METADATA_LIMIT:
        raise ParamError(f"body/userMetadata must be under {_METADATA_LIMIT} bytes")
    settings = params.nested("browserSettings")
    log_session = settings.boolean("logSession", default=True)
    return new_session(
        project_id,
        PENDING,
        started_at=now,
        expires_at=now + timedelta(seconds=timeout or project.default_timeout),
        keep_alive=params.boolean("keepAlive"),
        region=params.choice("region", REGIONS) or REGIONS[0],
        context_id=settings.nested("context").string("id"),
        user_metadata=metadata,
        logs="clean" if log_session else "none",
    )


async def create_session(request: web.Request) -> web.StreamResponse:
    state = request.app[CONTEXT].state
    try:
        session = _new_session(await _json_body(request), state, current_time(request))
    except ParamError as exc:
        return error(400, str(exc))

    project = state.projects[session.project_id]
    live = state.live_count(project.id)
    if live >= project.concurrency:
        return error(
            429,
            f"You've exceeded your max concurrent sessions limit "
            f"(limit {project.concurrency}, currently {live})",
        )
    state.add(session)
    logger.info(
        "emulator created session=%s keep_alive=%s", session.id, session.keep_alive
    )
    return json_response(wire.session_with_connect(session), 201)


async def get_session(request: web.Request) -> web.StreamResponse:
    return json_response(wire.session_with_connect(_session(request)))


async def update_session(request: web.Request) -> web.StreamResponse:
    session = _session(request)
    try:
        params = await _json_body(request)
        if "status" not in params:
            raise ParamError("body must have required property 'status'")
        params.choice("status", ("REQUEST_RELEASE",))
        params.string("projectId")
    except ParamError as exc:
        return error(400, str(exc))
    request.app[CONTEXT].state.release(session, current_time(request))
    return json_response(wire.session_bytes(session))


async def get_debug(request: web.Request) -> web.StreamResponse:
    return json_response(wire.dumps(cdp.live_urls(_session(request))))


async def get_logs(request: web.Request) -> web.StreamResponse:
    logs = cdp.session_logs(_session(request), current_time(request))
    return json_response(wire.dumps(logs))


async def get_replays(request: web.Request) -> web.StreamResponse:
    replays = cdp.replays(_session(request), current_time(request))
    return json_response(wire.dumps(replays))


async def list_projects(request: web.Request) -> web.StreamResponse:
    projects = request.app[CONTEXT].state.projects.values()
    return json_response(wire.dumps([wire.project_dict(p) for p in projects]))


async def get_project(request: web.Request) -> web.StreamResponse:
    project_id = request.match_info["id"]
    project = request.app[CONTEXT].state.projects.get(project_id)
    if project is None:
        return error(404, f"Project {project_id} not found")
    return json_response(wire.dumps(wire.project_dict(project)))


async def get_usage(request: web.Request) -> web.StreamResponse:
    project_id = request.match_info["id"]
    state = request.app[CONTEXT].state
    if project_id not in state.projects:
        return error(404, f"Project {project_id} not found")
    minutes, proxy = state.usage(project_id, current_time(request))
    return json_response(wire.dumps({"browserMinutes": minutes, "proxyBytes": proxy}))
