"""Faults the tests switch on: slow answers, error statuses, answers that never come.

Faults apply to the real API only (never to ``/_emulator/``). Several may be active;
each request goes through them in the order they were added. A fault with an
``errorRate`` below 1 fires by a seeded draw, so a test sees the same sequence on every
run; ``times`` counts the requests a fault fired on, then it retires.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SEED = 20260101


class FaultError(ValueError):
    """A fault description that does not make sense."""


def _number(
    data: Mapping[str, Any], name: str, low: float, high: float
) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultError(f"{name} must be a number")
    if not low <= value <= high:
        raise FaultError(f"{name} must be between {low:g} and {high:g}")
    return float(value)


@dataclass(slots=True)
class Fault:
    latency: float = 0.0
    status: int | None = None
    retry_after: float | None = None
    error_rate: float = 1.0
    hang: bool = False
    times: int | None = None
    path: str = "/"
    method: str | None = None
    body: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """Read the control API's camelCase description; raises `FaultError`."""
        status = _number(data, "status", 400, 599)
        times = _number(data, "times", 1, 1e9)
        path = data.get("path", "/")
        method = data.get("method")
        body = data.get("body")
        if status is not None and status != int(status):
            raise FaultError("status must be an integer")
        if times is not None and times != int(times):
            raise FaultError("times must be an integer")
        if not isinstance(path, str) or not path.startswith("/"):
            raise FaultError("path must be a prefix such as /v1/sessions")
        if method is not None and not isinstance(method, str):
            raise FaultError("method must be a string such as GET")
        if body is not None and not isinstance(body, str):
            raise FaultError("body must be a string")
        rate = _number(data, "errorRate", 0, 1)
        hang = data.get("hang", False)
        if not isinstance(hang, bool):
            raise FaultError("hang must be true or false")
        return cls(
            latency=_number(data, "latency", 0, 3600) or 0.0,
            status=None if status is None else int(status),
            retry_after=_number(data, "retryAfter", 0, 86400),
            error_rate=1.0 if rate is None else rate,
            hang=hang,
            times=None if times is None else int(times),
            path=path,
            method=method.upper() if method else None,
            body=body,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "latency": self.latency,
            "status": self.status,
            "retryAfter": self.retry_after,
            "errorRate": self.error_rate,
            "hang": self.hang,
            "times": self.times,
            "path": self.path,
            "method": self.method,
            "body": self.body,
        }

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        return path.startswith(self.path)


@dataclass(slots=True)
class Outcome:
    """What the faults that fired do to one request."""

    latency: float = 0.0
    hang: bool = False
    status: int | None = None
    retry_after: float | None = None
    body: str | None = None


@dataclass
class FaultSet:
    faults: list[Fault] = field(default_factory=list)
    _rng: random.Random = field(default_factory=lambda: random.Random(SEED))

    def add(self, fault: Fault) -> None:
        self.faults.append(fault)

    def clear(self) -> None:
        """Drop every fault and restart the draws, so tests stay reproducible."""
        self.faults.clear()
        self._rng.seed(SEED)

    def decide(self, method: str, path: str) -> Outcome | None:
        """Roll the faults for one request; None when none fires."""
        outcome: Outcome | None = None
        for fault in list(self.faults):
            if not fault.matches(method, path) or not self._fires(fault):
                continue
            outcome = outcome or Outcome()
            outcome.latency += fault.latency
            outcome.hang = outcome.hang or fault.hang
            if outcome.status is None and fault.status is not None:
                outcome.status = fault.status
                outcome.retry_after = fault.retry_after
                outcome.body = fault.body
            if fault.times is not None:
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
        return outcome

    def _fires(self, fault: Fault) -> bool:
        if fault.error_rate >= 1.0:
            return True
        return self._rng.random() < fault.error_rate
