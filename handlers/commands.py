"""`/browserbase`: ack at once, then answer through ``respond`` however slow the API."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot import commands
from bot.answers import answer
from bot.services import Services
from bot.views.common import error_view

logger = logging.getLogger(__name__)

CRASHED = "Something went wrong inside bbslack; the details are in its logs."


def register(app: AsyncApp, services: Services) -> None:
    async def on_command(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        started = time.monotonic()
        text = str(command.get("text") or "").strip()
        parsed = commands.parse(text)
        try:
            message = await answer(
                services,
                parsed,
                user_id=str(command.get("user_id", "")),
                channel_id=str(command.get("channel_id", "")),
                text=text,
            )
        except Exception:
            logger.exception("command crashed subcommand=%s", subcommand(parsed))
            message = error_view(CRASHED)
        await respond(**message, response_type=response_type(parsed))
        services.metrics.command_latency.labels(subcommand=subcommand(parsed)).observe(
            time.monotonic() - started
        )

    app.command(commands.COMMAND)(on_command)


def response_type(parsed: commands.Command) -> str:
    """Answers are private unless asked otherwise; a change to a channel's alerts
    (subscribe, mute...) is said in the channel, so nobody wonders where alerts went.
    """
    if isinstance(parsed, commands.Alerts) and parsed.action != "list":
        return "in_channel"
    return "in_channel" if getattr(parsed, "public", False) else "ephemeral"


def subcommand(parsed: commands.Command) -> str:
    """A metric label: the subcommand's name, from a fixed set."""
    return type(parsed).__name__.lower()
