"""Alerts end to end: detected by the real poller, delivered to the Slack stand-in."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.views.actions import DETAILS, MUTE
from tests.conftest import Emulator, StartBot
from tests.fakes.signing import block_actions_payload, click
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_ids import ALERTS, GENERAL
from tests.harness import eventually

pytestmark = pytest.mark.e2e


def texts(slack: FakeSlack, channel: str) -> list[str]:
    return [str(m.get("text", "")) for m in slack.messages(channel)]


async def polls(bot, count: int) -> None:
    """Wait until the bot has finished ``count`` more polls."""
    start = len(bot.lines)
    for _ in range(count):
        line = await bot.wait_for_log(lambda text: "poll finished" in text, start=start)
        start = bot.lines.index(line, start) + 1


async def test_error_and_timeout_alerts_arrive_once_and_history_is_not_replayed(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot
) -> None:
    """Sessions that ended before the first start stay quiet; new endings alert once."""
    old = await emulator.session(status="ERROR", endedAgo=600)
    bot = await start_bot(BBSLACK_ALERT_CHANNEL=ALERTS)
    await polls(bot, 1)

    errored = await emulator.session(
        status="ERROR",
        startedAgo=42,
        endedAgo=0,
        userMetadata={"job": "checkout"},
        logs="failures",
    )
    timed_out = await emulator.session(status="TIMED_OUT", timeout=300)
    await slack.wait_for("chat.postMessage", count=2)
    await polls(bot, 3)

    posted = texts(slack, ALERTS)
    assert 2 == len(posted)
    assert not any(old["id"][:8] in text for text in posted)
    error_alert = next(t for t in posted if errored["id"][:8] in t)
    timeout_alert = next(t for t in posted if timed_out["id"][:8] in t)
    assert "ended in an error after 42 s" in error_alert
    assert "timed out after 5 min" in timeout_alert
    blocks = json.dumps(slack.messages(ALERTS)[0]["blocks"])
    assert "bb_mute" in blocks and "bb_details" in blocks


async def test_subscriptions_route_by_kind_and_metadata(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for
) -> None:
    """A channel subscribed to `errors team=checkout` gets only those alerts."""
    bot = await start_bot(BBSLACK_ALERT_CHANNEL=ALERTS)
    sender = sender_for(bot)
    await sender.command("alerts subscribe errors team=checkout", channel_id=GENERAL)
    await slack.wait_for_response(sender.last_response_url)
    await polls(bot, 1)

    wanted = await emulator.session(status="ERROR", userMetadata={"team": "checkout"})
    await emulator.session(status="ERROR", userMetadata={"team": "search"})
    await emulator.session(status="TIMED_OUT", userMetadata={"team": "checkout"})
    await slack.wait_for("chat.postMessage")
    await polls(bot, 2)

    posted = texts(slack, GENERAL)
    assert 1 == len(posted)
    assert wanted["id"][:8] in posted[0]
    # Once a channel subscribed, the default channel no longer stands in.
    assert [] == texts(slack, ALERTS)


async def test_a_storm_becomes_one_summary_with_details_in_its_thread(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot
) -> None:
    """Forty errors in one poll make one channel message, not forty."""
    bot = await start_bot(BBSLACK_ALERT_CHANNEL=ALERTS, BBSLACK_POLL_INTERVAL="3")
    await polls(bot, 1)

    await emulator.bulk(40, "ERROR", endedAgo=0, userMetadata={"job": "crawl"})
    await slack.wait_for("chat.postMessage")
    await polls(bot, 1)
    await slack.wait_for(
        lambda call: call.method == "chat.postMessage" and call.args.get("thread_ts"),
        count=11,
        timeout=30,
    )

    top = slack.messages(ALERTS)
    assert 1 == len(top)
    assert "40" in top[0]["text"]
    replies = slack.thread(ALERTS, top[0]["ts"])
    assert 11 == len(replies)  # ten details and one "and 30 more"
    assert "30 more" in replies[-1]["text"]


async def test_mute_holds_alerts_and_unmute_posts_one_summary(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for
) -> None:
    """A muted channel records alerts; when the mute ends it gets one summary."""
    bot = await start_bot(BBSLACK_ALERT_CHANNEL=ALERTS)
    sender = sender_for(bot)
    await polls(bot, 1)
    await sender.command("alerts mute 2h", channel_id=ALERTS)
    [muted] = await slack.wait_for_response(sender.last_response_url)
    # The whole channel learns where its alerts went.
    assert "in_channel" == muted.response_type

    for _ in range(3):
        await emulator.session(status="ERROR")
    await polls(bot, 2)
    assert [] == texts(slack, ALERTS)

    await sender.command("alerts unmute", channel_id=ALERTS)
    await slack.wait_for("chat.postMessage")
    await polls(bot, 1)

    posted = texts(slack, ALERTS)
    assert 1 == len(posted)
    assert "3" in posted[0]


async def test_delivery_waits_out_429_and_a_slack_outage(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, http: httpx.AsyncClient
) -> None:
    """Rate limits and 5xx delay alerts; none is lost or doubled."""
    bot = await start_bot(BBSLACK_ALERT_CHANNEL=ALERTS)
    await polls(bot, 1)
    slack.fail("chat.postMessage", status=429, retry_after=1, times=1)
    slack.set_down(True)

    first = await emulator.session(status="ERROR")
    await slack.wait_for(lambda call: call.method == "chat.postMessage", count=1)
    await polls(bot, 2)
    health = (await http.get(f"{bot.url}/healthz")).json()
    assert 1 == health["pending_deliveries"]

    slack.set_down(False)
    second = await emulator.session(status="TIMED_OUT")
    await slack.wait_for(
        lambda call: call.method == "chat.postMessage" and call.ok, count=2, timeout=30
    )
    await polls(bot, 1)

    posted = texts(slack, ALERTS)
    assert 2 == len(posted)
    assert any(first["id"][:8] in text for text in posted)
    assert any(second["id"][:8] in text for text in posted)


async def test_a_channel_slack_refuses_marks_the_alert_failed_and_says_so(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for, http
) -> None:
    """channel_not_found is not retried forever: the alert fails and shows."""
    bot = await start_bot(BBSLACK_ALERT_CHANNEL=ALERTS)
    sender = sender_for(bot)
    await polls(bot, 1)
    slack.error("chat.postMessage", "channel_not_found", channel=ALERTS)

    await emulator.session(status="ERROR")
    await slack.wait_for("chat.postMessage")
    await polls(bot, 1)
    await sender.command("alerts", channel_id=ALERTS)
    [answer] = await slack.wait_for_response(sender.last_response_url)

    assert "channel_not_found" in json.dumps(answer.blocks)
    health = (await http.get(f"{bot.url}/healthz")).json()
    assert 1 == health["failed_deliveries"]


async def test_browserbase_outage_degrades_health_and_loses_no_alert(
    emulator: Emulator,
    slack: FakeSlack,
    start_bot: StartBot,
    http: httpx.AsyncClient,
    sender_for,
) -> None:
    """While Browserbase fails, /healthz is 503 with since-when; then it catches up."""
    bot = await start_bot(BBSLACK_ALERT_CHANNEL=ALERTS)
    await polls(bot, 1)
    await emulator.fault(status=503, path="/v1/")

    missed = await emulator.session(status="ERROR")
    await bot.wait_for_log(lambda line: "outage begins" in line, timeout=30)
    health = await http.get(f"{bot.url}/healthz")
    assert 503 == health.status_code
    assert health.json()["browserbase_outage_since"]
    sender = sender_for(bot)
    await sender.command("status")
    [status] = await slack.wait_for_response(sender.last_response_url)
    assert "unreachable since" in json.dumps(status.blocks)
    outage_lines = [line for line in bot.lines if "outage begins" in line]

    await emulator.clear_faults()
    await slack.wait_for("chat.postMessage", timeout=30)
    await bot.wait_for_log(lambda line: "poll recovered" in line)

    assert 1 == len(outage_lines)
    assert 1 == len([line for line in bot.lines if "outage begins" in line])
    assert missed["id"][:8] in texts(slack, ALERTS)[0]
    assert 200 == (await http.get(f"{bot.url}/healthz")).status_code


async def test_sigkill_mid_delivery_loses_nothing(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot
) -> None:
    """Killed while delivering, a restarted bot posts every alert, at most one twice."""
    bot = await start_bot(BBSLACK_ALERT_CHANNEL=ALERTS, BBSLACK_GROUP_THRESHOLD="50")
    await polls(bot, 1)
    created = [
        await emulator.session(status="ERROR", userMetadata={"n": str(n)})
        for n in range(8)
    ]
    # Delivery is paced at one message a second per channel: kill after the second.
    await slack.wait_for("chat.postMessage", count=2)
    await bot.kill()

    await start_bot(BBSLACK_ALERT_CHANNEL=ALERTS, BBSLACK_GROUP_THRESHOLD="50")

    def all_posted() -> bool:
        posted = texts(slack, ALERTS)
        return all(any(s["id"][:8] in text for text in posted) for s in created)

    await eventually(all_posted, timeout=40)

    posted = texts(slack, ALERTS)
    for session in created:
        assert 1 <= sum(session["id"][:8] in text for text in posted)
    assert len(posted) <= len(created) + 1


async def test_alert_buttons_mute_the_channel_and_show_details(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for
) -> None:
    """The alert's "Mute 1 hour" mutes its channel; "Details" shows the session."""
    bot = await start_bot(BBSLACK_ALERT_CHANNEL=ALERTS)
    sender = sender_for(bot)
    await polls(bot, 1)
    first = await emulator.session(status="ERROR", logs="failures")
    await slack.wait_for("chat.postMessage")
    [alert] = slack.messages(ALERTS)

    details_url = slack.response_url()
    await sender.action(
        block_actions_payload(
            click(alert, DETAILS), message=alert, response_url=details_url
        )
    )
    [details] = await slack.wait_for_response(details_url)
    mute_url = slack.response_url()
    await sender.action(
        block_actions_payload(click(alert, MUTE), message=alert, response_url=mute_url)
    )
    [muted] = await slack.wait_for_response(mute_url)
    await emulator.session(status="ERROR")
    await polls(bot, 3)

    assert "ephemeral" == details.response_type
    assert first["id"] in json.dumps(details.blocks)
    assert "in_channel" == muted.response_type
    assert "muted" in (muted.text or "").lower()
    assert 1 == len(slack.messages(ALERTS))


async def test_subscribing_where_the_bot_cannot_post_warns_at_once(
    slack: FakeSlack, start_bot: StartBot, sender_for
) -> None:
    """A private channel the bot is not in: the subscription says to invite it."""
    slack.add_channel("G0SECRET", "secret", is_private=True, is_member=False)
    bot = await start_bot()
    sender = sender_for(bot)

    await sender.command("alerts subscribe", channel_id="G0SECRET")
    [private] = await slack.wait_for_response(sender.last_response_url)
    await sender.command("alerts subscribe", channel_id=GENERAL)
    [public] = await slack.wait_for_response(sender.last_response_url)

    assert "/invite @bbslack" in json.dumps(private.blocks)
    assert "/invite @bbslack" not in json.dumps(public.blocks)


async def test_a_channel_sets_and_stops_its_daily_digest(
    slack: FakeSlack, start_bot: StartBot, sender_for
) -> None:
    """`alerts digest 09:00` is announced, listed in `alerts`, and `off` stops it."""
    bot = await start_bot()
    sender = sender_for(bot)

    await sender.command("alerts digest 09:00", channel_id=ALERTS)
    [set_up] = await slack.wait_for_response(sender.last_response_url)
    await sender.command("alerts", channel_id=ALERTS)
    [listed] = await slack.wait_for_response(sender.last_response_url)
    await sender.command("alerts digest off", channel_id=ALERTS)
    [stopped] = await slack.wait_for_response(sender.last_response_url)

    assert "in_channel" == set_up.response_type
    assert "09:00 UTC" in json.dumps(set_up.blocks)
    assert "Daily digest at 09:00 UTC" in json.dumps(listed.blocks)
    assert "No more daily digest" in json.dumps(stopped.blocks)
