"""The Slack app manifest: paste it into "Create New App > From a manifest".

Socket Mode by default, so the bot runs behind any firewall; given the bot's public URL,
HTTP mode instead, with every request URL pointing at ``<url>/slack/events``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

COMMAND = "/browserbase"
EVENTS_PATH = "/slack/events"
BOT_SCOPES = (
    "commands",
    "chat:write",
    # Alerts go to channels the bot was never invited to.
    "chat:write.public",
    # Long session logs travel as a file.
    "files:write",
    # Admins may be named by user group (S...); the bot expands them.
    "usergroups:read",
)
BOT_EVENTS = ("app_home_opened",)

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_NAME_LIMIT = 35
_EXPECTED_URL = (
    "expected the bot's public https URL, such as https://bbslack.example.com"
)

_DESCRIPTION = (
    "Browserbase sessions, usage and alerts in Slack, with a button to stop "
    "runaway keep-alive sessions."
)
_USAGE_HINT = "sessions [status] | session ID | usage | keepalive | alerts | help"
_COMMAND_DESCRIPTION = "Browserbase sessions, usage and alerts"
_LONG_DESCRIPTION = """\
Keeps a team that runs headless browsers on Browserbase informed, without leaving Slack.

• /browserbase sessions lists the project's sessions, optionally of one status \
(running, error, timed out...).
• /browserbase session ID describes one session: how long it ran, why it ended, \
and what failed in its logs.
• /browserbase usage shows the browser minutes and proxy bytes the project has used.
• /browserbase keepalive lists keep-alive sessions, which run until someone stops \
them; admins can terminate them with a button.
• /browserbase alerts subscribes a channel to alerts: sessions that end in an error \
or time out, and keep-alive sessions left running too long.

Answers are visible only to you unless you share them. The Home tab shows \
the project at a glance."""


def build_manifest(
    http_url: str | None = None, *, name: str = "bbslack"
) -> dict[str, Any]:
    """The manifest of an app in Socket Mode, or in HTTP mode when given its URL.

    Raises `ValueError` when ``http_url`` is not the bot's public https URL (plain http
    only for localhost) or ``name`` does not fit Slack's limit.
    """
    if not name.strip() or len(name) > _NAME_LIMIT:
        raise ValueError(
            f"expected an app name of 1 to {_NAME_LIMIT} characters, got {name!r}"
        )
    request_url = None if http_url is None else events_url(http_url)

    command: dict[str, Any] = {
        "command": COMMAND,
        "description": _COMMAND_DESCRIPTION,
        "usage_hint": _USAGE_HINT,
        "should_escape": False,
    }
    interactivity: dict[str, Any] = {"is_enabled": True}
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    if request_url is not None:
        command["url"] = request_url
        interactivity["request_url"] = request_url
        events["request_url"] = request_url

    return {
        "display_information": {
            "name": name,
            "description": _DESCRIPTION,
            "long_description": _LONG_DESCRIPTION,
            "background_color": "#1f2937",
        },
        "features": {
            "bot_user": {"display_name": name, "always_online": True},
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": False,
                "messages_tab_read_only_enabled": False,
            },
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "interactivity": interactivity,
            "event_subscriptions": events,
            "org_deploy_enabled": False,
            "socket_mode_enabled": request_url is None,
            "token_rotation_enabled": False,
        },
    }


def manifest_json(http_url: str | None = None, *, name: str = "bbslack") -> str:
    """The manifest as indented JSON, as Slack's "From a manifest" dialog accepts it."""
    return json.dumps(build_manifest(http_url, name=name), indent=2, ensure_ascii=False)


def events_url(http_url: str) -> str:
    """``<http_url>/slack/events``, from the bot's base URL or its full events URL."""
    raw = http_url.strip()
    try:
        parts = urlsplit(raw)
        # Reading the port validates it: "https://host:99999" raises here.
        _ = parts.port
    except ValueError:
        raise ValueError(f"{_EXPECTED_URL}, got {http_url!r}") from None
    host = parts.hostname or ""

    if not host or parts.scheme not in ("https", "http") or " " in raw:
        raise ValueError(f"{_EXPECTED_URL}, got {http_url!r}")
    if parts.scheme == "http" and host not in _LOCAL_HOSTS:
        raise ValueError(
            f"{_EXPECTED_URL}: Slack only calls https URLs (plain http is accepted "
            f"for localhost, to test locally), got {http_url!r}"
        )
    if parts.username is not None or parts.password is not None:
        # Never echo it: the credentials would end up in a terminal or a ticket.
        raise ValueError(f"{_EXPECTED_URL}, without user or password in it")
    if parts.query or parts.fragment or raw.endswith(("?", "#")):
        raise ValueError(
            f"{_EXPECTED_URL}, without a query string or fragment, got {http_url!r}"
        )

    path = parts.path.rstrip("/")
    path = path.removesuffix(EVENTS_PATH).rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}{EVENTS_PATH}"
