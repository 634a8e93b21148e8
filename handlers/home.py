"""The App Home tab: the bot's health, keep-alive sessions and the latest alerts."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.answers import bot_status
from bot.errors import BrowserbaseError
from bot.models import RUNNING, Session
from bot.services import Services
from bot.views.home import home_view
from storage import outbox

logger = logging.getLogger(__name__)

RECENT_ALERTS = 5
HOME_BLOCKS = 100


def register(app: AsyncApp, services: Services) -> None:
    async def on_home_opened(event: dict[str, Any]) -> None:
        user_id = str(event.get("user") or "")
        if event.get("tab", "home") != "home" or not user_id:
            return
        await publish_home(services, user_id)

    app.event("app_home_opened")(on_home_opened)


async def publish_home(
    services: Services, user_id: str, *, notice: dict[str, Any] | None = None
) -> None:
    """Publish a user's Home tab; ``notice`` (a message) goes on top of it."""
    keepalive, recent = await asyncio.gather(
        _keepalive(services), _recent_alerts(services)
    )
    view = home_view(
        status=bot_status(services),
        keepalive=keepalive,
        recent_alerts=recent,
        now=services.clock(),
        sign=services.signer.sign,
        is_admin=await services.admins.allows(user_id),
    )
    if notice is not None:
        # The Home tab has no response_url: what a click did is said on the tab.
        blocks = [*notice.get("blocks", []), {"type": "divider"}, *view["blocks"]]
        view["blocks"] = blocks[:HOME_BLOCKS]
    await services.slack.views_publish(user_id=user_id, view=view)


async def _keepalive(services: Services) -> list[Session]:
    try:
        running = await services.browserbase.list_sessions(RUNNING)
    except BrowserbaseError as exc:
        logger.warning("home tab without keep-alive sessions reason=%s", exc)
        return []
    return [session for session in running if session.keep_alive]


async def _recent_alerts(services: Services) -> list[Session]:
    items = outbox.recent(services.db, ("alert", "thread"), RECENT_ALERTS * 3)
    ids = list(dict.fromkeys(i.session_id for i in items if i.session_id))
    found = await asyncio.gather(
        *(services.browserbase.get_session(sid) for sid in ids[:RECENT_ALERTS]),
        return_exceptions=True,
    )
    return [session for session in found if isinstance(session, Session)]
