"""How many of 100 concurrent slash commands are acked within Slack's 3 seconds.

Browserbase (the emulator) takes 2 s per call. Two apps get the same burst:
bbslack (``bbslack run`` in HTTP mode, acks first and answers at the response_url)
and a baseline that asks Browserbase before it acks (``bench.baseline``). Everything
listens on loopback. Run: ``.venv/bin/python -m bench.bench_ack``.
"""

from __future__ import annotations

import asyncio
import math
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.emulator import EmulatorServer
from tests.fakes.signing import SlackSender
from tests.fakes.slack_api import FakeSlack
from tests.harness import SIGNING_SECRET, BotProcess, bot_env

BURST = 100
LATENCY = 2.0
ACK_LIMIT = 3.0
# Long enough to see how late the baseline acks; Slack itself gives up at 3 s.
CLIENT_TIMEOUT = 20.0
ANSWER_WAIT = 45.0
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Result:
    name: str
    latencies: list[float]  # seconds per command; inf when it failed outright

    @property
    def in_time(self) -> int:
        return sum(1 for seconds in self.latencies if seconds <= ACK_LIMIT)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]

    def line(self) -> str:
        failed = sum(1 for seconds in self.latencies if math.isinf(seconds))
        return (
            f"{self.name:<9} acked within {ACK_LIMIT:g} s: {self.in_time:>3}/"
            f"{len(self.latencies)}  p50 {_seconds(self.percentile(0.5))}  "
            f"p95 {_seconds(self.percentile(0.95))}  never acked (error): {failed}"
        )


def _seconds(value: float) -> str:
    return "  never" if math.isinf(value) else f"{value:5.2f} s"


def free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


async def fire(sender: SlackSender) -> list[float]:
    """``BURST`` signed ``/browserbase sessions`` at once; each POST's duration."""

    async def one() -> float:
        started = time.monotonic()
        try:
            response = await sender.command("sessions")
        except httpx.HTTPError:
            return math.inf
        return time.monotonic() - started if response.status_code == 200 else math.inf

    return list(await asyncio.gather(*(one() for _ in range(BURST))))


async def until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def bench_bbslack(
    emulator: EmulatorServer, slack: FakeSlack, http: httpx.AsyncClient, db: Path
) -> tuple[Result, str]:
    env = bot_env(
        slack_api_url=slack.api_url,
        browserbase_url=emulator.url,
        project_id=emulator.project_id,
        api_key=emulator.api_key,
        db_path=db,
        # The poller's own calls would only add noise to a benchmark of commands.
        extra={"BBSLACK_PORT": free_port(), "BBSLACK_POLL_INTERVAL": "3600"},
    )
    bot = await BotProcess(env).start()
    try:
        sender = SlackSender(
            bot.url, SIGNING_SECRET, http, response_urls=slack.response_url
        )
        result = Result("bbslack", await fire(sender))
        started = time.monotonic()
        await until(lambda: len(slack.responses()) >= BURST, ANSWER_WAIT)
        answers = (
            f"bbslack answers at the response_url: {len(slack.responses())}/{BURST} "
            f"within {time.monotonic() - started:.1f} s after the burst"
        )
    finally:
        await bot.stop()
    return result, answers


async def bench_baseline(emulator: EmulatorServer, http: httpx.AsyncClient) -> Result:
    env = {
        "BROWSERBASE_BASE_URL": emulator.url,
        "BROWSERBASE_API_KEY": emulator.api_key,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "PATH": "/usr/bin:/bin",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.baseline",
        env=env,
        cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    try:
        url = await asyncio.wait_for(_ready_url(proc.stderr), 30)
        drain = asyncio.create_task(_drain(proc.stderr))
        sender = SlackSender(url, SIGNING_SECRET, http, response_urls=lambda: "")
        result = Result("baseline", await fire(sender))
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 10)
    await drain
    return result


async def _ready_url(stream: asyncio.StreamReader) -> str:
    while line := (await stream.readline()).decode():
        if line.startswith("baseline ready url="):
            return line.strip().split("=", 1)[1]
    raise RuntimeError("the baseline app exited before it was ready")


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


async def with_latency(emulator: EmulatorServer, http: httpx.AsyncClient) -> None:
    control = f"{emulator.url}/_emulator"
    await http.post(f"{control}/sessions/bulk", json={"count": 5, "status": "ERROR"})
    fault = await http.post(f"{control}/faults", json={"latency": LATENCY})
    fault.raise_for_status()


async def main() -> None:
    limits = httpx.Limits(max_connections=BURST * 2, max_keepalive_connections=BURST)
    with tempfile.TemporaryDirectory() as tmp:
        async with (
            EmulatorServer() as emulator,
            FakeSlack() as slack,
            httpx.AsyncClient(timeout=CLIENT_TIMEOUT, limits=limits) as http,
        ):
            await with_latency(emulator, http)
            print(
                f"{BURST} concurrent /browserbase sessions, Browserbase taking "
                f"{LATENCY:g} s per call"
            )
            bbslack, answers = await bench_bbslack(
                emulator, slack, http, Path(tmp) / "bench.db"
            )
            baseline = await bench_baseline(emulator, http)
    print(bbslack.line())
    print(baseline.line())
    ratio = bbslack.in_time / baseline.in_time if baseline.in_time else math.inf
    print(
        f"acked in time, bbslack / baseline: {bbslack.in_time}/{baseline.in_time} "
        f"= {ratio:.1f}x"
    )
    print(answers)


if __name__ == "__main__":
    asyncio.run(main())
