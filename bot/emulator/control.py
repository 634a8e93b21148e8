"""The control API, under ``/_emulator/``: tests arrange the world through it.

No API key, JSON in and out, errors as ``{"error": "..."}``. Faults never apply here.

    POST   /_emulator/sessions           a spec (`specs.SessionSpec`) -> 201 Session
    POST   /_emulator/sessions/bulk      spec + count, interval -> {"created": n}
    POST   /_emulator/sessions/{id}/end  {"status": "ERROR"} -> Session (409 if ended)
    GET, POST, DELETE /_emulator/faults  a fault (`faults.Fault`) -> {"faults": [...]}
    GET, DELETE /_emulator/requests      -> [{method, path, query, status}]
    POST   /_emulator/reset              -> {"reset": true}
    GET    /_emulator/info               -> {projectId, apiKey, baseUrl}
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.emulator import wire
from bot.emulator.api import current_time
from bot.emulator.context import CONTEXT, json_response
from bot.emulator.faults import Fault, FaultError
from bot.emulator.params import ParamError, Params
from bot.emulator.specs import SessionSpec
from bot.emulator.state import ENDED_STATUSES

logger = logging.getLogger(__name__)

PREFIX = "/_emulator"
MAX_BULK = 1_000_000


def register(app: web.Application) -> None:
    router = app.router
    router.add_post(f"{PREFIX}/sessions", create_session)
    router.add_post(f"{PREFIX}/sessions/bulk", create_bulk)
    router.add_post(f"{PREFIX}/sessions/{{id}}/end", end_session)
    router.add_get(f"{PREFIX}/faults", list_faults)
    router.add_post(f"{PREFIX}/faults", add_fault)
    router.add_delete(f"{PREFIX}/faults", clear_faults)
    router.add_get(f"{PREFIX}/requests", list_requests)
    router.add_delete(f"{PREFIX}/requests", clear_requests)
    router.add_post(f"{PREFIX}/reset", reset)
    router.add_get(f"{PREFIX}/info", info)


def _answer(data: object, status: int = 200) -> web.Response:
    return json_response(wire.dumps(data), status)


def _refuse(message: str, status: int = 400) -> web.Response:
    return _answer({"error": message}, status)


async def _params(request: web.Request) -> Params:
    text = await request.text()
    try:
        return Params(json.loads(text) if text.strip() else {})
    except json.JSONDecodeError as exc:
        raise ParamError(f"body is not valid JSON: {exc.msg}") from exc


async def create_session(request: web.Request) -> web.StreamResponse:
    state = request.app[CONTEXT].state
    try:
        spec = SessionSpec.parse(await _params(request), state)
    except ParamError as exc:
        return _refuse(str(exc))
    session = state.add(spec.build(current_time(request)))
    return json_response(wire.session_bytes(session), 201)


async def create_bulk(request: web.Request) -> web.StreamResponse:
    """Many sessions from one spec, each ``interval`` seconds older than the last."""
    state = request.app[CONTEXT].state
    try:
        params = await _params(request)
        count = params.integer("count", 1, MAX_BULK)
        interval = params.number("interval", 0, 86400)
        spec = SessionSpec.parse(params, state)
    except ParamError as exc:
        return _refuse(str(exc))
    if count is None:
        return _refuse("body/count is required")

    now = current_time(request)
    step = timedelta(seconds=1.0 if interval is None else interval)
    created = state.add_many(spec.build(now - step * i) for i in range(count))
    logger.info("emulator bulk created=%s status=%s", created, spec.status)
    return _answer({"created": created}, 201)


async def end_session(request: web.Request) -> web.StreamResponse:
    state = request.app[CONTEXT].state
    session = state.sessions.get(request.match_info["id"])
    if session is None:
        return _refuse("no such session", 404)
    try:
        status = (await _params(request)).choice("status", ENDED_STATUSES)
    except ParamError as exc:
        return _refuse(str(exc))
    if status is None:
        return _refuse(f"body/status is required: one of {', '.join(ENDED_STATUSES)}")
    if not session.is_live:
        return _refuse(f"session already ended {session.status}", 409)
    state.finish(session, status, current_time(request))
    return _answer(wire.session_dict(session))


def _faults(request: web.Request) -> web.Response:
    faults = request.app[CONTEXT].faults.faults
    return _answer({"faults": [fault.to_json() for fault in faults]})


async def list_faults(request: web.Request) -> web.StreamResponse:
    return _faults(request)


async def add_fault(request: web.Request) -> web.StreamResponse:
    try:
        fault = Fault.from_json((await _params(request)).data)
    except (ParamError, FaultError) as exc:
        return _refuse(str(exc))
    request.app[CONTEXT].faults.add(fault)
    return _faults(request)


async def clear_faults(request: web.Request) -> web.StreamResponse:
    request.app[CONTEXT].clear_faults()
    return _faults(request)


async def list_requests(request: web.Request) -> web.StreamResponse:
    return _answer(list(request.app[CONTEXT].requests))


async def clear_requests(request: web.Request) -> web.StreamResponse:
    request.app[CONTEXT].requests.clear()
    return _answer([])


async def reset(request: web.Request) -> web.StreamResponse:
    """An empty project, no faults, no request log."""
    context = request.app[CONTEXT]
    context.state.reset()
    context.clear_faults()
    context.requests.clear()
    return _answer({"reset": True})


async def info(request: web.Request) -> web.StreamResponse:
    context = request.app[CONTEXT]
    data: dict[str, Any] = {
        "projectId": context.state.project_id,
        "apiKey": context.api_key,
        "baseUrl": context.base_url,
    }
    return _answer(data)
