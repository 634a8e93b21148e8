"""End-to-end fixtures: the stand-ins, and a real `bbslack run` between them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.emulator import EmulatorServer
from tests.fakes.signing import SlackSender
from tests.fakes.slack_api import FakeSlack
from tests.harness import SIGNING_SECRET, BotProcess, bot_env


class Emulator:
    """The emulator's control API, spoken over HTTP as any outside test would."""

    def __init__(self, server: EmulatorServer, http: httpx.AsyncClient) -> None:
        self.server = server
        self.url = server.url
        self.project_id = server.project_id
        self.api_key = server.api_key
        self._http = http

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = await self._http.post(f"{self.url}/_emulator{path}", json=body)
        response.raise_for_status()
        return response.json()

    async def session(self, **fields: Any) -> dict[str, Any]:
        created: dict[str, Any] = await self._post("/sessions", fields)
        return created

    async def bulk(self, count: int, status: str, **fields: Any) -> None:
        await self._post("/sessions/bulk", {"count": count, "status": status, **fields})

    async def end(self, session_id: str, status: str) -> None:
        await self._post(f"/sessions/{session_id}/end", {"status": status})

    async def fault(self, **fault: Any) -> None:
        await self._post("/faults", fault)

    async def clear_faults(self) -> None:
        (await self._http.delete(f"{self.url}/_emulator/faults")).raise_for_status()

    async def requests(self) -> list[dict[str, Any]]:
        response = await self._http.get(f"{self.url}/_emulator/requests")
        found: list[dict[str, Any]] = response.json()
        return found

    async def releases(self, session_id: str) -> int:
        """How many release calls reached Browserbase for this session."""
        return sum(
            1
            for r in await self.requests()
            if r["method"] == "POST" and r["path"] == f"/v1/sessions/{session_id}"
        )


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client for talking to the bot and the stand-ins."""
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


@pytest.fixture
async def emulator(http: httpx.AsyncClient) -> AsyncIterator[Emulator]:
    """A fresh, empty Browserbase emulator on a loopback port."""
    async with EmulatorServer() as server:
        yield Emulator(server, http)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    """A fresh loopback Slack Web API with channels C0ALERTS and C0GENERAL."""
    async with FakeSlack() as fake:
        yield fake


StartBot = Callable[..., Awaitable[BotProcess]]
MakeEnv = Callable[..., dict[str, str]]


@pytest.fixture
def make_env(emulator: Emulator, slack: FakeSlack, tmp_path: Path) -> MakeEnv:
    """The contract's environment for a bot between the stand-ins, plus ``extra``."""

    def make(db: str = "bbslack.db", **extra: str) -> dict[str, str]:
        return bot_env(
            slack_api_url=slack.api_url,
            browserbase_url=emulator.url,
            project_id=emulator.project_id,
            api_key=emulator.api_key,
            db_path=tmp_path / db,
            extra=extra,
        )

    return make


@pytest.fixture
async def start_bot(make_env: MakeEnv) -> AsyncIterator[StartBot]:
    """Start real `bbslack run` processes against the stand-ins; stops them after."""
    started: list[BotProcess] = []

    async def start(**extra: str) -> BotProcess:
        bot = BotProcess(make_env(**extra))
        started.append(bot)
        return await bot.start()

    yield start
    for bot in started:
        await bot.stop()


@pytest.fixture
def sender_for(
    http: httpx.AsyncClient, slack: FakeSlack
) -> Callable[[BotProcess], SlackSender]:
    """Signs requests for a running bot exactly as Slack does."""

    def make(bot: BotProcess) -> SlackSender:
        return SlackSender(
            bot.url, SIGNING_SECRET, http, response_urls=slack.response_url
        )

    return make
