"""How emulated objects look on the wire: Browserbase's JSON shapes, byte for byte.

Field names, their order and the timestamp format follow Browserbase's OpenAPI spec.
The connect fields (`connectUrl`, `seleniumRemoteUrl`, `signingKey`) are fake but
shaped like the real ones, so tests can prove the bot never shows them.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.emulator.state import EmulatedProject, EmulatedSession

# A reserved top-level domain: nothing can ever connect to these fake URLs.
FAKE_HOST = "connect.emulator.invalid"


def iso(value: datetime) -> str:
    """``2026-12-03T16:07:25.123Z``, the API's own timestamp shape."""
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat(timespec="milliseconds")[:23] + "Z"


def epoch_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def dumps(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


@functools.lru_cache(maxsize=4096)
def _text(value: str) -> str:
    """A JSON string; the few distinct ones (project ids, statuses) are cached."""
    return json.dumps(value, ensure_ascii=False)


def session_json(session: EmulatedSession) -> str:
    """A Session object; optional fields appear only when they have a value.

    Built by hand rather than through a dict and `json.dumps`: listing history
    serializes it 100,000 times, and equal timestamps (``createdAt`` and ``startedAt``,
    ``updatedAt`` and ``endedAt``) are formatted once.
    """
    created = iso(session.created_at)
    started = (
        created if session.started_at == session.created_at else iso(session.started_at)
    )
    ended = None if session.ended_at is None else iso(session.ended_at)
    updated = ended if session.updated_at == session.ended_at else None
    # Session ids are UUIDs we made: nothing in them needs escaping.
    parts = [
        f'{{"id":"{session.id}","createdAt":"{created}",'
        f'"updatedAt":"{updated or iso(session.updated_at)}",'
        f'"projectId":{_text(session.project_id)},"startedAt":"{started}",'
    ]
    if ended is not None:
        parts.append(f'"endedAt":"{ended}",')
    parts.append(
        f'"expiresAt":"{iso(session.expires_at)}","status":{_text(session.status)},'
        f'"proxyBytes":{int(session.proxy_bytes)},'
    )
    if session.avg_cpu_usage is not None:
        parts.append(f'"avgCpuUsage":{int(session.avg_cpu_usage)},')
    if session.memory_usage is not None:
        parts.append(f'"memoryUsage":{int(session.memory_usage)},')
    parts.append(f'"keepAlive":{"true" if session.keep_alive else "false"},')
    if session.context_id is not None:
        parts.append(f'"contextId":{_text(session.context_id)},')
    parts.append(f'"region":{_text(session.region)}')
    if session.user_metadata is not None:
        metadata = json.dumps(
            session.user_metadata, separators=(",", ":"), ensure_ascii=False
        )
        parts.append(f',"userMetadata":{metadata}')
    parts.append("}")
    return "".join(parts)


def session_dict(session: EmulatedSession) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(session_bytes(session))
    return result


def session_bytes(session: EmulatedSession) -> bytes:
    """The Session as JSON bytes, cached until the state changes the session.

    Listing a project with 100,000 ended sessions then costs one join of cached bytes.
    """
    if session.body is None:
        session.body = session_json(session).encode()
    return session.body


def signing_key(session_id: str) -> str:
    return hashlib.sha256(f"emulator-signing:{session_id}".encode()).hexdigest()


def connect_fields(session: EmulatedSession) -> dict[str, str]:
    """The fields that would give control of the browser, with fake values."""
    key = signing_key(session.id)
    return {
        "connectUrl": f"wss://{FAKE_HOST}/?signingKey={key}",
        "seleniumRemoteUrl": f"http://{FAKE_HOST}/webdriver",
        "signingKey": key,
    }


def session_with_connect(session: EmulatedSession) -> bytes:
    """The Session plus the connect fields, as get and create answer."""
    return dumps({**session_dict(session), **connect_fields(session)})


def project_dict(project: EmulatedProject) -> dict[str, Any]:
    return {
        "id": project.id,
        "createdAt": iso(project.created_at),
        "updatedAt": iso(project.updated_at),
        "name": project.name,
        "ownerId": project.owner_id,
        "defaultTimeout": project.default_timeout,
        "concurrency": project.concurrency,
    }


def status_text(status: int) -> tuple[str, str]:
    """(reason phrase, description) of an HTTP status, even an unregistered one."""
    try:
        known = HTTPStatus(status)
    except ValueError:
        return "Error", "The server could not answer"
    return known.phrase, known.description


def fastify_error(status: int, message: str | None = None) -> dict[str, Any]:
    """The error body Browserbase's Fastify server sends."""
    phrase, description = status_text(status)
    return {"statusCode": status, "error": phrase, "message": message or description}
