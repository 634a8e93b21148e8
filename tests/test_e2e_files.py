"""Files end to end: `sessions ... csv` and `session ID logs` upload to the channel."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import Emulator, StartBot
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_ids import ALERTS

pytestmark = pytest.mark.e2e


async def test_sessions_csv_uploads_every_match_to_the_channel(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for
) -> None:
    """Sixty failures, more than a message holds, all arrive in one CSV file."""
    await emulator.bulk(60, "ERROR", endedAgo=0, userMetadata={"job": "crawl"})
    await emulator.session(status="COMPLETED")
    sender = sender_for(await start_bot())

    await sender.command("sessions error csv", channel_id=ALERTS)
    [answer] = await slack.wait_for_response(sender.last_response_url, timeout=20)

    [upload] = slack.uploads(ALERTS)
    rows = list(csv.DictReader(io.StringIO((upload.content or b"").decode())))
    assert 60 == len(rows)
    assert {"ERROR"} == {row["status"] for row in rows}
    assert upload.filename.endswith(".csv")
    assert "Uploaded 60 sessions" in (answer.text or "")


async def test_session_logs_upload_the_whole_log(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for
) -> None:
    """`session ID logs` puts every CDP entry in a text file in the channel."""
    failed = await emulator.session(status="ERROR", logs="failures")
    sender = sender_for(await start_bot())

    await sender.command(f"session {failed['id']} logs", channel_id=ALERTS)
    [answer] = await slack.wait_for_response(sender.last_response_url, timeout=20)

    [upload] = slack.uploads(ALERTS)
    text = (upload.content or b"").decode()
    assert failed["id"] in text.splitlines()[0]
    assert "ERR_NAME_NOT_RESOLVED" in text
    assert "Uploaded" in (answer.text or "")


async def test_an_upload_slack_refuses_is_explained(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for
) -> None:
    """A private channel the bot is not in gets the reason and the fix, no file."""
    slack.add_channel("G0SECRET", "secret", is_private=True, is_member=False)
    await emulator.session(status="ERROR")
    sender = sender_for(await start_bot())

    await sender.command("sessions csv", channel_id="G0SECRET")
    [answer] = await slack.wait_for_response(sender.last_response_url, timeout=20)

    assert [] == slack.uploads()
    assert "/invite @bbslack" in json.dumps(answer.blocks)
