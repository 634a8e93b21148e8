"""``bbslack check``: the configuration and both services, one line per check."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import TextIO

import httpx
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.browserbase import BrowserbaseClient, build_http_client
from bot.errors import BrowserbaseError, Forbidden, NotFound
from bot.services import build_slack_client
from bot.settings import Settings
from storage import state
from storage.db import open_database

REQUIRED_SCOPES = ("commands", "chat:write", "chat:write.public")
GROUP_SCOPE = "usergroups:read"
SLACK_APPS = "https://api.slack.com/apps"
# Answers to a probe that say the channel itself is the problem.
CHANNEL_ERRORS = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "restricted_action"}
)
# A probe message is scheduled this far ahead and deleted straight away.
PROBE_DELAY_SECONDS = 600


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    # Not a failure: something we could not verify or that is merely worth knowing.
    note: bool = False

    def line(self) -> str:
        mark = "!" if self.note else ("✓" if self.ok else "✗")
        return f"{mark} {self.name}: {self.detail}"


async def run_checks(settings: Settings, *, out: TextIO) -> int:
    """Print every check; 0 when all pass, 1 otherwise."""
    slack = build_slack_client(settings, retry=False)
    checks = [*await _slack_checks(settings, slack)]
    http = build_http_client()
    try:
        checks.append(await _browserbase_check(settings, http))
    finally:
        await http.aclose()
    checks.append(_database_check(settings))
    checks.append(await _channel_check(settings, slack))
    for check in checks:
        print(check.line(), file=out)
    failed = [check for check in checks if not check.ok]
    print(
        "all checks passed" if not failed else f"{len(failed)} check(s) failed",
        file=out,
    )
    return 0 if not failed else 1


async def _slack_checks(settings: Settings, slack: AsyncWebClient) -> list[Check]:
    try:
        response = await slack.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error") or f"HTTP {exc.response.status_code}"
        return [
            Check(
                "slack",
                False,
                f"auth.test failed ({error}): copy the Bot User OAuth Token from "
                f"{SLACK_APPS} > your app > OAuth & Permissions into SLACK_BOT_TOKEN",
            )
        ]
    except OSError as exc:
        return [
            Check(
                "slack",
                False,
                f"cannot reach {settings.slack_api_url} ({type(exc).__name__}): "
                "check the network or SLACK_API_URL",
            )
        ]
    team = response.get("team") or response.get("team_id")
    checks = [
        Check("slack", True, f"connected to workspace {team} as {response.get('user')}")
    ]
    checks.append(_scopes_check(settings, response.headers))
    if settings.slack_app_token is not None:
        checks.append(await _socket_check(settings, slack))
    return checks


def _scopes_check(settings: Settings, headers: dict[str, object]) -> Check:
    raw = next(
        (str(v) for k, v in headers.items() if k.lower() == "x-oauth-scopes"), None
    )
    if raw is None:
        return Check("slack scopes", True, "not reported by Slack; skipped", note=True)
    granted = {scope.strip() for scope in raw.split(",")}
    needed = list(REQUIRED_SCOPES)
    if any(admin.startswith("S") for admin in settings.admins):
        needed.append(GROUP_SCOPE)
    missing = [scope for scope in needed if scope not in granted]
    if missing:
        return Check(
            "slack scopes",
            False,
            f"missing {', '.join(missing)}: add them under OAuth & Permissions "
            "(or paste `bbslack manifest` again) and reinstall the app",
        )
    return Check("slack scopes", True, ", ".join(sorted(needed)))


async def _socket_check(settings: Settings, slack: AsyncWebClient) -> Check:
    try:
        await slack.apps_connections_open(app_token=settings.slack_app_token or "")
    except SlackApiError as exc:
        return Check(
            "slack socket mode",
            False,
            f"apps.connections.open failed ({exc.response.get('error')}): create an "
            "app-level token with connections:write under Basic Information and put "
            "it in SLACK_APP_TOKEN, and enable Socket Mode",
        )
    return Check("slack socket mode", True, "the app-level token opens a connection")


async def _browserbase_check(settings: Settings, http: httpx.AsyncClient) -> Check:
    client = BrowserbaseClient(
        http,
        api_key=settings.browserbase_api_key,
        base_url=settings.browserbase_base_url,
        project_id=settings.browserbase_project_id,
        max_attempts=1,
    )
    try:
        project = await client.get_project()
    except Forbidden as exc:
        return Check("browserbase", False, f"{exc} (from browserbase.com/settings)")
    except NotFound:
        return Check(
            "browserbase",
            False,
            f"project {settings.browserbase_project_id} not found: copy the project "
            "ID from browserbase.com/settings into BROWSERBASE_PROJECT_ID",
        )
    except BrowserbaseError as exc:
        return Check("browserbase", False, f"{exc} (BROWSERBASE_BASE_URL?)")
    return Check(
        "browserbase",
        True,
        f"project {project.name} ({project.id}), default timeout "
        f"{project.default_timeout} s, concurrency {project.concurrency}",
    )


def _database_check(settings: Settings) -> Check:
    try:
        db = open_database(settings.db_path)
        try:
            state.put(db, "checked", True)
        finally:
            db.close()
    except (sqlite3.Error, OSError) as exc:
        return Check(
            "database",
            False,
            f"{settings.db_path} is not writable ({exc}): set BBSLACK_DB to a file "
            "in a writable directory",
        )
    return Check("database", True, f"{settings.db_path} is writable")


async def _channel_check(settings: Settings, slack: AsyncWebClient) -> Check:
    channel = settings.alert_channel
    if channel is None:
        return Check(
            "alert channel",
            True,
            "BBSLACK_ALERT_CHANNEL is not set: alerts go only to channels that run "
            "`/browserbase alerts subscribe`",
            note=True,
        )
    try:
        await probe_channel(slack, channel)
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error not in CHANNEL_ERRORS:
            return Check(
                "alert channel",
                True,
                f"{channel} could not be verified ({error}); alerts will show any "
                "problem in `/browserbase alerts`",
                note=True,
            )
        return Check(
            "alert channel",
            False,
            f"{channel} is not reachable ({error}): check BBSLACK_ALERT_CHANNEL, and "
            "for a private channel invite the bot with /invite @bbslack",
        )
    return Check("alert channel", True, f"{channel} accepts the bot's messages")


async def probe_channel(slack: AsyncWebClient, channel: str) -> None:
    """Prove the bot may post in ``channel`` without posting anything.

    Scheduling a message runs Slack's own checks (channel exists, not archived, the
    bot may write there) with only chat:write; the message is deleted before it
    would appear.
    """
    response = await slack.chat_scheduleMessage(
        channel=channel,
        post_at=int(time.time()) + PROBE_DELAY_SECONDS,
        text="bbslack check (deleted at once; never posted)",
    )
    await slack.chat_deleteScheduledMessage(
        channel=str(response.get("channel") or channel),
        scheduled_message_id=str(response.get("scheduled_message_id")),
    )
