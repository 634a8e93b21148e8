"""`bbslack check`, in process, for the cases a subprocess test would make slow."""

from __future__ import annotations

import io
from pathlib import Path

from bot.check import run_checks
from bot.emulator import EmulatorServer
from bot.settings import Settings
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_ids import ALERTS


def settings_for(slack: FakeSlack, server: EmulatorServer, db: Path) -> Settings:
    return Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": "secret",
            "SLACK_API_URL": slack.api_url,
            "BROWSERBASE_API_KEY": server.api_key,
            "BROWSERBASE_PROJECT_ID": server.project_id,
            "BROWSERBASE_BASE_URL": server.url,
            "BBSLACK_DB": str(db),
            "BBSLACK_ALERT_CHANNEL": ALERTS,
            "BBSLACK_ADMINS": "S0ADMINS",
        }
    )


async def test_a_channel_that_cannot_be_probed_is_a_note_not_a_failure(
    tmp_path: Path,
) -> None:
    """A Slack that does not know chat.scheduleMessage leaves the channel unverified."""
    async with FakeSlack() as slack, EmulatorServer() as server:
        slack.error("chat.scheduleMessage", "unknown_method")
        out = io.StringIO()

        code = await run_checks(settings_for(slack, server, tmp_path / "a.db"), out=out)

    assert 0 == code
    assert f"! alert channel: {ALERTS} could not be verified" in out.getvalue()


async def test_missing_scopes_fail_with_the_way_to_add_them(tmp_path: Path) -> None:
    """Without usergroups:read, an admin group cannot be resolved: check says so."""
    scopes = ["commands", "chat:write", "chat:write.public"]
    async with FakeSlack(scopes=scopes) as slack, EmulatorServer() as server:
        out = io.StringIO()

        code = await run_checks(settings_for(slack, server, tmp_path / "b.db"), out=out)

    assert 1 == code
    assert "✗ slack scopes: missing usergroups:read" in out.getvalue()
    assert "reinstall the app" in out.getvalue()
