"""Records of what reached the Slack stand-in, and the faults it was told to inject."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The ``error`` Slack puts in the body of an HTTP failure.
_STATUS_ERRORS = {
    404: "not_found",
    429: "ratelimited",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
}
_SUMMARY_ARGS = ("channel", "channel_id", "ts", "thread_ts", "user", "usergroup")
_SHORT = 60


@dataclass(frozen=True)
class Call:
    """One Web API request: decoded arguments (token removed) and the answer given."""

    method: str
    args: dict[str, Any]
    headers: Mapping[str, str]
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.response.get("ok") is True

    @property
    def error(self) -> str | None:
        error = self.response.get("error")
        return str(error) if error is not None else None

    def summary(self) -> str:
        parts = [self.method]
        parts += [f"{k}={self.args[k]}" for k in _SUMMARY_ARGS if k in self.args]
        if "text" in self.args:
            parts.append(f"text={_short(self.args['text'])!r}")
        if "blocks" in self.args:
            parts.append(f"blocks={len(self.args['blocks'] or [])}")
        outcome = "ok" if self.ok else f"{self.status} {self.error}"
        return f"{' '.join(parts)} -> {outcome}"


@dataclass(frozen=True)
class Response:
    """One POST to a ``response_url``, as Bolt's ``respond()`` sends it."""

    id: str
    url: str
    body: dict[str, Any]
    headers: Mapping[str, str]
    status: int = 200

    @property
    def response_type(self) -> str:
        # Slack shows a response to the requester only unless told otherwise.
        return str(self.body.get("response_type") or "ephemeral")

    @property
    def text(self) -> str | None:
        return self.body.get("text")

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.body.get("blocks") or [])

    @property
    def replace_original(self) -> bool:
        return bool(self.body.get("replace_original", False))

    @property
    def delete_original(self) -> bool:
        return bool(self.body.get("delete_original", False))

    def summary(self) -> str:
        flags = [
            name
            for name in ("replace_original", "delete_original")
            if getattr(self, name)
        ]
        return (
            f"respond/{self.id} {self.response_type} text={_short(self.text)!r} "
            f"blocks={len(self.blocks)} {' '.join(flags)} -> {self.status}"
        ).rstrip()


@dataclass
class Fault:
    """An answer to give instead of the real one, ``remaining`` times (None: always)."""

    method: str
    status: int
    error: str
    retry_after: int | None = None
    channel: str | None = None
    remaining: int | None = None

    @classmethod
    def http(
        cls, method: str, status: int, retry_after: int | None, times: int | None
    ) -> Fault:
        error = _STATUS_ERRORS.get(status, "http_error")
        return cls(method, status, error, retry_after=retry_after, remaining=times)

    def applies(self, method: str, args: Mapping[str, Any]) -> bool:
        if self.method not in (method, "*") or self.remaining == 0:
            return False
        channel = args.get("channel", args.get("channel_id"))
        return self.channel is None or self.channel == channel

    def use(self) -> None:
        if self.remaining is not None:
            self.remaining -= 1

    def headers(self) -> dict[str, str]:
        if self.retry_after is None:
            return {}
        return {"Retry-After": str(self.retry_after)}


def _short(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"
