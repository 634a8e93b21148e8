"""The App Home tab end to end: published on open, and Terminate works from it."""

from __future__ import annotations

import json

import pytest

from bot.views.actions import TERMINATE
from tests.conftest import Emulator, StartBot
from tests.fakes.signing import app_home_opened, click
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_ids import ALICE, APP_ID, BOB, TEAM_ID

pytestmark = pytest.mark.e2e


def home_click(action: dict, user_id: str) -> dict:
    """A block_actions payload for a click on the Home tab, as Slack sends it."""
    return {
        "type": "block_actions",
        "user": {"id": user_id, "username": "u", "name": "u", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": "1.2.3",
        "team": {"id": TEAM_ID, "domain": "acme"},
        "view": {"id": "V0HOME", "type": "home"},
        "actions": [action],
    }


async def test_home_tab_shows_keepalive_and_an_admin_can_terminate_there(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for
) -> None:
    """Opening Home publishes it; a Terminate click there releases and republishes."""
    session = await emulator.session(
        status="RUNNING", keepAlive=True, startedAgo=1800, timeout=21600
    )
    bot = await start_bot(BBSLACK_ADMINS=ALICE)
    sender = sender_for(bot)

    await sender.event(app_home_opened(ALICE))
    [published] = await slack.wait_for("views.publish")
    view = published.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    action = click(view, TERMINATE)
    await sender.action(home_click(action, ALICE))
    await slack.wait_for("views.publish", count=2)

    assert 1 == await emulator.releases(session["id"])
    republished = slack.calls_to("views.publish")[-1].args["view"]
    assert "terminated" in json.dumps(republished).lower()


async def test_home_tab_hides_terminate_from_non_admins(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for
) -> None:
    """A user who may not terminate sees the sessions but no Terminate button."""
    await emulator.session(
        status="RUNNING", keepAlive=True, startedAgo=1800, timeout=21600
    )
    bot = await start_bot(BBSLACK_ADMINS=ALICE)

    await sender_for(bot).event(app_home_opened(BOB))
    [published] = await slack.wait_for("views.publish")

    assert TERMINATE not in json.dumps(published.args["view"])
