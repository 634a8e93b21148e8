"""Delivering the outbox to Slack: paced per channel, patient with 429s, never lossy.

A row leaves ``pending`` only when Slack has accepted it (``sent``, with its ``ts``) or
refused it for a reason retrying cannot heal (``failed``). Anything else (429, 5xx, a
network error, a crash) leaves it pending for the next attempt, so a restart picks up
where the last process stopped. The one message in flight at a kill may be posted twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlite_utils import Database

from bot.clock import Clock
from bot.metrics import Metrics
from storage import outbox

logger = logging.getLogger(__name__)

# Slack's answers that no retry will change; the alert is marked failed and shown.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "channel_is_archived",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "invalid_blocks_format",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "restricted_action",
        "too_many_attachments",
    }
)
PACE_SECONDS = 1.0
MAX_BACKOFF = 300.0
IDLE_WAIT = 5.0


class Sender:
    def __init__(
        self,
        *,
        db: Database,
        slack: AsyncWebClient,
        clock: Clock,
        metrics: Metrics | None = None,
        pace: float = PACE_SECONDS,
    ) -> None:
        self._db = db
        self._slack = slack
        self._clock = clock
        self._metrics = metrics
        self._pace = pace
        self._wake = asyncio.Event()
        # channel → monotonic time before which we do not post there again
        self._ready_at: dict[str, float] = {}

    def wake(self) -> None:
        """Something new is in the outbox: look now rather than at the next tick."""
        self._wake.set()

    async def run(self) -> None:
        """Deliver until cancelled."""
        logger.info("delivery started")
        while True:
            # Clear first: a wake during the pass must start another pass.
            self._wake.clear()
            delay = await self.deliver_due()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def drain(self, timeout: float) -> int:
        """Deliver until nothing is due or ``timeout`` passes; how many are left."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            delay = await self.deliver_due()
            if not outbox.due(self._db, self._now() + delay, limit=1):
                break
            await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        return outbox.counts(self._db).get(outbox.PENDING, 0)

    async def deliver_due(self) -> float:
        """One pass over what is due; returns how long to wait before the next."""
        now = self._now()
        wait = IDLE_WAIT
        blocked: set[str] = set()
        for item in outbox.due(self._db, now):
            ready = self._ready_at.get(item.channel, 0.0) - time.monotonic()
            if item.channel in blocked or ready > 0:
                blocked.add(item.channel)
                wait = min(wait, max(ready, 0.05))
                continue
            if not await self._send(item):
                blocked.add(item.channel)
            self._ready_at[item.channel] = time.monotonic() + self._pace
            wait = min(wait, self._pace)
        upcoming = outbox.next_due_at(self._db)
        if upcoming is not None:
            wait = min(wait, max(0.05, upcoming - self._now()))
        return wait

    async def _send(self, item: outbox.Item) -> bool:
        """Post or edit one row; False when its channel must wait."""
        ref_ts = outbox.thread_ts(self._db, item)
        try:
            ts = await self._call(item, ref_ts)
        except SlackApiError as exc:
            return self._slack_error(item, exc)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self._retry(item, f"network error: {type(exc).__name__}")
            return False
        outbox.mark_sent(self._db, item.id, ts=ts, now=self._now())
        logger.info(
            "alert delivered id=%d kind=%s channel=%s op=%s",
            item.id,
            item.kind,
            item.channel,
            item.op,
        )
        if self._metrics is not None:
            self._metrics.alerts_posted.labels(kind=item.kind).inc()
        return True

    async def _call(self, item: outbox.Item, ref_ts: str | None) -> str | None:
        message: dict[str, Any] = dict(item.message)
        if item.op == "update":
            await self._slack.chat_update(
                channel=item.channel, ts=ref_ts or "", **message
            )
            return None
        response = await self._slack.chat_postMessage(
            channel=item.channel,
            thread_ts=ref_ts,
            unfurl_links=False,
            unfurl_media=False,
            **message,
        )
        ts = response.get("ts")
        return str(ts) if ts else None

    def _slack_error(self, item: outbox.Item, exc: SlackApiError) -> bool:
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"HTTP {status}")
        if status == 429:
            retry_after = _retry_after(exc.response.headers)
            outbox.postpone_channel(
                self._db, item.channel, until=self._now() + retry_after
            )
            self._ready_at[item.channel] = time.monotonic() + retry_after
            logger.warning(
                "slack rate limited channel=%s retry_after=%.0f",
                item.channel,
                retry_after,
            )
            return False
        if error in PERMANENT_ERRORS:
            outbox.mark_failed(self._db, item.id, error=error)
            logger.warning(
                "alert failed id=%d channel=%s error=%s", item.id, item.channel, error
            )
            if self._metrics is not None:
                self._metrics.delivery_failures.labels(reason=error).inc()
            return True
        self._retry(item, error)
        return False

    def _retry(self, item: outbox.Item, error: str) -> None:
        backoff = min(MAX_BACKOFF, 2.0 ** min(item.attempts, 10))
        outbox.mark_retry(self._db, item.id, at=self._now() + backoff, error=error)
        logger.warning(
            "alert delivery will retry id=%d channel=%s error=%s in_seconds=%.0f",
            item.id,
            item.channel,
            error,
            backoff,
        )

    def _now(self) -> float:
        return self._clock().timestamp()


def _retry_after(headers: Any) -> float:
    raw = None
    if headers is not None:
        for key, value in dict(headers).items():
            if str(key).lower() == "retry-after":
                raw = value[0] if isinstance(value, list) else value
    try:
        return min(max(float(raw), 1.0), 900.0) if raw is not None else 30.0
    except ValueError:
        return 30.0
