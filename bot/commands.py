"""The text of ``/browserbase ...`` parsed into a command.

`parse` is pure and never raises: whatever a user types becomes one of the frozen
dataclasses below, and a mistake becomes `Invalid` with a sentence saying what was wrong
and an example that works. Words are case-insensitive; metadata keys and values keep
their case, because Browserbase compares them exactly.
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from bot.models import COMPLETED, ERROR, PENDING, RUNNING, TIMED_OUT

COMMAND = "/browserbase"

ALERT_ERRORS = "errors"
ALERT_TIMEOUTS = "timeouts"
ALERT_KEEPALIVE = "keepalive"
# Keep-alive warnings are alerts too: a channel that wants "all" gets them.
ALERT_KINDS = frozenset({ALERT_ERRORS, ALERT_TIMEOUTS, ALERT_KEEPALIVE})

AUDIT_DEFAULT = 20
AUDIT_MAX = 100
MUTE_DEFAULT = 3600
MUTE_MIN = 60
MUTE_MAX = 7 * 86400
MAX_FILTERS = 10
MAX_VALUE_CHARS = 256

AlertAction = Literal["list", "subscribe", "unsubscribe", "mute", "unmute", "digest"]
DIGEST_DEFAULT = 9 * 60  # 09:00 UTC, in minutes after midnight


@dataclass(frozen=True, slots=True)
class Help:
    unknown: str | None = None
    suggestion: str | None = None


@dataclass(frozen=True, slots=True)
class Sessions:
    status: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    public: bool = False
    # Every match as a CSV file in the channel, instead of the first page.
    export: bool = False


@dataclass(frozen=True, slots=True)
class SessionDetail:
    session_id: str
    public: bool = False
    # The whole log as a file in the channel, instead of its summary.
    logs: bool = False


@dataclass(frozen=True, slots=True)
class Usage:
    public: bool = False


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    public: bool = False


@dataclass(frozen=True, slots=True)
class Status:
    public: bool = False


@dataclass(frozen=True, slots=True)
class Alerts:
    action: AlertAction = "list"
    # subscribe only: which alerts the channel wants, and a metadata filter.
    kinds: frozenset[str] = frozenset()
    metadata: dict[str, str] = field(default_factory=dict)
    # mute only.
    duration_seconds: int | None = None
    # digest only: minutes after midnight UTC, or None to stop the digest.
    digest_at: int | None = None


@dataclass(frozen=True, slots=True)
class KeepAlive:
    public: bool = False


@dataclass(frozen=True, slots=True)
class Terminate:
    session_id: str


@dataclass(frozen=True, slots=True)
class Audit:
    limit: int = AUDIT_DEFAULT


@dataclass(frozen=True, slots=True)
class Invalid:
    # Our own sentence; it may quote the user's words, so views still escape it.
    message: str
    example: str


Command: TypeAlias = (
    Help
    | Sessions
    | SessionDetail
    | Usage
    | ProjectInfo
    | Status
    | Alerts
    | KeepAlive
    | Terminate
    | Audit
    | Invalid
)

_Parser: TypeAlias = Callable[[Sequence[str]], Command]


@dataclass(frozen=True, slots=True)
class SubcommandHelp:
    usage: str
    description: str
    example: str


_EXAMPLE_ID = "4f7a1c2e-9b3d-4e5f-8a6b-1c2d3e4f5a6b"
_MUTE_EXAMPLE = f"{COMMAND} alerts mute 2h"

SUBCOMMANDS: Mapping[str, SubcommandHelp] = {
    "sessions": SubcommandHelp(
        "sessions [STATUS] [KEY=VALUE ...] [public|csv]",
        "List sessions, newest first, filtered by status and metadata; `csv` "
        "uploads every match as a file",
        f'{COMMAND} sessions error team="check out"',
    ),
    "session": SubcommandHelp(
        "session ID|LINK [public|logs]",
        "One session: why it ended, its timeout, and what failed in its logs; "
        "`logs` uploads the whole log as a file",
        f"{COMMAND} session {_EXAMPLE_ID}",
    ),
    "usage": SubcommandHelp(
        "usage [public]",
        "Browser minutes, proxy data and browsers running against the limit",
        f"{COMMAND} usage",
    ),
    "project": SubcommandHelp(
        "project [public]",
        "The project's name, id, default timeout and concurrency",
        f"{COMMAND} project",
    ),
    "keepalive": SubcommandHelp(
        "keepalive [public]",
        "Keep-alive sessions still running (and billing), with Terminate buttons",
        f"{COMMAND} keepalive",
    ),
    "terminate": SubcommandHelp(
        "terminate ID|LINK",
        "Release a running session now (admins only)",
        f"{COMMAND} terminate {_EXAMPLE_ID}",
    ),
    "alerts": SubcommandHelp(
        "alerts [subscribe [errors|timeouts|keepalive|all] [KEY=VALUE ...] "
        "| unsubscribe | mute [30m|2h|1d] | unmute | digest [HH:MM|off]]",
        "Post alerts here when sessions end in errors or time out, and a daily "
        "digest at a time of day (UTC)",
        f"{COMMAND} alerts subscribe errors team=checkout",
    ),
    "status": SubcommandHelp(
        "status [public]",
        "Is the bot healthy: last poll, pending alerts",
        f"{COMMAND} status",
    ),
    "audit": SubcommandHelp(
        "audit [N]",
        "The last N actions taken through the bot: terminations, mutes, subscriptions",
        f"{COMMAND} audit 20",
    ),
    "help": SubcommandHelp("help", "This list", f"{COMMAND} help"),
}

_STATUS_WORDS = {
    "running": RUNNING,
    "pending": PENDING,
    "error": ERROR,
    "errors": ERROR,
    "failed": ERROR,
    "completed": COMPLETED,
    "complete": COMPLETED,
    "done": COMPLETED,
    "timed_out": TIMED_OUT,
    "timed-out": TIMED_OUT,
    "timedout": TIMED_OUT,
    "timeout": TIMED_OUT,
    "timeouts": TIMED_OUT,
}
_STATUS_CHOICES = "running, pending, error, timed_out, completed"

_KIND_WORDS = {
    "all": ALERT_KINDS,
    "error": frozenset({ALERT_ERRORS}),
    "errors": frozenset({ALERT_ERRORS}),
    "failed": frozenset({ALERT_ERRORS}),
    "timeout": frozenset({ALERT_TIMEOUTS}),
    "timeouts": frozenset({ALERT_TIMEOUTS}),
    "timed_out": frozenset({ALERT_TIMEOUTS}),
    "timed-out": frozenset({ALERT_TIMEOUTS}),
    "timedout": frozenset({ALERT_TIMEOUTS}),
    "keepalive": frozenset({ALERT_KEEPALIVE}),
    "keep-alive": frozenset({ALERT_KEEPALIVE}),
    "warnings": frozenset({ALERT_KEEPALIVE}),
}
_ALERT_ACTIONS: tuple[AlertAction, ...] = (
    "list",
    "subscribe",
    "unsubscribe",
    "mute",
    "unmute",
    "digest",
)

# Words people reach for that are not our subcommands, and the one they meant.
_SYNONYMS = {
    "list": "sessions",
    "ls": "sessions",
    "show": "session",
    "get": "session",
    "inspect": "session",
    "kill": "terminate",
    "stop": "terminate",
    "release": "terminate",
    "billing": "usage",
    "minutes": "usage",
    "quota": "usage",
    "mute": "alerts",
    "subscribe": "alerts",
    "health": "status",
    "ping": "status",
}

_SESSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$")
_INSPECTOR_LINK = re.compile(
    r"^https?://(?:www\.)?browserbase\.com/sessions/([^/?#\s]+)/?(?:[/?#].*)?$",
    re.IGNORECASE,
)
_LINK_LABEL = re.compile(r"<([^<>|\s]+)\|[^<>]*>")
_SLACK_LINK = re.compile(r"^<([^<>|]+)(?:\|[^<>]*)?>$")
_DURATION = re.compile(r"^(\d{1,7})([a-z]*)$")
_DURATION_UNITS = {
    "": 60,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
}
# Slack clients turn typed quotes into curly ones; shlex only knows the straight kind.
_QUOTES = str.maketrans(
    {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'"}
)


class _Bad(Exception):
    """A parse error carrying the `Invalid` to return."""

    def __init__(self, message: str, example: str) -> None:
        super().__init__(message)
        self.invalid = Invalid(message, example)


def parse(text: str) -> Command:
    """Turn the text after ``/browserbase`` into a command; never raises."""
    try:
        words = _split(text)
        if not words:
            return Help()
        name, args = words[0].lower(), words[1:]
        parser = _PARSERS.get(name)
        if parser is not None:
            return parser(args)
        if _INSPECTOR_LINK.match(_unwrap(words[0])):
            # A pasted Inspector link alone clearly asks about that session.
            return _parse_session(words)
        return Help(unknown=words[0], suggestion=_suggest(name))
    except _Bad as bad:
        return bad.invalid


def _split(text: str) -> list[str]:
    # A link's label may hold spaces or quotes; only its URL matters to us.
    text = _LINK_LABEL.sub(r"<\1>", text.translate(_QUOTES))
    try:
        return shlex.split(text)
    except ValueError:
        raise _Bad(
            "A quote is not closed. Put values with spaces in double quotes.",
            f'{COMMAND} sessions team="check out"',
        ) from None


def _suggest(word: str) -> str | None:
    if word in _SYNONYMS:
        return _SYNONYMS[word]
    matches = difflib.get_close_matches(word, list(SUBCOMMANDS), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _take_public(args: Sequence[str]) -> tuple[list[str], bool]:
    return _take_word(args, "public")


def _take_word(args: Sequence[str], *words: str) -> tuple[list[str], bool]:
    """``args`` without any of ``words`` (any case), and whether one was there."""
    rest = [arg for arg in args if arg.lower() not in words]
    return rest, len(rest) != len(args)


def _no_more(name: str, args: Sequence[str]) -> None:
    if args:
        raise _Bad(
            f"`{name}` takes no other words (got {_quote(args[0])}).",
            SUBCOMMANDS[name].example,
        )


def _parse_help(args: Sequence[str]) -> Command:
    return Help()


def _parse_sessions(args: Sequence[str]) -> Command:
    rest, public = _take_public(args)
    rest, export = _take_word(rest, "csv", "export")
    words = [arg for arg in rest if not _is_pair(arg)]
    metadata = _pairs([arg for arg in rest if _is_pair(arg)], "sessions")
    if len(words) > 1:
        raise _Bad(
            f"Give at most one status (got {_quote(words[0])} and "
            f"{_quote(words[1])}); filter metadata with KEY=VALUE.",
            SUBCOMMANDS["sessions"].example,
        )
    status = None
    if words:
        status = _STATUS_WORDS.get(words[0].lower())
        if status is None and words[0].lower() not in ("all", "any"):
            raise _Bad(
                f"{_quote(words[0])} is not a session status. Use one of "
                f"{_STATUS_CHOICES}, or KEY=VALUE to filter by metadata.",
                f"{COMMAND} sessions timed_out",
            )
    return Sessions(status=status, metadata=metadata, public=public, export=export)


def _parse_session(args: Sequence[str]) -> Command:
    rest, public = _take_public(args)
    rest, logs = _take_word(rest, "logs", "log")
    return SessionDetail(session_id=_one_id("session", rest), public=public, logs=logs)


def _parse_terminate(args: Sequence[str]) -> Command:
    return Terminate(session_id=_one_id("terminate", args))


def _one_id(name: str, args: Sequence[str]) -> str:
    example = SUBCOMMANDS[name].example
    if not args:
        raise _Bad(
            "Which session? Give its id or paste its Session Inspector link.", example
        )
    if len(args) > 1:
        raise _Bad("One session at a time, please: give a single id.", example)
    found = session_id(args[0])
    if found is None:
        raise _Bad(
            f"{_quote(args[0])} is not a session id. Session ids are 3 to 128 letters, "
            "digits, dashes or underscores; a Session Inspector link works too.",
            example,
        )
    return found


def session_id(token: str) -> str | None:
    """The session id in a bare id or an Inspector link (bare or Slack-wrapped)."""
    candidate = _unwrap(token.strip())
    link = _INSPECTOR_LINK.match(candidate)
    if link is not None:
        candidate = link.group(1)
    return candidate if _SESSION_ID.match(candidate) else None


def _unwrap(token: str) -> str:
    """``<https://x|label>`` (Slack's escaped link) becomes ``https://x``."""
    match = _SLACK_LINK.match(token)
    return match.group(1) if match else token


def _simple(
    name: str, build: type[Usage | ProjectInfo | Status | KeepAlive]
) -> _Parser:
    def parse_simple(args: Sequence[str]) -> Command:
        rest, public = _take_public(args)
        _no_more(name, rest)
        return build(public=public)

    return parse_simple


def _parse_audit(args: Sequence[str]) -> Command:
    if not args:
        return Audit()
    _no_more("audit", args[1:])
    wrong = _Bad(
        f"`audit` takes how many entries to show, from 1 to {AUDIT_MAX}; "
        f"got {_quote(args[0])}.",
        SUBCOMMANDS["audit"].example,
    )
    if not args[0].isdigit():
        raise wrong
    limit = int(args[0])
    if not 1 <= limit <= AUDIT_MAX:
        raise wrong
    return Audit(limit=limit)


def _parse_alerts(args: Sequence[str]) -> Command:
    if not args:
        return Alerts(action="list")
    action, rest = args[0].lower(), args[1:]
    if action == "subscribe":
        return _parse_subscribe(rest)
    if action == "mute":
        return Alerts(action="mute", duration_seconds=_duration(rest))
    if action == "digest":
        return Alerts(action="digest", digest_at=_digest_time(rest))
    for bare in ("list", "unsubscribe", "unmute"):
        if action == bare:
            if rest:
                raise _alerts_usage(f"`alerts {action}` takes no other words.")
            return Alerts(action=bare)
    close = difflib.get_close_matches(action, _ALERT_ACTIONS, n=1, cutoff=0.6)
    hint = f" Did you mean `alerts {close[0]}`?" if close else ""
    raise _alerts_usage(f"{_quote(args[0])} is not something alerts can do.{hint}")


def _parse_subscribe(args: Sequence[str]) -> Command:
    kinds: set[str] = set()
    for word in (arg for arg in args if not _is_pair(arg)):
        chosen = _KIND_WORDS.get(word.lower())
        if chosen is None:
            raise _alerts_usage(
                f"{_quote(word)} is not a kind of alert: "
                "use errors, timeouts, keepalive or all."
            )
        kinds |= chosen
    metadata = _pairs([arg for arg in args if _is_pair(arg)], "alerts")
    return Alerts(
        action="subscribe",
        kinds=frozenset(kinds) or ALERT_KINDS,
        metadata=metadata,
    )


def _duration(args: Sequence[str]) -> int:
    if not args:
        return MUTE_DEFAULT
    # "2 h" arrives as two words; "2h" as one.
    raw = "".join(args).lower()
    match = _DURATION.match(raw)
    unit = _DURATION_UNITS.get(match.group(2)) if match else None
    if match is None or unit is None:
        raise _alerts_usage(
            f"{_quote(' '.join(args))} is not a duration: use minutes, hours or days "
            "such as 30m, 2h or 1d.",
            _MUTE_EXAMPLE,
        )
    seconds = int(match.group(1)) * unit
    if not MUTE_MIN <= seconds <= MUTE_MAX:
        raise _alerts_usage(
            "Mute for at least 1 minute and at most 7 days.", _MUTE_EXAMPLE
        )
    return seconds


def _digest_time(args: Sequence[str]) -> int | None:
    """``09:00`` → 540; ``off`` → None; nothing → the default time."""
    if not args:
        return DIGEST_DEFAULT
    raw = " ".join(args).lower().removesuffix("utc").strip()
    if raw in ("off", "stop", "none"):
        return None
    match = _CLOCK_TIME.match(raw)
    if match is None or int(match.group(1)) > 23 or int(match.group(2) or 0) > 59:
        raise _alerts_usage(
            f"{_quote(' '.join(args))} is not a time of day: use HH:MM in UTC, or off.",
            f"{COMMAND} alerts digest 09:00",
        )
    return int(match.group(1)) * 60 + int(match.group(2) or 0)


def _alerts_usage(problem: str, example: str | None = None) -> _Bad:
    alerts = SUBCOMMANDS["alerts"]
    return _Bad(
        f"{problem}\nUsage: `{COMMAND} {alerts.usage}`", example or alerts.example
    )


_CLOCK_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?$")


def _is_pair(word: str) -> bool:
    return "=" in word


def _pairs(words: Sequence[str], name: str) -> dict[str, str]:
    example = SUBCOMMANDS[name].example
    if len(words) > MAX_FILTERS:
        raise _Bad(f"At most {MAX_FILTERS} KEY=VALUE filters, please.", example)
    pairs: dict[str, str] = {}
    for word in words:
        key, _, value = word.partition("=")
        key, value = _unescape(key.strip()), _unescape(_unwrap(value))
        if not key:
            raise _Bad(f"{_quote(word)} needs a key before `=`.", example)
        if not value:
            raise _Bad(
                f"{_quote(word)} needs a value after `=`; quote values with spaces.",
                example,
            )
        if len(value) > MAX_VALUE_CHARS:
            raise _Bad(
                f"The value of {_quote(key)} is too long to match any metadata.",
                example,
            )
        pairs[key] = value
    return pairs


def _unescape(text: str) -> str:
    """Undo the escaping Slack applies to command text, so values match metadata."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _quote(word: str) -> str:
    """A user's word inside our sentence, short and unable to close the code span."""
    shown = word if len(word) <= 60 else word[:59] + "…"
    return "`" + shown.replace("`", "'") + "`"


_PARSERS: dict[str, _Parser] = {
    "help": _parse_help,
    "sessions": _parse_sessions,
    "session": _parse_session,
    "usage": _simple("usage", Usage),
    "project": _simple("project", ProjectInfo),
    "status": _simple("status", Status),
    "keepalive": _simple("keepalive", KeepAlive),
    "keep-alive": _simple("keepalive", KeepAlive),
    "terminate": _parse_terminate,
    "alerts": _parse_alerts,
    "audit": _parse_audit,
}
