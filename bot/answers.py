"""Answers to `/browserbase` subcommands: fetch what is needed, build the view.

Every function returns a Slack message dict. Browserbase failures become a short
message saying what failed; they never escape as exceptions to the listener.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from bot import __version__, commands, export
from bot.browserbase.failures import timed_out
from bot.check import CHANNEL_ERRORS, probe_channel
from bot.commands import COMMAND
from bot.errors import BrowserbaseError, NotFound
from bot.logsummary import LogSummary, summarize
from bot.models import RUNNING, Project, Replays, Session
from bot.poller import end_mute
from bot.routing import ALL
from bot.services import Services
from bot.views import admin, help, keepalive, sessions, usage
from bot.views.common import context, envelope, error_view, section
from bot.views.digest import digest_off_view, digest_set_view
from bot.views.text import code, escape
from storage import audit, digests, outbox, subscriptions
from storage import sessions as seen

logger = logging.getLogger(__name__)

Message = dict[str, Any]
DETAIL_FETCH_TIMEOUT = 5.0
# A person is waiting: past this, say Browserbase is slow instead of retrying on.
ANSWER_BUDGET = 10.0
# Files take longer (a large list, then an upload), and were asked for on purpose.
FILE_BUDGET = 30.0
# Rows in one CSV export, newest first: more is an archive, not an answer.
EXPORT_ROWS = 10_000


async def answer(
    services: Services,
    command: commands.Command,
    *,
    user_id: str,
    channel_id: str,
    text: str,
) -> Message:
    """The message that answers ``command``; never raises for Browserbase failures."""
    wants_file = getattr(command, "export", False) or getattr(command, "logs", False)
    budget = FILE_BUDGET if wants_file else ANSWER_BUDGET
    try:
        return await asyncio.wait_for(
            _answer(services, command, user_id, channel_id, text), budget
        )
    except TimeoutError:
        slow = timed_out(budget)
        logger.warning("command failed text=%r reason=%s", text[:100], slow)
        return error_view(str(slow))
    except BrowserbaseError as exc:
        logger.warning("command failed text=%r reason=%s", text[:100], exc)
        return error_view(str(exc))


async def _answer(
    services: Services,
    command: commands.Command,
    user_id: str,
    channel_id: str,
    text: str,
) -> Message:
    now = services.clock()
    match command:
        case commands.Help(unknown=unknown, suggestion=suggestion):
            return help.help_view(unknown=unknown, suggestion=suggestion)
        case commands.Invalid(message=message, example=example):
            return error_view(message, example)
        case commands.Sessions():
            found = await services.browserbase.list_sessions(
                command.status, command.metadata or None
            )
            if command.export:
                rows = sessions.newest_first(found)[:EXPORT_ROWS]
                count = f"{len(rows)}" + (
                    f" of {len(found)}" if len(found) > len(rows) else ""
                )
                return await _upload(
                    services,
                    channel_id,
                    filename=f"browserbase-sessions-{now:%Y%m%d-%H%M}.csv",
                    content=export.sessions_csv(rows, now=now),
                    comment=f"{count} Browserbase sessions (newest first) for "
                    f"{code(f'{COMMAND} {text}')}, requested by "
                    f"{admin.user_mention(user_id)}",
                    done=f"Uploaded {count} sessions as CSV to this channel.",
                )
            return sessions.sessions_list_view(
                found,
                now=now,
                status=command.status,
                metadata=command.metadata,
                command_text=text,
                public=command.public,
            )
        case commands.SessionDetail(logs=True):
            session = await watched_session(services, command.session_id)
            logs = await services.browserbase.session_logs(
                session.id, timeout=DETAIL_FETCH_TIMEOUT
            )
            return await _upload(
                services,
                channel_id,
                filename=f"browserbase-session-{session.id}-logs.txt",
                content=export.logs_text(session.id, logs),
                comment=f"CDP logs of session {code(session.id)} "
                f"({len(logs)} entries), requested by {admin.user_mention(user_id)}",
                done=f"Uploaded {len(logs)} log entries to this channel.",
            )
        case commands.SessionDetail():
            return await session_detail(
                services, command.session_id, text=text, public=command.public
            )
        case commands.Usage():
            found_usage, project, running = await asyncio.gather(
                services.browserbase.project_usage(),
                services.browserbase.get_project(),
                services.browserbase.list_sessions(RUNNING),
            )
            return usage.usage_view(
                found_usage,
                project,
                running=running,
                now=now,
                command_text=text,
                public=command.public,
            )
        case commands.ProjectInfo():
            project = await services.browserbase.get_project()
            return usage.project_view(project, command_text=text, public=command.public)
        case commands.Status():
            return admin.status_view(bot_status(services), now=now)
        case commands.Alerts():
            return await _alerts(services, command, user_id, channel_id)
        case commands.KeepAlive():
            running = await services.browserbase.list_sessions(RUNNING)
            return keepalive.keepalive_list_view(
                [s for s in running if s.keep_alive],
                now=now,
                sign=services.signer.sign,
                command_text=text,
                public=command.public,
            )
        case commands.Terminate():
            session = await watched_session(services, command.session_id)
            default_timeout = await _default_timeout(services)
            return keepalive.terminate_card(
                session,
                now=now,
                sign=services.signer.sign,
                default_timeout=default_timeout,
            )
        case commands.Audit():
            if not await services.admins.allows(user_id):
                return admin.permission_denied_view(
                    admins=services.admins.ids, action="see the audit log"
                )
            return admin.audit_view(
                [_audit_entry(e) for e in audit.latest(services.db, command.limit)],
                now=now,
            )
    raise AssertionError(f"unhandled command {command!r}")


async def _upload(
    services: Services,
    channel_id: str,
    *,
    filename: str,
    content: str,
    comment: str,
    done: str,
) -> Message:
    """Put a file in the channel the command came from; say what happened."""
    try:
        await services.slack.files_upload_v2(
            channel=channel_id,
            filename=filename,
            title=filename,
            content=content,
            initial_comment=comment,
        )
    except SlackApiError as exc:
        error = exc.response.get("error") or f"HTTP {exc.response.status_code}"
        logger.warning("upload failed channel=%s error=%s", channel_id, error)
        return error_view(
            f"I could not upload the file here ({error}). In a private channel, "
            "invite me first with /invite @bbslack."
        )
    logger.info("file uploaded channel=%s name=%s", channel_id, filename)
    return envelope(done, [section(f":page_facing_up: {done}")])


async def watched_session(services: Services, session_id: str) -> Session:
    """The session, read live, only if it belongs to the project the bot watches."""
    session = await services.browserbase.get_session(session_id)
    if session.project_id and session.project_id != services.browserbase.project_id:
        # Another project's session is none of this workspace's business.
        raise NotFound(
            f"Session {session_id} was not found in Browserbase project "
            f"{services.browserbase.project_id}."
        )
    return session


async def session_detail(
    services: Services, session_id: str, *, text: str, public: bool
) -> Message:
    session = await watched_session(services, session_id)
    summary, replays, default_timeout = await asyncio.gather(
        _summary(services, session_id),
        _replays(services, session_id),
        _default_timeout(services),
    )
    return sessions.session_detail_view(
        session,
        now=services.clock(),
        default_timeout=default_timeout,
        summary=summary,
        replays=replays,
        command_text=text,
        public=public,
    )


async def _summary(services: Services, session_id: str) -> LogSummary | None:
    try:
        logs = await services.browserbase.session_logs(
            session_id, timeout=DETAIL_FETCH_TIMEOUT
        )
    except BrowserbaseError as exc:
        logger.warning("session logs unavailable session=%s reason=%s", session_id, exc)
        return None
    return summarize(logs)


async def _replays(services: Services, session_id: str) -> Replays | None:
    try:
        return await services.browserbase.session_replays(session_id)
    except BrowserbaseError:
        return None


async def _default_timeout(services: Services) -> int | None:
    try:
        project: Project = await services.browserbase.get_project()
    except BrowserbaseError:
        return None
    return project.default_timeout


async def _alerts(
    services: Services, command: commands.Alerts, user_id: str, channel_id: str
) -> Message:
    db, now = services.db, services.clock()
    stamp = now.timestamp()
    if command.action == "subscribe":
        wanted = command.kinds
        kinds = (
            [ALL] if not wanted or wanted == commands.ALERT_KINDS else sorted(wanted)
        )
        created = False
        for kind in kinds:
            created |= subscriptions.subscribe(
                db, channel_id, kind, command.metadata, user_id=user_id, now=stamp
            )
        message = admin.subscribed_view(
            channel_id=channel_id,
            kinds=", ".join(kinds),
            metadata=command.metadata,
            created=created,
        )
        return await _with_reachability(services, channel_id, message)
    if command.action == "unsubscribe":
        removed = subscriptions.unsubscribe(db, channel_id)
        return admin.unsubscribed_view(channel_id=channel_id, removed=removed)
    if command.action == "mute":
        seconds = command.duration_seconds or commands.MUTE_DEFAULT
        mute_channel(services, channel_id, seconds=seconds, user_id=user_id)
        return admin.muted_view(
            datetime.fromtimestamp(stamp + seconds, UTC), by=user_id
        )
    if command.action == "unmute":
        unmute_channel(services, channel_id)
        return admin.unmuted_view(by=user_id)
    if command.action == "digest":
        if command.digest_at is None:
            removed = digests.cancel(db, channel_id)
            return digest_off_view(channel_id=channel_id, removed=removed)
        digests.schedule(db, channel_id, command.digest_at, user_id=user_id, now=stamp)
        message = digest_set_view(
            channel_id=channel_id, at_minute=command.digest_at, by=user_id
        )
        return await _with_reachability(services, channel_id, message)
    message = admin.alerts_state_view(channel_state(services, channel_id), now=now)
    digest = digests.get(db, channel_id)
    if digest is not None:
        hours, minutes = divmod(digest.at_minute, 60)
        note = f":newspaper: Daily digest at {hours:02d}:{minutes:02d} UTC."
        message = {**message, "blocks": [*message["blocks"], context(note)]}
    return message


async def _with_reachability(
    services: Services, channel_id: str, message: Message
) -> Message:
    """Warn at once when alerts could not be posted in this channel."""
    try:
        await probe_channel(services.slack, channel_id)
    except SlackApiError as exc:
        error = exc.response.get("error")
    except (aiohttp.ClientError, OSError, TimeoutError):
        error = None
    else:
        return message
    if error not in CHANNEL_ERRORS:
        return message  # could not tell; delivery will report real trouble
    warning = (
        f":warning: I cannot post in this channel yet ({escape(str(error))}): alerts "
        "would fail. For a private channel, invite me with `/invite @bbslack`."
    )
    return {**message, "blocks": [*message["blocks"], context(warning)]}


def mute_channel(
    services: Services, channel_id: str, *, seconds: float, user_id: str
) -> None:
    stamp = services.clock().timestamp()
    subscriptions.mute(
        services.db, channel_id, until=stamp + seconds, user_id=user_id, now=stamp
    )


def unmute_channel(services: Services, channel_id: str) -> None:
    """Lift a mute now; what it held back is summarized in one message."""
    mute = subscriptions.get_mute(services.db, channel_id)
    if mute is None:
        return
    with services.db.atomic():
        end_mute(services.db, mute, now=services.clock())
    services.sender.wake()


def channel_state(services: Services, channel_id: str) -> admin.ChannelAlertState:
    db = services.db
    mute = subscriptions.get_mute(db, channel_id)
    counts = outbox.counts(db, channel_id)
    last = outbox.last_sent_at(db, channel_id)
    subs = subscriptions.for_channel(db, channel_id)
    return admin.ChannelAlertState(
        channel_id=channel_id,
        subscriptions=[
            admin.Subscription(s.channel, s.kinds, s.metadata, s.created_by)
            for s in subs
        ],
        muted_until=datetime.fromtimestamp(mute.until, UTC) if mute else None,
        is_default_channel=channel_id == services.settings.alert_channel
        and not subscriptions.all_subscriptions(db),
        pending=counts.get(outbox.PENDING, 0),
        failed=counts.get(outbox.FAILED, 0),
        last_failure=outbox.last_failure(db, channel_id),
        last_posted_at=datetime.fromtimestamp(last, UTC) if last else None,
    )


def bot_status(services: Services) -> admin.BotStatus:
    health = services.poller.health
    counts = outbox.counts(services.db)
    now = services.clock().timestamp()
    return admin.BotStatus(
        version=__version__,
        last_poll_at=health.last_poll_at,
        last_poll_ok=health.last_ok,
        last_poll_error=health.last_error,
        outage_since=health.outage_since,
        sessions_tracked=seen.count_seen(services.db),
        alerts_pending=counts.get(outbox.PENDING, 0),
        alerts_failed=counts.get(outbox.FAILED, 0),
        mutes={
            m.channel: datetime.fromtimestamp(m.until, UTC)
            for m in subscriptions.all_mutes(services.db)
            if m.until > now
        },
        poll_interval=services.settings.poll_interval,
    )


def _audit_entry(entry: audit.Entry) -> admin.AuditEntry:
    return admin.AuditEntry(
        at=datetime.fromtimestamp(entry.at, UTC),
        user_id=entry.user_id,
        session_id=entry.session_id,
        channel_id=entry.channel_id,
        action=entry.action,
        result=entry.result,
        detail=entry.detail,
    )
