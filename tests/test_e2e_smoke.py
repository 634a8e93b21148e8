"""The real bot, end to end: a signed command in, an answer at the response_url."""

from __future__ import annotations

import pytest

from tests.conftest import Emulator, StartBot

pytestmark = pytest.mark.e2e


async def test_sessions_command_answers_with_the_emulators_sessions(
    emulator: Emulator, slack, start_bot: StartBot, sender_for
) -> None:
    """`/browserbase sessions` lists what Browserbase holds, ephemeral by default."""
    created = await emulator.session(status="RUNNING", userMetadata={"job": "nightly"})
    bot = await start_bot()
    sender = sender_for(bot)

    response = await sender.command("sessions")

    assert 200 == response.status_code
    [answer] = await slack.wait_for_response(sender.last_response_url)
    assert "ephemeral" == answer.response_type
    assert created["id"][:8] in str(answer.blocks)
