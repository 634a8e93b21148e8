"""The bot's own errors.

Every error the bot raises on purpose derives from `BbslackError`; its message is a
sentence a Slack user can read. Foreign errors (httpx, slack_sdk, sqlite3) are mapped at
the boundary with ``raise ... from``.

    BbslackError
    ├── ConfigError            the environment does not describe a runnable bot
    └── BrowserbaseError       a Browserbase API call failed
        ├── NotFound           404: no such session or project
        ├── Forbidden          401/403: the API key is wrong or lacks access
        ├── RateLimited        429: try again after ``retry_after`` seconds
        ├── Unavailable        unreachable, timed out, or 5xx
        └── BadResponse        an answer we could not understand (or another 4xx)
"""

from __future__ import annotations


class BbslackError(Exception):
    """Base class of every error the bot raises on purpose."""


class ConfigError(BbslackError):
    """The environment is missing or has invalid settings; one problem per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class BrowserbaseError(BbslackError):
    """A call to the Browserbase API failed."""

    status_code: int | None = None

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        if status_code is not None:
            self.status_code = status_code


class NotFound(BrowserbaseError):
    status_code = 404


class Forbidden(BrowserbaseError):
    status_code = 403


class RateLimited(BrowserbaseError):
    status_code = 429

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(BrowserbaseError):
    pass


class BadResponse(BrowserbaseError):
    pass
