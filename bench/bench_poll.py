"""What a poll costs over a long history: bbslack beside a naive poller.

Run: ``.venv/bin/python -m bench.bench_poll [--sessions 100000]``. The emulator runs in
its own process, so the CPU time measured here is the poller's alone (HTTP, JSON and
the bot's own work). The naive baseline builds every session and looks each one up,
as a first version of a poller would; bbslack looks closer only at what is new.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from datetime import UTC, datetime

import httpx

from bot.browserbase import BrowserbaseClient, build_http_client
from bot.models import ERROR, TIMED_OUT, Session
from bot.poller import Poller
from bot.settings import Settings
from storage import sessions as seen
from storage.db import open_database

ROUNDS = 5


async def start_emulator() -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "emulator",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = (await proc.stdout.readline()).decode()
    found = re.search(r"(http://\S+)", line)
    assert found, line
    return proc, found.group(1)


async def naive_poll(client: BrowserbaseClient, db) -> int:  # type: ignore[no-untyped-def]
    """Every ended session built and looked up, every poll."""
    ended = [
        Session.from_api(data)
        for status in (ERROR, TIMED_OUT)
        for data in await client.list_session_dicts(status=status)
    ]
    known = seen.seen_among(db, (session.id for session in ended))
    return sum(1 for session in ended if session.id not in known)


def cpu_seconds(samples: list[float]) -> str:
    return f"median {statistics.median(samples):.3f} s (min {min(samples):.3f})"


async def main(count: int) -> None:
    proc, url = await start_emulator()
    http = build_http_client()
    try:
        async with httpx.AsyncClient(timeout=120) as control:
            await control.post(
                f"{url}/_emulator/sessions/bulk", json={"count": count, "status": ERROR}
            )
        client = BrowserbaseClient(
            http, api_key="bb_emulator_key", base_url=url, project_id="proj_emulator"
        )
        settings = Settings.from_env(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": "bench",
                "BROWSERBASE_API_KEY": "bb_emulator_key",
                "BROWSERBASE_PROJECT_ID": "proj_emulator",
            }
        )
        db = open_database(None)
        poller = Poller(
            client=client,
            db=db,
            settings=settings,
            clock=lambda: datetime.now(UTC),
            sign=lambda value: value,
        )
        await poller.poll()  # the first run records the watermark

        ours, theirs = [], []
        for _ in range(ROUNDS):
            started = time.process_time()
            await poller.poll()
            ours.append(time.process_time() - started)
            started = time.process_time()
            await naive_poll(client, db)
            theirs.append(time.process_time() - started)
    finally:
        await http.aclose()
        proc.terminate()
        await proc.wait()

    ratio = statistics.median(theirs) / statistics.median(ours)
    print(f"history: {count} ended sessions, none new; CPU per poll, {ROUNDS} rounds")
    print(f"  bbslack poll : {cpu_seconds(ours)}")
    print(f"  naive poll   : {cpu_seconds(theirs)}")
    print(f"  ratio naive/bbslack: {ratio:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100_000)
    asyncio.run(main(parser.parse_args().sessions))
