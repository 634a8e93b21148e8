"""Prometheus metrics, served at ``GET /metrics``.

Each `Metrics` owns its registry, never the process-wide default one, so every test
and every app built in one process counts on its own.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from bot import __version__

logger = logging.getLogger(__name__)

POLL_RESULTS = ("ok", "error")
ALERT_KINDS = ("alert", "group", "thread", "warning", "summary")
# Slash commands answer in tens of milliseconds from the database, in seconds when
# Browserbase is slow; Slack gives up after 3 s, so the buckets are dense around it.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)


class Metrics:
    """Every metric the bot exports; ``pending`` counts alerts waiting for delivery."""

    def __init__(
        self,
        pending: Callable[[], int] | None = None,
        *,
        version: str = __version__,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry

        self.polls = Counter(
            "bbslack_polls", "Poll cycles, by result.", ["result"], registry=registry
        )
        self.poll_errors = Counter(
            "bbslack_poll_errors",
            "Failed poll cycles, by kind of failure.",
            ["kind"],
            registry=registry,
        )
        self.alerts_posted = Counter(
            "bbslack_alerts_posted",
            "Messages posted to Slack by the alert pipeline, by kind.",
            ["kind"],
            registry=registry,
        )
        self.delivery_failures = Counter(
            "bbslack_delivery_failures",
            "Failed attempts to post an alert, by reason.",
            ["reason"],
            registry=registry,
        )
        self.deliveries_pending = Gauge(
            "bbslack_deliveries_pending",
            "Alerts recorded in the outbox and not yet posted.",
            registry=registry,
        )
        self.command_latency = Histogram(
            "bbslack_command_latency_seconds",
            "Time to answer a slash command, by subcommand.",
            ["subcommand"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.last_poll_timestamp = Gauge(
            "bbslack_last_poll_timestamp_seconds",
            "Unix time of the end of the last poll cycle, successful or not.",
            registry=registry,
        )
        self.browserbase_calls = Counter(
            "bbslack_browserbase_requests",
            "Calls to the Browserbase API, by HTTP method and status.",
            ["method", "status"],
            registry=registry,
        )
        Info("bbslack", "The running bbslack.", registry=registry).info(
            {"version": version}
        )

        # Known label values start at zero, so rate() sees the first increment.
        for result in POLL_RESULTS:
            self.polls.labels(result=result)
        for kind in ALERT_KINDS:
            self.alerts_posted.labels(kind=kind)
        if pending is not None:
            self.deliveries_pending.set_function(_guarded(pending))

    def record_poll(self, *, ok: bool, at: float) -> None:
        """Count one finished poll cycle and remember when (Unix time) it ended."""
        self.polls.labels(result="ok" if ok else "error").inc()
        self.last_poll_timestamp.set(at)

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type, for the HTTP response."""
        return generate_latest(self.registry), CONTENT_TYPE_PLAIN_0_0_4


def _guarded(count: Callable[[], int]) -> Callable[[], float]:
    # A failing callback must not take /metrics down with it: NaN says "unknown".
    def read() -> float:
        try:
            return float(count())
        except Exception:
            logger.exception("metrics pending-deliveries callback failed")
            return math.nan

    return read
