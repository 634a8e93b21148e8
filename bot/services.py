"""Everything the Slack listeners and the scheduler share, built once per process."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from sqlite_utils import Database

from bot.browserbase import BrowserbaseClient
from bot.buttons import ButtonSigner
from bot.clock import Clock
from bot.delivery import Sender
from bot.metrics import Metrics
from bot.permissions import Admins
from bot.poller import Poller, PollResult
from bot.settings import Settings
from storage import outbox, state

SLACK_TIMEOUT_SECONDS = 10


@dataclass
class Services:
    settings: Settings
    db: Database
    browserbase: BrowserbaseClient
    slack: AsyncWebClient
    clock: Clock
    signer: ButtonSigner
    admins: Admins
    poller: Poller
    sender: Sender
    metrics: Metrics

    def pending_deliveries(self) -> int:
        return pending_count(self.db)


def pending_count(db: Database) -> int:
    return outbox.counts(db).get(outbox.PENDING, 0)


def build_slack_client(settings: Settings, *, retry: bool = True) -> AsyncWebClient:
    """Slack's Web API at ``SLACK_API_URL``; with ``retry``, 429s and 5xx are retried.

    The outbox sender uses a client without the 429 handler: it schedules its own
    retries per channel instead of sleeping while other channels wait.
    """
    handlers: list[AsyncRetryHandler] = [
        AsyncConnectionErrorRetryHandler(max_retry_count=2)
    ]
    if retry:
        handlers += [
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ]
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=SLACK_TIMEOUT_SECONDS,
        retry_handlers=handlers,
    )


def button_key(db: Database) -> bytes:
    """This installation's key for signing button values, made on first use."""
    key = state.get(db, "button_key")
    if key is None:
        key = secrets.token_hex(32)
        state.put(db, "button_key", key)
    return bytes.fromhex(key)


def build_services(
    settings: Settings,
    *,
    db: Database,
    browserbase: BrowserbaseClient,
    clock: Clock,
) -> Services:
    slack = build_slack_client(settings)
    signer = ButtonSigner(button_key(db))
    metrics = Metrics(pending=lambda: pending_count(db))
    sender = Sender(
        db=db,
        slack=build_slack_client(settings, retry=False),
        clock=clock,
        metrics=metrics,
    )

    def count_poll(result: PollResult) -> None:
        metrics.record_poll(ok=result.ok, at=clock().timestamp())
        if result.error_kind is not None:
            metrics.poll_errors.labels(kind=result.error_kind).inc()

    async def count_call(response: httpx.Response) -> None:
        metrics.browserbase_calls.labels(
            method=response.request.method, status=str(response.status_code)
        ).inc()

    browserbase.http.event_hooks["response"].append(count_call)

    poller = Poller(
        client=browserbase,
        db=db,
        settings=settings,
        clock=clock,
        sign=signer.sign,
        on_recorded=sender.wake,
        on_poll=count_poll,
    )
    return Services(
        settings=settings,
        db=db,
        browserbase=browserbase,
        slack=slack,
        clock=clock,
        signer=signer,
        admins=Admins(settings.admins, slack),
        poller=poller,
        sender=sender,
        metrics=metrics,
    )
