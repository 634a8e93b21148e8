"""Terminating a keep-alive session from a button, safely.

The order matters: verify the button is ours, check the clicker may do it, claim the
session (so two clicks make one release), re-read it live, release it, read it back,
and audit every attempt whatever its outcome. Anything unexpected leaves the session
running and the message as it was.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.answers import watched_session
from bot.errors import BrowserbaseError, NotFound
from bot.models import Session
from bot.services import Services
from bot.views import admin, keepalive
from bot.views.common import error_view
from storage import audit, outbox
from storage import sessions as seen

logger = logging.getLogger(__name__)

ACTION = "terminate"
READ_BACK_ATTEMPTS = 3
READ_BACK_PAUSE = 0.5
# The clicker is waiting: past this, say what is known instead of retrying on.
RELEASE_BUDGET = 8.0

Message = dict[str, Any]


@dataclass(frozen=True)
class Click:
    user_id: str
    channel_id: str | None
    message_ts: str | None
    value: str


@dataclass(frozen=True)
class Outcome:
    result: str
    # Replaces the message the button sat on; None leaves it as it was.
    replacement: Message | None = None
    # Shown to the clicker alone.
    note: Message | None = None
    session_id: str | None = None


async def terminate(services: Services, click: Click) -> Outcome:
    session_id = services.signer.verify(click.value)
    if session_id is None:
        return _audit(
            services,
            click,
            click.value,
            Outcome(
                "rejected",
                note=error_view(
                    "This button was altered or was not made by this bot; "
                    "nothing was terminated."
                ),
            ),
            detail="button value failed its signature check",
        )
    if not await services.admins.allows(click.user_id):
        view = admin.permission_denied_view(admins=services.admins.ids)
        return _audit(services, click, session_id, Outcome("refused", note=view))

    now = services.clock()
    holder = audit.claim(services.db, session_id, click.user_id, now=now.timestamp())
    if holder is not None:
        return await _already_claimed(services, click, holder)
    try:
        outcome = await asyncio.wait_for(
            _release(services, click, session_id), RELEASE_BUDGET
        )
    except TimeoutError:
        # The release may or may not have reached Browserbase: say so, free the claim.
        reason = (
            f"Browserbase did not answer within {RELEASE_BUDGET:.0f} s, so the "
            "session may still be running. Check it with `/browserbase session "
            f"{session_id}` and try again."
        )
        outcome = _failed(services, click, session_id, reason)
    except BaseException:
        audit.finish_claim(services.db, session_id, released=False)
        raise
    audit.finish_claim(services.db, session_id, released=outcome.result == "released")
    return outcome


async def _release(services: Services, click: Click, session_id: str) -> Outcome:
    try:
        session = await watched_session(services, session_id)
    except NotFound as exc:
        return _audit(
            services,
            click,
            session_id,
            Outcome("rejected", note=error_view(str(exc))),
            detail=str(exc),
        )
    except BrowserbaseError as exc:
        return _failed(services, click, session_id, exc)
    if not session.is_live:
        default_timeout = await _default_timeout(services)
        view = keepalive.already_ended_message(
            session,
            now=services.clock(),
            default_timeout=default_timeout,
            terminated_by=None,
            terminated_at=None,
        )
        _close_warning(services, session, click, view)
        return _audit(services, click, session_id, Outcome("already ended", view))

    try:
        await services.browserbase.release_session(session_id)
        ended = await _read_back(services, session_id)
    except BrowserbaseError as exc:
        return _failed(services, click, session_id, exc)

    now = services.clock()
    start = session.started_at or session.created_at or now
    view = keepalive.terminated_message(
        ended,
        user_id=click.user_id,
        at=now,
        ran_for_seconds=(now - start).total_seconds(),
    )
    detail = (
        None if not ended.is_live else "released; Browserbase still reports it live"
    )
    _close_warning(services, ended, click, view)
    logger.info(
        "session terminated session=%s user=%s channel=%s",
        session_id,
        click.user_id,
        click.channel_id,
    )
    return _audit(services, click, session_id, Outcome("released", view), detail=detail)


async def _read_back(services: Services, session_id: str) -> Session:
    """The session after release; Browserbase may take a moment to end it."""
    session = await services.browserbase.get_session(session_id)
    for _ in range(READ_BACK_ATTEMPTS - 1):
        if not session.is_live:
            break
        await asyncio.sleep(READ_BACK_PAUSE)
        session = await services.browserbase.get_session(session_id)
    return session


async def _already_claimed(
    services: Services, click: Click, holder: audit.Claim
) -> Outcome:
    session_id = holder.session_id
    try:
        session = await watched_session(services, session_id)
    except BrowserbaseError as exc:
        return _failed(services, click, session_id, exc)
    at = datetime.fromtimestamp(holder.started_at, UTC)
    view = keepalive.already_ended_message(
        session,
        now=services.clock(),
        default_timeout=await _default_timeout(services),
        terminated_by=holder.user_id,
        terminated_at=at,
    )
    return _audit(
        services,
        click,
        session_id,
        Outcome("already ended", view),
        detail=f"already terminated by {holder.user_id}",
    )


def _failed(
    services: Services,
    click: Click,
    session_id: str,
    exc: BrowserbaseError | str,
) -> Outcome:
    view = admin.terminate_failed_view(session_id, str(exc))
    return _audit(services, click, session_id, Outcome("failed", note=view), str(exc))


def _close_warning(
    services: Services, session: Session, click: Click, view: Message
) -> None:
    """Edit the channel warnings about this session (all but the clicked message)."""
    db, stamp = services.db, services.clock().timestamp()
    with db.atomic():
        if not seen.close_warning(db, session.id, now=stamp):
            return
        for post in outbox.posts_for_session(db, session.id, "warning"):
            if post.channel == click.channel_id and post.ts == click.message_ts:
                continue
            outbox.add(
                db,
                kind="edit",
                op="update",
                channel=post.channel,
                message=view,
                session_id=session.id,
                target_id=post.id,
                now=stamp,
            )
    services.sender.wake()


def _audit(
    services: Services,
    click: Click,
    session_id: str,
    outcome: Outcome,
    detail: str | None = None,
) -> Outcome:
    audit.record(
        services.db,
        at=services.clock().timestamp(),
        user_id=click.user_id,
        session_id=session_id,
        channel_id=click.channel_id,
        action=ACTION,
        result=outcome.result,
        detail=detail,
    )
    logger.info(
        "terminate attempt session=%s user=%s result=%s",
        session_id[:80],
        click.user_id,
        outcome.result,
    )
    return Outcome(outcome.result, outcome.replacement, outcome.note, session_id)


async def _default_timeout(services: Services) -> int | None:
    try:
        return (await services.browserbase.get_project()).default_timeout
    except BrowserbaseError:
        return None
