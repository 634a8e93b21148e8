"""Sessions in words: status icons, the timeout in force, and why a session ended."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bot.models import COMPLETED, ERROR, PENDING, RUNNING, TIMED_OUT, Session
from bot.views.text import human_duration

TimeoutSource = Literal["session", "project", "unknown"]

_ICONS = {
    RUNNING: ":large_green_circle:",
    PENDING: ":hourglass_flowing_sand:",
    COMPLETED: ":white_check_mark:",
    ERROR: ":red_circle:",
    TIMED_OUT: ":alarm_clock:",
}
_LABELS = {
    RUNNING: "running",
    PENDING: "pending",
    COMPLETED: "completed",
    ERROR: "error",
    TIMED_OUT: "timed out",
}


def status_icon(status: str) -> str:
    return _ICONS.get(status, ":grey_question:")


def status_label(status: str) -> str:
    """A status in words; unknown statuses keep their own (safe, upper-case) name."""
    return _LABELS.get(status, status.lower().replace("_", " "))


def timeout_in_force(
    session: Session, default_timeout: int | None
) -> tuple[int | None, TimeoutSource]:
    """The session's timeout in seconds and where it came from.

    Browserbase does not return the ``timeout`` a session was created with; the gap
    between ``startedAt`` and ``expiresAt`` shows it. Equal to the project's default
    (within a few seconds of clock rounding) means the session did not set its own.
    """
    seconds = session.timeout_seconds
    if seconds is None:
        return None, "unknown"
    if default_timeout is not None and abs(seconds - default_timeout) <= 5:
        return default_timeout, "project"
    if default_timeout is None:
        return seconds, "unknown"
    return seconds, "session"


def timeout_phrase(seconds: int | None, source: TimeoutSource) -> str:
    """``15-minute timeout (the project's default)``."""
    if seconds is None:
        return "timeout"
    if seconds % 3600 == 0:
        amount = f"{seconds // 3600}-hour"
    elif seconds % 60 == 0:
        amount = f"{seconds // 60}-minute"
    else:
        amount = f"{seconds}-second"
    where = {
        "project": " (the project's default)",
        "session": " (set by the session)",
        "unknown": "",
    }[source]
    return f"{amount} timeout{where}"


def end_reason(session: Session, default_timeout: int | None, now: datetime) -> str:
    """Why the session ended, or that it has not, as a sentence without a subject.

    ``timed out after its 15-minute timeout (the project's default)``,
    ``ended in an error after 42 s``, ``was released after 3 h 12 min``.
    """
    ran = human_duration(session.duration_seconds(now))
    if session.status == TIMED_OUT:
        seconds, source = timeout_in_force(session, default_timeout)
        return f"timed out after {ran}, its {timeout_phrase(seconds, source)}"
    if session.status == ERROR:
        return f"ended in an error after {ran}"
    if session.status == COMPLETED:
        return f"was released after {ran}"
    if session.status == RUNNING:
        return f"is running for {ran}"
    if session.status == PENDING:
        return "is starting"
    return f"ended with status {status_label(session.status)} after {ran}"


def time_left(session: Session, now: datetime) -> float | None:
    """Seconds before a live session reaches its timeout."""
    if not session.is_live or session.expires_at is None:
        return None
    return max(0.0, (session.expires_at - now).total_seconds())
