"""The HTTP side: Slack's requests at /slack/events, and /healthz and /metrics."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot import __version__
from bot.services import Services
from storage import outbox

# Pending alerts older than this mean delivery is stuck (Slack down, bad token).
STUCK_AFTER = timedelta(minutes=10)


def build_web_app(services: Services, bolt: AsyncApp | None) -> web.Application:
    """/healthz and /metrics always; /slack/events when Slack sends requests here."""
    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_get("/healthz", _health_handler(services))
    app.router.add_get("/metrics", _metrics_handler(services))
    if bolt is not None:
        app.router.add_post("/slack/events", _events_handler(bolt))
    return app


def _events_handler(bolt: AsyncApp) -> Any:
    async def events(request: web.Request) -> web.Response:
        # Bolt verifies the signature on the raw body before anything parses it.
        response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    return events


def health(services: Services) -> tuple[dict[str, Any], bool]:
    """The health document and whether the bot is healthy."""
    now = services.clock()
    poll = services.poller.health
    counts = outbox.counts(services.db)
    oldest = outbox.oldest_pending_at(services.db)
    stuck = (
        oldest is not None and now.timestamp() - oldest > STUCK_AFTER.total_seconds()
    )
    stale = poll.last_poll_at is not None and now - poll.last_poll_at > timedelta(
        seconds=services.settings.poll_interval * 3 + 60
    )
    problems = []
    if poll.outage_since is not None:
        problems.append("browserbase_unreachable")
    if stuck:
        problems.append("deliveries_stuck")
    if stale:
        problems.append("poll_stale")
    body = {
        "status": "degraded" if problems else "ok",
        "problems": problems,
        "version": __version__,
        "mode": "socket" if services.settings.socket_mode else "http",
        "last_poll_at": _iso(poll.last_poll_at),
        "last_poll_result": _result(poll.last_ok),
        "last_poll_error": poll.last_error,
        "browserbase_outage_since": _iso(poll.outage_since),
        "pending_deliveries": counts.get(outbox.PENDING, 0),
        "failed_deliveries": counts.get(outbox.FAILED, 0),
        "sent_deliveries": counts.get(outbox.SENT, 0),
    }
    return body, not problems


def _health_handler(services: Services) -> Any:
    async def healthz(request: web.Request) -> web.Response:
        body, healthy = health(services)
        return web.json_response(body, status=200 if healthy else 503)

    return healthz


def _metrics_handler(services: Services) -> Any:
    async def metrics(request: web.Request) -> web.Response:
        body, content_type = services.metrics.render()
        response = web.Response(body=body)
        # aiohttp wants the charset apart from the media type.
        response.headers["Content-Type"] = content_type
        return response

    return metrics


def _result(ok: bool | None) -> str | None:
    return None if ok is None else ("ok" if ok else "error")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")
