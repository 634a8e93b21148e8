"""Contract: every answer of the emulator is one the real Browserbase API could give.

Each answer is checked twice: against the response schemas of Browserbase's OpenAPI
spec (``$ref``s resolved, formats checked), and by the official SDK's pydantic models in
strict mode. Then the official SDK client itself drives the emulator.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema
import pytest
from browserbase import Browserbase, NotFoundError
from browserbase.types.project import Project
from browserbase.types.project_usage import ProjectUsage
from browserbase.types.session import Session
from browserbase.types.session_create_response import SessionCreateResponse
from browserbase.types.session_live_urls import SessionLiveURLs
from browserbase.types.session_retrieve_response import SessionRetrieveResponse
from browserbase.types.sessions.replay_retrieve_response import ReplayRetrieveResponse
from browserbase.types.sessions.session_log import SessionLog
from pydantic import TypeAdapter

from bot.emulator import EmulatorServer

SPEC = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "reference"
    / "browserbase-openapi.json"
)
STATUSES = {"PENDING", "RUNNING", "ERROR", "TIMED_OUT", "COMPLETED"}
# In the spec until March 2026 and still possibly sent; the SDK keeps them as extras.
RETIRED_SESSION_FIELDS = {"avgCpuUsage", "memoryUsage"}
FASTIFY_ERROR = {
    "type": "object",
    "properties": {
        "statusCode": {"type": "integer", "minimum": 400, "maximum": 599},
        "error": {"type": "string", "minLength": 1},
        "message": {"type": "string"},
    },
    "required": ["statusCode", "error", "message"],
    "additionalProperties": False,
}

# The SDK model for each (method, path template, status) answer. Validated from JSON
# in strict mode: pydantic then reads RFC 3339 strings into datetime fields (JSON has
# no datetime type) while every other field must already have its exact type, so no
# field is relaxed: an int sent as "5" or a bool sent as 1 fails.
SDK_MODELS: dict[tuple[str, str, int], TypeAdapter[Any]] = {
    ("get", "/v1/sessions", 200): TypeAdapter(list[Session]),
    ("post", "/v1/sessions", 201): TypeAdapter(SessionCreateResponse),
    ("get", "/v1/sessions/{id}", 200): TypeAdapter(SessionRetrieveResponse),
    ("post", "/v1/sessions/{id}", 200): TypeAdapter(Session),
    ("get", "/v1/sessions/{id}/debug", 200): TypeAdapter(SessionLiveURLs),
    ("get", "/v1/sessions/{id}/logs", 200): TypeAdapter(list[SessionLog]),
    ("get", "/v1/sessions/{id}/replays", 200): TypeAdapter(ReplayRetrieveResponse),
    ("get", "/v1/projects", 200): TypeAdapter(list[Project]),
    ("get", "/v1/projects/{id}", 200): TypeAdapter(Project),
    ("get", "/v1/projects/{id}/usage", 200): TypeAdapter(ProjectUsage),
}


@dataclass(frozen=True)
class Answer:
    """One answer of the real API, with the spec operation it answers."""

    method: str
    template: str
    status: int
    content: bytes

    @property
    def data(self) -> Any:
        return json.loads(self.content)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.method, self.template, self.status)


class Recorder:
    """Calls the emulator and keeps every answer for the checks."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.answers: list[Answer] = []

    async def call(
        self, method: str, template: str, status: int, ident: str = "", **kwargs: Any
    ) -> Any:
        path = template.replace("{id}", ident)
        response = await self.client.request(method.upper(), path, **kwargs)
        assert status == response.status_code, response.text
        self.answers.append(Answer(method, template, status, response.content))
        return response.json()


def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


@pytest.fixture
def openapi() -> dict[str, Any]:
    """Browserbase's OpenAPI spec, shared beside the repository."""
    if not SPEC.exists():
        pytest.skip(f"Browserbase's OpenAPI spec is not at {SPEC}")
    spec: dict[str, Any] = json.loads(SPEC.read_text())
    return spec


@pytest.fixture
async def emulator() -> AsyncIterator[EmulatorServer]:
    """An empty emulator on a loopback port, on the real clock."""
    async with EmulatorServer() as server:
        yield server


@pytest.fixture
async def client(emulator: EmulatorServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the emulator that sends the right API key."""
    headers = {"X-BB-API-Key": emulator.api_key}
    async with httpx.AsyncClient(
        base_url=emulator.url, headers=headers, timeout=30
    ) as http:
        yield http


async def _place(client: httpx.AsyncClient, **spec: Any) -> str:
    response = await client.post("/_emulator/sessions", json=spec)
    assert 201 == response.status_code, response.text
    session_id: str = response.json()["id"]
    return session_id


@pytest.fixture
async def answers(client: httpx.AsyncClient, emulator: EmulatorServer) -> list[Answer]:
    """Every kind of answer the emulator gives, from a project with every status."""
    rec = Recorder(client)
    project = emulator.project_id
    ids = {
        "running": await _place(client),
        "keep_alive": await _place(
            client,
            keepAlive=True,
            timeout=21600,
            startedAgo=2700,
            avgCpuUsage=30,
            memoryUsage=512,
            contextId="ctx_1",
            region="eu-central-1",
            proxyBytes=123456,
            userMetadata={"team": {"name": "checkout"}, "run": "42"},
        ),
        "error": await _place(client, status="ERROR", endedAgo=30),
        "timed_out": await _place(client, status="TIMED_OUT", endedAgo=60),
        "completed": await _place(client, status="COMPLETED", logs="none"),
        "other_project": await _place(client, projectId="proj_other"),
    }
    created = await rec.call(
        "post",
        "/v1/sessions",
        201,
        json={"keepAlive": True, "timeout": 600, "userMetadata": {"k": "v"}},
    )
    ids["pending"] = created["id"]

    await rec.call("get", "/v1/sessions", 200)
    for status in sorted(STATUSES):
        await rec.call("get", "/v1/sessions", 200, params={"status": status})
    query = "user_metadata['team']['name']:'checkout'"
    await rec.call("get", "/v1/sessions", 200, params={"q": query})
    for ident in ids.values():
        for sub in ("", "/debug", "/logs", "/replays"):
            await rec.call("get", f"/v1/sessions/{{id}}{sub}", 200, ident)
    for ident in (ids["keep_alive"], ids["error"]):
        release = {"json": {"status": "REQUEST_RELEASE"}}
        await rec.call("post", "/v1/sessions/{id}", 200, ident, **release)
    await rec.call("get", "/v1/projects", 200)
    for ident in (project, "proj_other"):
        await rec.call("get", "/v1/projects/{id}", 200, ident)
        await rec.call("get", "/v1/projects/{id}/usage", 200, ident)

    await _errors(rec, client, ids["running"])
    return rec.answers


async def _errors(rec: Recorder, client: httpx.AsyncClient, ident: str) -> None:
    await rec.call("get", "/v1/sessions", 401, headers={"X-BB-API-Key": "wrong"})
    await rec.call("get", "/v1/sessions", 400, params={"status": "LOST"})
    await rec.call("get", "/v1/sessions", 400, params={"q": "nonsense"})
    await rec.call("get", "/v1/sessions/{id}", 404, "no-such-session")
    await rec.call("get", "/v1/sessions/{id}/logs", 404, "no-such-session")
    await rec.call("post", "/v1/sessions/{id}", 400, ident, json={"status": "STOP"})
    await rec.call("post", "/v1/sessions", 400, json={"timeout": 5})
    await rec.call("get", "/v1/projects/{id}", 404, "proj_missing")
    await rec.call("get", "/v1/nowhere", 404)
    for status in (429, 500, 503):
        await client.post("/_emulator/faults", json={"status": status, "times": 1})
        await rec.call("get", "/v1/projects", status)


def _response_schema(spec: dict[str, Any], answer: Answer) -> dict[str, Any]:
    """The spec's schema for this answer, able to resolve ``#/components`` refs."""
    if answer.status >= 400:
        return FASTIFY_ERROR
    operation = spec["paths"][answer.template][answer.method]
    content = operation["responses"][str(answer.status)]["content"]
    schema = content["application/json"]["schema"]
    return {**schema, "components": spec["components"]}


def _component_fields(spec: dict[str, Any], name: str) -> set[str]:
    return set(spec["components"]["schemas"][name]["properties"])


def test_contract_answers_match_the_openapi_schemas(
    answers: list[Answer], openapi: dict[str, Any]
) -> None:
    """Every answer validates against the spec's response schema (errors: Fastify's)."""
    formats = jsonschema.FormatChecker()
    formats.checks("uri")(_uri)

    for answer in answers:
        schema = _response_schema(openapi, answer)
        validator = jsonschema.Draft4Validator(schema, format_checker=formats)
        problems = [error.message for error in validator.iter_errors(answer.data)]
        assert [] == problems, f"{answer.key}: {problems}"


def test_contract_answers_parse_strictly_with_the_sdk_models(
    answers: list[Answer],
) -> None:
    """Every successful answer parses with the official SDK's models in strict mode."""
    for answer in answers:
        if answer.status >= 400:
            continue
        parsed = SDK_MODELS[answer.key].validate_json(answer.content, strict=True)
        models = parsed if isinstance(parsed, list) else [parsed]
        for model in models:
            extras = set(model.model_extra or {})
            allowed = RETIRED_SESSION_FIELDS if isinstance(model, Session) else set()
            assert extras <= allowed, f"{answer.key}: unknown fields {extras}"


def test_contract_session_fields_are_only_those_the_spec_names(
    answers: list[Answer], openapi: dict[str, Any]
) -> None:
    """Sessions carry no field the spec does not name, and endedAt only once ended."""
    known = _component_fields(openapi, "Session") | RETIRED_SESSION_FIELDS
    connect = {"connectUrl", "seleniumRemoteUrl", "signingKey"}
    sessions = _sessions(answers)

    for session in sessions:
        extra = session.keys() - known - connect
        assert set() == extra
        assert ("endedAt" in session) == (
            session["status"] not in {"PENDING", "RUNNING"}
        )
        for field in ("createdAt", "updatedAt", "startedAt", "expiresAt", "endedAt"):
            if field in session:
                assert session[field].endswith("Z")
                assert datetime.fromisoformat(session[field]).tzinfo == UTC


def test_contract_answers_cover_every_status_and_shape(answers: list[Answer]) -> None:
    """The answers checked above include every status and every optional field shape."""
    sessions = _sessions(answers)
    logs = [
        entry
        for answer in answers
        if answer.template.endswith("/logs") and answer.status == 200
        for entry in answer.data
    ]

    assert STATUSES == {s["status"] for s in sessions}
    assert {True, False} == {s["keepAlive"] for s in sessions}
    for field in ("avgCpuUsage", "contextId", "userMetadata", "endedAt"):
        assert {True, False} == {field in s for s in sessions}, field
    assert {True, False} == {"request" in entry for entry in logs}
    assert {401, 400, 404, 429, 500, 503} <= {a.status for a in answers}


def _sessions(answers: list[Answer]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for answer in answers:
        if answer.status >= 400 or "/v1/sessions" not in answer.template:
            continue
        if answer.template in ("/v1/sessions", "/v1/sessions/{id}"):
            data = answer.data
            found.extend(data if isinstance(data, list) else [data])
    return found


async def test_contract_official_sdk_client_drives_the_emulator(
    client: httpx.AsyncClient, emulator: EmulatorServer
) -> None:
    """The official SDK lists, reads, releases and reports through the emulator."""
    keep_alive = await _place(client, keepAlive=True, timeout=3600, startedAgo=2400)
    await _place(client, status="ERROR", userMetadata={"team": {"name": "checkout"}})

    def drive() -> dict[str, Any]:
        with Browserbase(
            api_key=emulator.api_key, base_url=emulator.url, max_retries=0
        ) as sdk:
            query = "user_metadata['team']['name']:'checkout'"
            try:
                sdk.sessions.retrieve("no-such-session")
                missing = False
            except NotFoundError:
                missing = True
            return {
                "errors": sdk.sessions.list(status="ERROR"),
                "queried": sdk.sessions.list(q=query),
                "retrieved": sdk.sessions.retrieve(keep_alive),
                "released": sdk.sessions.update(keep_alive, status="REQUEST_RELEASE"),
                "logs": sdk.sessions.logs.list(keep_alive),
                "debug": sdk.sessions.debug(keep_alive),
                "replays": sdk.sessions.replays.retrieve(keep_alive),
                "project": sdk.projects.retrieve(emulator.project_id),
                "usage": sdk.projects.usage(emulator.project_id),
                "missing": missing,
            }

    got = await asyncio.to_thread(drive)

    assert ["ERROR"] == [s.status for s in got["errors"]]
    assert 1 == len(got["queried"])
    assert "RUNNING" == got["retrieved"].status
    assert got["retrieved"].connect_url
    assert "COMPLETED" == got["released"].status
    assert got["released"].ended_at is not None
    assert got["logs"]
    assert 1 == got["replays"].page_count
    assert emulator.project_id == got["project"].id
    assert got["usage"].browser_minutes >= 40
    assert got["missing"]
