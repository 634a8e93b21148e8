"""Settings, read once from the environment and validated at the edge.

Nothing else in the bot reads ``os.environ``. A missing or invalid value becomes one
line that names the variable and says how to get a right value; secrets never appear.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot.errors import ConfigError

T = TypeVar("T")

_SLACK_APPS = "https://api.slack.com/apps"
_BB_SETTINGS = "https://www.browserbase.com/settings"
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_ADMIN_ID = re.compile(r"^[UWS][A-Z0-9]{2,}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str = field(repr=False)
    browserbase_api_key: str = field(repr=False)
    browserbase_project_id: str
    slack_app_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
    browserbase_base_url: str = "https://api.browserbase.com"
    db_path: Path = Path("bbslack.db")
    host: str = "0.0.0.0"
    port: int = 3000
    alert_channel: str | None = None
    poll_interval: float = 60.0
    admins: frozenset[str] = frozenset()
    keepalive_alert_after_minutes: float = 30.0
    log_level: str = "INFO"
    log_format: str = "text"
    # Beyond the contract's table: added under the BBSLACK_ prefix.
    alert_backfill_minutes: float = 0.0
    group_threshold: int = 5
    thread_window_minutes: float = 60.0

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from ``env``, or raise `ConfigError` listing every problem."""
        reader = _Reader(env)
        slack_app_token = reader.optional(
            "SLACK_APP_TOKEN",
            _token(
                "xapp-",
                "an app-level token with the connections:write scope "
                "(Basic Information > App-Level Tokens)",
            ),
        )
        socket_mode = slack_app_token is not None
        settings = cls(
            slack_bot_token=reader.required(
                "SLACK_BOT_TOKEN",
                _token(
                    "xoxb-",
                    "the Bot User OAuth Token "
                    "(OAuth & Permissions, after installing the app)",
                ),
                hint=f"copy the Bot User OAuth Token from {_SLACK_APPS} > your app > "
                "OAuth & Permissions",
            ),
            browserbase_api_key=reader.required(
                "BROWSERBASE_API_KEY",
                _nonempty,
                hint=f"copy the API key from {_BB_SETTINGS}",
            ),
            browserbase_project_id=reader.required(
                "BROWSERBASE_PROJECT_ID",
                _nonempty,
                hint=f"copy the project ID from {_BB_SETTINGS}",
            ),
            slack_app_token=slack_app_token,
            slack_signing_secret=(
                reader.optional("SLACK_SIGNING_SECRET", _nonempty)
                if socket_mode
                else reader.required(
                    "SLACK_SIGNING_SECRET",
                    _nonempty,
                    hint=f"copy the Signing Secret from {_SLACK_APPS} > your app > "
                    "Basic Information (or set SLACK_APP_TOKEN to use Socket Mode)",
                )
            ),
            slack_api_url=reader.optional("SLACK_API_URL", _url(trailing_slash=True))
            or cls.slack_api_url,
            browserbase_base_url=reader.optional(
                "BROWSERBASE_BASE_URL", _url(trailing_slash=False)
            )
            or cls.browserbase_base_url,
            db_path=reader.optional("BBSLACK_DB", _path) or cls.db_path,
            host=reader.optional("BBSLACK_HOST", _nonempty) or cls.host,
            port=_default(reader.optional("BBSLACK_PORT", _port), cls.port),
            alert_channel=reader.optional("BBSLACK_ALERT_CHANNEL", _channel),
            poll_interval=_default(
                reader.optional("BBSLACK_POLL_INTERVAL", _number(1, 86400)),
                cls.poll_interval,
            ),
            admins=reader.optional("BBSLACK_ADMINS", _admins) or frozenset(),
            keepalive_alert_after_minutes=_default(
                reader.optional("BBSLACK_KEEPALIVE_ALERT_AFTER", _number(1, 360)),
                cls.keepalive_alert_after_minutes,
            ),
            log_level=reader.optional("BBSLACK_LOG_LEVEL", _log_level) or cls.log_level,
            log_format=reader.optional("BBSLACK_LOG_FORMAT", _log_format)
            or cls.log_format,
            alert_backfill_minutes=_default(
                reader.optional("BBSLACK_ALERT_BACKFILL_MINUTES", _number(0, 10080)),
                cls.alert_backfill_minutes,
            ),
            group_threshold=_default(
                reader.optional("BBSLACK_GROUP_THRESHOLD", _integer(1, 1000)),
                cls.group_threshold,
            ),
            thread_window_minutes=_default(
                reader.optional("BBSLACK_THREAD_WINDOW", _number(0, 10080)),
                cls.thread_window_minutes,
            ),
        )
        if reader.problems:
            raise ConfigError(reader.problems)
        return settings


def _default(value: T | None, default: T) -> T:
    return default if value is None else value


class _Invalid(ValueError):
    """A value is unusable; the message says what a right one looks like."""


class _Reader:
    """Collects every problem instead of stopping at the first."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self.problems: list[str] = []

    def required(self, name: str, parse: Callable[[str], T], *, hint: str) -> T:
        raw = self._env.get(name, "").strip()
        if not raw:
            self.problems.append(f"{name} is not set: {hint}.")
            return None  # type: ignore[return-value]  # never used: from_env raises
        return self._parse(name, raw, parse)

    def optional(self, name: str, parse: Callable[[str], T]) -> T | None:
        raw = self._env.get(name, "").strip()
        if not raw:
            return None
        return self._parse(name, raw, parse)

    def _parse(self, name: str, raw: str, parse: Callable[[str], T]) -> T:
        try:
            return parse(raw)
        except _Invalid as exc:
            self.problems.append(f"{name} is invalid: {exc}.")
            return None  # type: ignore[return-value]  # never used: from_env raises


def _nonempty(raw: str) -> str:
    return raw


def _token(prefix: str, what: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if not raw.startswith(prefix):
            # Never echo the value: it may be a real secret pasted in the wrong place.
            raise _Invalid(f"expected a token starting with {prefix!r}, {what}")
        return raw

    return parse


def _url(*, trailing_slash: bool) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if not re.match(r"^https?://[^\s/]+", raw):
            raise _Invalid(f"expected an http(s) URL, got {raw!r}")
        raw = raw.rstrip("/")
        return raw + "/" if trailing_slash else raw

    return parse


def _path(raw: str) -> Path:
    return Path(raw).expanduser()


def _port(raw: str) -> int:
    return _integer(0, 65535)(raw)


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        wrong = _Invalid(f"expected a whole number from {low} to {high}, got {raw!r}")
        try:
            value = int(raw)
        except ValueError:
            raise wrong from None
        if not low <= value <= high:
            raise wrong
        return value

    return parse


def _number(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        wrong = _Invalid(f"expected a number from {low:g} to {high:g}, got {raw!r}")
        try:
            value = float(raw)
        except ValueError:
            raise wrong from None
        if not low <= value <= high:
            raise wrong
        return value

    return parse


def _channel(raw: str) -> str:
    if not _CHANNEL_ID.match(raw):
        raise _Invalid(
            f"expected a channel ID such as C0123456789, got {raw!r} (in Slack: open "
            "the channel, click its name, the ID is at the bottom of the About tab)"
        )
    return raw


def _admins(raw: str) -> frozenset[str]:
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    wrong = [part for part in ids if not _ADMIN_ID.match(part)]
    if wrong:
        raise _Invalid(
            f"expected Slack user IDs (U...) or user-group IDs (S...), got {wrong!r} "
            "(in Slack: a person's profile > ⋮ > Copy member ID)"
        )
    return frozenset(ids)


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in _LOG_LEVELS:
        raise _Invalid(f"expected one of {', '.join(_LOG_LEVELS)}, got {raw!r}")
    return level


def _log_format(raw: str) -> str:
    fmt = raw.lower()
    if fmt not in ("text", "json"):
        raise _Invalid(f"expected 'text' or 'json', got {raw!r}")
    return fmt
