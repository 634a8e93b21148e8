"""What every emulator handler shares: the state, the faults, the request log."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.emulator.faults import FaultSet
from bot.emulator.state import EmulatorState

# Enough for days of polling; the oldest entries go first.
REQUEST_LOG_SIZE = 100_000


@dataclass
class Context:
    state: EmulatorState
    api_key: str
    faults: FaultSet = field(default_factory=FaultSet)
    requests: deque[dict[str, Any]] = field(
        default_factory=lambda: deque(maxlen=REQUEST_LOG_SIZE)
    )
    base_url: str = ""
    # Set when the server shuts down, so hanging requests let go.
    closing: bool = False
    # Hanging requests wait on this; it is set (and replaced) when faults are cleared.
    unhang: asyncio.Event = field(default_factory=asyncio.Event)

    def clear_faults(self) -> None:
        """Drop every fault; requests hanging on one go on as if it never was."""
        self.faults.clear()
        self.unhang.set()
        self.unhang = asyncio.Event()

    def close(self) -> None:
        self.closing = True
        self.unhang.set()


CONTEXT = web.AppKey("bbslack_emulator", Context)


def json_response(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type="application/json")
