"""A debugging summary from a session's CDP logs: what failed, in a handful of lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

LineKind = Literal["navigation", "request", "console", "exception"]


@dataclass(frozen=True, slots=True)
class LogLine:
    kind: LineKind
    # Outside text, raw: views escape it.
    text: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LogSummary:
    lines: tuple[LogLine, ...]
    total_logs: int
    failures: int
