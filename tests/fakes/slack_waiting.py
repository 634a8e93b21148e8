"""Awaiting what reaches the Slack stand-in, and saying what did when it did not.

One condition is notified on every record (call, response, socket event); waiters
re-check their predicate then, so no test sleeps for a fixed time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.fakes.slack_records import Call

CallMatch = str | Callable[[Call], bool]
_SHOWN_CALLS = 40


class Changes:
    def __init__(self) -> None:
        self._condition: asyncio.Condition | None = None

    def start(self) -> None:
        # Created on the running loop that serves the stand-in.
        self._condition = asyncio.Condition()

    async def notify(self) -> None:
        if self._condition is None:
            return
        async with self._condition:
            self._condition.notify_all()

    async def until(
        self, ready: Callable[[], bool], timeout: float, failure: Callable[[], str]
    ) -> None:
        """Return once ``ready()``; past ``timeout``, fail with ``failure()``."""
        if self._condition is None:
            raise RuntimeError("FakeSlack is not started")
        try:
            async with asyncio.timeout(timeout), self._condition:
                await self._condition.wait_for(ready)
        except TimeoutError:
            raise AssertionError(failure()) from None


def call_matcher(match: CallMatch) -> tuple[Callable[[Call], bool], str]:
    """A predicate for ``match`` (a method name or a predicate) and its description."""
    if not isinstance(match, str):
        return match, f"call(s) matching {getattr(match, '__name__', match)!r}"

    def same_method(call: Call) -> bool:
        return call.method == match

    return same_method, f"call(s) to {match}"


def describe_calls(calls: list[Call]) -> str:
    """Every call so far, one line each: what a failing test should print."""
    if not calls:
        return "No Web API calls arrived."
    shown = calls[-_SHOWN_CALLS:]
    skipped = len(calls) - len(shown)
    lines = [f"Web API calls received ({len(calls)}):"]
    if skipped:
        lines.append(f"  ... {skipped} earlier calls not shown")
    lines += [f"  {n}. {c.summary()}" for n, c in enumerate(shown, start=skipped + 1)]
    return "\n".join(lines)
