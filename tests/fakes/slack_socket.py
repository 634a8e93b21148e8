"""Slack's Socket Mode end, on a loopback WebSocket.

The app first calls ``apps.connections.open`` and gets a one-off URL; on connecting it
receives ``hello``, then envelopes (``envelope_id``, ``type``, ``payload``,
``accepts_response_payload``) that it must ack by sending back ``{"envelope_id": ...}``,
optionally with a ``payload`` that answers a slash command or a view submission.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from tests.fakes.slack_ids import APP_ID
from tests.fakes.slack_workspace import SlackWorkspace

logger = logging.getLogger(__name__)

ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")
# Interactions whose ack may carry an answer (view errors, options); a click's may not.
_RESPONSE_PAYLOAD_TYPES = ("view_submission", "block_suggestion")
_DEBUG_INFO = {"host": "applink-loopback", "build_number": 1}


class SocketModeStandIn:
    def __init__(
        self, workspace: SlackWorkspace, changed: Callable[[], Awaitable[None]]
    ) -> None:
        self._workspace = workspace
        self._changed = changed
        self._open: list[web.WebSocketResponse] = []
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._closing = False
        self.connections = 0
        self.acks: list[dict[str, Any]] = []

    @property
    def is_open(self) -> bool:
        return self._current() is not None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self._closing:
            return web.Response(status=503, text="shutting down")
        if request.query.get("ticket") not in self._workspace.socket_tickets:
            # Slack only accepts URLs issued by apps.connections.open.
            return web.Response(status=401, text="invalid ticket")

        ws = web.WebSocketResponse()  # autoping answers the client's pings
        await ws.prepare(request)
        self._open.append(ws)
        self.connections += 1
        await ws.send_json(self._hello())
        logger.debug("socket_connected connections=%s", self.connections)
        await self._changed()

        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._receive(message.data)
        finally:
            self._open.remove(ws)
            await self._changed()
        return ws

    async def send(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 10,
    ) -> dict[str, Any]:
        """Deliver one envelope and return the ack the app sent back for it."""
        if envelope_type not in ENVELOPE_TYPES:
            raise ValueError(f"envelope type must be one of {ENVELOPE_TYPES}")
        ws = self._current()
        if ws is None:
            raise AssertionError(
                "no Socket Mode connection is open "
                f"({self.connections} made so far); await socket_connected() first"
            )

        envelope = self._envelope(envelope_type, payload, accepts_response_payload)
        if envelope_type == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        envelope_id = envelope["envelope_id"]
        ack = asyncio.get_running_loop().create_future()
        self._pending[envelope_id] = ack
        await ws.send_str(json.dumps(envelope))

        try:
            return await asyncio.wait_for(ack, timeout)
        except TimeoutError:
            raise AssertionError(
                f"no ack for {envelope_type} envelope {envelope_id} within {timeout}s; "
                f"acks received so far: {self.acks or 'none'}"
            ) from None
        finally:
            self._pending.pop(envelope_id, None)

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does before it rotates a connection."""
        ws = self._current()
        if ws is None:
            raise AssertionError("no Socket Mode connection is open to disconnect")
        message = {"type": "disconnect", "reason": reason, "debug_info": _DEBUG_INFO}
        await ws.send_json(message)

    async def close(self) -> None:
        self._closing = True
        for ack in self._pending.values():
            ack.cancel()
        for ws in list(self._open):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")

    def _receive(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            message = {"unparsed": data}
        self.acks.append(message)
        ack = self._pending.get(str(message.get("envelope_id")))
        if ack is not None and not ack.done():
            ack.set_result(message)

    def _current(self) -> web.WebSocketResponse | None:
        live = [ws for ws in self._open if not ws.closed]
        return live[-1] if live else None

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self._open),
            "debug_info": {**_DEBUG_INFO, "approximate_connection_time": 18060},
            "connection_info": {"app_id": APP_ID},
        }

    @staticmethod
    def _envelope(
        envelope_type: str, payload: dict[str, Any], accepts: bool | None
    ) -> dict[str, Any]:
        if accepts is None:
            accepts = envelope_type == "slash_commands" or (
                envelope_type == "interactive"
                and payload.get("type") in _RESPONSE_PAYLOAD_TYPES
            )
        return {
            "envelope_id": str(uuid.uuid4()),
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts,
        }
