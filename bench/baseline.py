"""The naive bot the ack benchmark compares against: it asks Browserbase, then acks.

Served like bbslack (Bolt's AsyncApp behind aiohttp, loopback, a port of its own),
with the same HTTP client settings, so the only difference is the order of the
Browserbase call and the ack. Prints ``baseline ready url=...`` on stderr.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult

from bot.browserbase import build_http_client


async def _no_authorization(**_: Any) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=None, team_id=None)


async def serve() -> None:
    base_url = os.environ["BROWSERBASE_BASE_URL"]
    headers = {"X-BB-API-Key": os.environ["BROWSERBASE_API_KEY"]}
    http = build_http_client()
    bolt = AsyncApp(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        # No token: the baseline never calls Slack, so Bolt has nothing to verify.
        token=None,
        authorize=_no_authorization,
    )

    async def on_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        # The mistake the benchmark shows: the ack waits for Browserbase.
        response = await http.get(f"{base_url}/v1/sessions", headers=headers)
        found = response.json() if response.is_success else []
        await ack(text=f"{len(found)} sessions")

    bolt.command("/browserbase")(on_command)

    async def events(request: web.Request) -> web.Response:
        bolt_response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    app = web.Application()
    app.router.add_post("/slack/events", events)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(f"baseline ready url=http://127.0.0.1:{port}", file=sys.stderr, flush=True)

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()
    await http.aclose()


if __name__ == "__main__":
    asyncio.run(serve())
