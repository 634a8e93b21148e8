"""Prometheus metrics: what /metrics shows after the bot counts things."""

from __future__ import annotations

import logging
import math

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import Metrics


def sample(metrics: Metrics, name: str, **labels: str) -> float | None:
    """The value of one series in the rendered text, or None when it is absent."""
    body, _ = metrics.render()
    for family in text_string_to_metric_families(body.decode()):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return found.value
    return None


def test_render_counts_polls_alerts_and_failures() -> None:
    """Increments show up under the contract's metric names with their labels."""
    metrics = Metrics()

    metrics.polls.labels(result="ok").inc(2)
    metrics.poll_errors.labels(kind="unavailable").inc()
    metrics.alerts_posted.labels(kind="group").inc(3)
    metrics.delivery_failures.labels(reason="rate_limited").inc()
    metrics.browserbase_calls.labels(method="GET", status="200").inc(4)

    assert 2.0 == sample(metrics, "bbslack_polls_total", result="ok")
    assert 1.0 == sample(metrics, "bbslack_poll_errors_total", kind="unavailable")
    assert 3.0 == sample(metrics, "bbslack_alerts_posted_total", kind="group")
    assert 1.0 == sample(
        metrics, "bbslack_delivery_failures_total", reason="rate_limited"
    )
    assert 4.0 == sample(
        metrics, "bbslack_browserbase_requests_total", method="GET", status="200"
    )


def test_render_shows_known_labels_at_zero_before_any_event() -> None:
    """Poll results and alert kinds are exported at 0 from the start."""
    metrics = Metrics()

    assert 0.0 == sample(metrics, "bbslack_polls_total", result="error")
    for kind in ("alert", "group", "thread", "warning", "summary"):
        assert 0.0 == sample(metrics, "bbslack_alerts_posted_total", kind=kind)


def test_record_poll_counts_and_stamps_the_time() -> None:
    """A finished poll counts by result and sets the last-poll timestamp."""
    metrics = Metrics()

    metrics.record_poll(ok=False, at=1_790_000_000.0)

    assert 1.0 == sample(metrics, "bbslack_polls_total", result="error")
    assert 1_790_000_000.0 == sample(metrics, "bbslack_last_poll_timestamp_seconds")


def test_pending_callback_is_read_at_each_render() -> None:
    """Pending deliveries come from the app's callback, read when scraped."""
    outbox = [1, 2, 3]
    metrics = Metrics(pending=lambda: len(outbox))

    before = sample(metrics, "bbslack_deliveries_pending")
    outbox.clear()

    assert 3.0 == before
    assert 0.0 == sample(metrics, "bbslack_deliveries_pending")


def test_failing_pending_callback_shows_nan_and_render_still_works(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A broken callback makes the gauge unknown, not the whole endpoint fail."""

    def broken() -> int:
        raise RuntimeError("database is locked")

    metrics = Metrics(pending=broken)
    metrics.polls.labels(result="ok").inc()

    with caplog.at_level(logging.ERROR, logger="bot.metrics"):
        pending = sample(metrics, "bbslack_deliveries_pending")

    assert pending is not None and math.isnan(pending)
    assert 1.0 == sample(metrics, "bbslack_polls_total", result="ok")
    assert "callback failed" in caplog.text


def test_command_latency_fills_the_right_buckets() -> None:
    """A 0.2 s command lands in the 0.25 s bucket and above, not below."""
    metrics = Metrics()

    metrics.command_latency.labels(subcommand="usage").observe(0.2)

    name = "bbslack_command_latency_seconds_bucket"
    assert 0.0 == sample(metrics, name, subcommand="usage", le="0.1")
    assert 1.0 == sample(metrics, name, subcommand="usage", le="0.25")
    assert 1.0 == sample(metrics, name, subcommand="usage", le="10.0")
    assert 0.2 == sample(
        metrics, "bbslack_command_latency_seconds_sum", subcommand="usage"
    )


def test_info_names_the_version() -> None:
    """bbslack_info carries the running version as a label."""
    metrics = Metrics(version="1.2.3")

    assert 1.0 == sample(metrics, "bbslack_info", version="1.2.3")


def test_two_instances_count_separately_and_stay_off_the_global_registry() -> None:
    """Building many Metrics neither clashes nor leaks into prometheus' default one."""
    first, second = Metrics(), Metrics()

    first.alerts_posted.labels(kind="alert").inc()

    assert 1.0 == sample(first, "bbslack_alerts_posted_total", kind="alert")
    assert 0.0 == sample(second, "bbslack_alerts_posted_total", kind="alert")
    assert None is REGISTRY.get_sample_value("bbslack_polls_total", {"result": "ok"})


def test_render_returns_prometheus_text_content_type() -> None:
    """The content type is Prometheus' text format, which every scraper accepts."""
    body, content_type = Metrics().render()

    assert content_type.startswith("text/plain; version=0.0.4")
    assert b"# TYPE bbslack_command_latency_seconds histogram" in body
