"""A stateful loopback stand-in for the Browserbase API.

The bot's tests, and newcomers without an account (``bbslack emulator``), talk to it
exactly as to ``https://api.browserbase.com``: same paths, same JSON, same errors.
Sessions start, run and end on their own as the (injectable) clock moves, and a control
API under ``/_emulator/`` lets tests place sessions in any state, switch on faults and
read which requests arrived.

    state.py       projects and sessions, advanced lazily by the clock
    wire.py        their JSON shapes, and Fastify's error body
    specs.py       sessions placed in time by the control API
    api.py         the real API under /v1/, with faults and the API key check
    query.py       the q metadata filter of the session list
    control.py     the control API under /_emulator/
    faults.py      latency, error statuses, hangs
    scenarios.py   empty, demo, history
    cdp.py         session logs, live view URLs and replays
    params.py      reading JSON bodies with field-naming errors
    context.py     what the handlers share
    server.py      EmulatorServer and run_emulator
"""

from __future__ import annotations

from bot.emulator.scenarios import SCENARIOS
from bot.emulator.server import EmulatorServer, run_emulator
from bot.emulator.state import EmulatorState

__all__ = ["SCENARIOS", "EmulatorServer", "EmulatorState", "run_emulator"]
