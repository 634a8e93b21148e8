"""Serving the emulator: `EmulatorServer` for tests, `run_emulator` for the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from types import TracebackType

from aiohttp import web

from bot.emulator import api, control
from bot.emulator.context import CONTEXT, Context
from bot.emulator.scenarios import Demo, apply_scenario, check_scenario
from bot.emulator.state import Clock, EmulatorState, utc_now

logger = logging.getLogger(__name__)

DEFAULT_PROJECT_ID = "proj_emulator"
DEFAULT_API_KEY = "bb_emulator_key"


def build_app(context: Context) -> web.Application:
    app = web.Application(middlewares=[api.middleware])
    app[CONTEXT] = context
    api.register(app)
    control.register(app)
    return app


class EmulatorServer:
    """A Browserbase stand-in on a loopback port, started and closed by its owner.

    ``url``, ``state``, ``faults`` and ``requests`` are ready once `start` returns;
    ``async with EmulatorServer() as server:`` starts and closes it.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        scenario: str = "empty",
        project_id: str = DEFAULT_PROJECT_ID,
        api_key: str = DEFAULT_API_KEY,
        now: Clock | None = None,
    ) -> None:
        check_scenario(scenario)
        self.host = host
        self.port = port
        self.scenario = scenario
        self.project_id = project_id
        self.api_key = api_key
        self.url = ""
        self.state = EmulatorState(project_id, now=now or utc_now)
        self.context = Context(state=self.state, api_key=api_key)
        self.faults = self.context.faults
        self.requests = self.context.requests
        self._runner: web.AppRunner | None = None
        self._demo: Demo | None = None
        self._demo_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._demo = apply_scenario(self.state, self.scenario)
        runner = web.AppRunner(
            build_app(self.context),
            access_log=None,
            # A client that gives up on a hanging request cancels its handler.
            handler_cancellation=True,
            shutdown_timeout=1.0,
        )
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        host, port = runner.addresses[0][:2]
        self.port = port
        self.url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        self.context.base_url = self.url
        if self._demo is not None:
            self._demo_task = asyncio.create_task(self._demo.run())
        logger.info(
            "emulator started url=%s project=%s scenario=%s",
            self.url,
            self.project_id,
            self.scenario,
        )

    async def close(self) -> None:
        self.context.close()
        if self._demo_task is not None:
            self._demo_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._demo_task
            self._demo_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            logger.info("emulator stopped url=%s", self.url)

    async def __aenter__(self) -> EmulatorServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


def banner(server: EmulatorServer) -> str:
    """What a newcomer needs: where it listens, and the variables to point the bot."""
    return "\n".join(
        (
            f"Browserbase emulator listening on {server.url} (project "
            f"{server.project_id}, api key {server.api_key}, scenario "
            f"{server.scenario})",
            f"BROWSERBASE_BASE_URL={server.url}",
            f"BROWSERBASE_API_KEY={server.api_key}",
            f"BROWSERBASE_PROJECT_ID={server.project_id}",
        )
    )


def run_emulator(
    host: str, port: int, scenario: str, project_id: str, api_key: str
) -> int:
    """Serve until SIGINT or SIGTERM; raises ValueError for an unknown scenario."""
    check_scenario(scenario)
    return asyncio.run(_serve(host, port, scenario, project_id, api_key))


async def _serve(
    host: str, port: int, scenario: str, project_id: str, api_key: str
) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    try:
        async with EmulatorServer(host, port, scenario, project_id, api_key) as server:
            sys.stdout.write(banner(server) + "\n")
            sys.stdout.flush()
            await stop.wait()
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
    return 0
