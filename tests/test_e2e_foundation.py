"""The contract from outside: configuration, signatures, health, shutdown, modes."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.services import build_slack_client
from bot.settings import Settings
from tests.conftest import Emulator, MakeEnv, StartBot
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_ids import ALERTS, APP_TOKEN
from tests.harness import BotProcess

pytestmark = pytest.mark.e2e


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_run_with_bad_settings_names_each_variable_and_exits_2(tmp_path: Path) -> None:
    """A wrong configuration stops the bot before it connects, one line per problem."""
    secret = "sk-live-very-secret-value"
    env = {
        "PATH": "/usr/bin:/bin",
        "SLACK_BOT_TOKEN": secret,
        "BBSLACK_POLL_INTERVAL": "soon",
        "BBSLACK_ADMINS": "alice",
    }

    result = run_cli("run", env=env)

    assert 2 == result.returncode
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "BROWSERBASE_API_KEY",
        "BROWSERBASE_PROJECT_ID",
        "BBSLACK_POLL_INTERVAL",
        "BBSLACK_ADMINS",
    ):
        assert name in result.stderr
    assert "OAuth & Permissions" in result.stderr
    assert secret not in result.stderr + result.stdout


def test_help_lists_every_command_with_its_own_help() -> None:
    """`bbslack --help` names run, check, poll, manifest and emulator; each has help."""
    env = {"PATH": "/usr/bin:/bin"}
    top = run_cli("--help", env=env)
    for command in ("run", "check", "poll", "manifest", "emulator"):
        assert command in top.stdout
        assert 0 == run_cli(command, "--help", env=env).returncode


def test_manifest_is_socket_mode_unless_a_url_is_given() -> None:
    """The manifest pastes into Slack as is, in either mode."""
    env = {"PATH": "/usr/bin:/bin"}
    socket = json.loads(run_cli("manifest", env=env).stdout)
    http = json.loads(
        run_cli("manifest", "--http-url", "https://bot.example.com", env=env).stdout
    )

    assert socket["settings"]["socket_mode_enabled"] is True
    assert http["settings"]["socket_mode_enabled"] is False
    assert (
        "https://bot.example.com/slack/events"
        == (http["settings"]["interactivity"]["request_url"])
    )
    assert "/browserbase" == http["features"]["slash_commands"][0]["command"]


async def test_events_with_a_bad_or_stale_signature_get_401_and_do_nothing(
    slack: FakeSlack, start_bot: StartBot, sender_for
) -> None:
    """Tampered bodies and timestamps more than 5 minutes off are refused."""
    bot = await start_bot()
    sender = sender_for(bot)

    tampered = await sender.command("help", tamper=True)
    stale = await sender.command("help", timestamp_offset=-400)
    good = await sender.command("help")

    assert 401 == tampered.status_code
    assert 401 == stale.status_code
    assert 200 == good.status_code
    await slack.wait_for_response(sender.last_response_url)
    # Only the good request was answered.
    assert 1 == len(slack.responses())


async def test_healthz_and_metrics_report_the_poller(
    start_bot: StartBot, http: httpx.AsyncClient
) -> None:
    """/healthz says ok with the version and last poll; /metrics counts polls."""
    bot = await start_bot()
    await bot.wait_for_log(lambda line: "poll finished" in line)

    health = await http.get(f"{bot.url}/healthz")
    metrics = await http.get(f"{bot.url}/metrics")

    assert 200 == health.status_code
    body = health.json()
    assert "ok" == body["status"]
    assert "ok" == body["last_poll_result"]
    assert body["last_poll_at"]
    assert "version" in body
    assert 0 == body["pending_deliveries"]
    assert 'bbslack_polls_total{result="ok"}' in metrics.text
    assert "bbslack_deliveries_pending" in metrics.text
    assert 'bbslack_browserbase_requests_total{method="GET",status="200"}' in (
        metrics.text
    )


async def test_sigterm_stops_the_bot_cleanly_within_5_seconds(
    start_bot: StartBot,
) -> None:
    """SIGTERM ends the process with exit 0, closing what it opened."""
    bot = await start_bot()
    started = time.monotonic()

    code = await bot.stop()

    assert 0 == code
    assert time.monotonic() - started < 5
    assert any("bbslack stopped" in line for line in bot.lines)
    assert "Traceback" not in bot.log()


async def test_socket_mode_answers_a_slash_command(
    slack: FakeSlack, make_env: MakeEnv
) -> None:
    """With SLACK_APP_TOKEN the bot connects over Socket Mode and answers there."""
    env = make_env("socket.db", SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="")
    bot = await BotProcess(env).start()
    try:
        await slack.socket_connected()
        url = slack.response_url()
        ack = await slack.socket_send(
            "slash_commands",
            {
                "command": "/browserbase",
                "text": "help",
                "user_id": "U0ALICE",
                "channel_id": ALERTS,
                "team_id": "T1",
                "response_url": url,
                "trigger_id": "1.2.3",
            },
        )
        [answer] = await slack.wait_for_response(url)
        async with httpx.AsyncClient() as http:
            health = await http.get(f"{bot.url}/healthz")
    finally:
        await bot.stop()

    assert "socket" == bot.mode
    # /healthz answers in Socket Mode too (the Docker health check relies on it).
    assert "socket" == health.json()["mode"]
    assert "envelope_id" in ack
    assert "/browserbase sessions" in json.dumps(answer.blocks)


async def test_check_passes_against_the_stand_ins_and_fails_with_the_fix(
    slack: FakeSlack, make_env: MakeEnv
) -> None:
    """`bbslack check` prints ✓ lines and exits 0; a wrong project id gets ✗ and 1."""
    env = make_env("check.db", BBSLACK_ALERT_CHANNEL=ALERTS)
    good = await asyncio.to_thread(run_cli, "check", env=env)
    bad = await asyncio.to_thread(
        run_cli,
        "check",
        env={**env, "BROWSERBASE_PROJECT_ID": "proj_nope", "SLACK_BOT_TOKEN": "xoxb-x"},
    )
    archived = await asyncio.to_thread(
        run_cli, "check", env={**env, "BBSLACK_ALERT_CHANNEL": "C0GONE"}
    )

    assert 0 == good.returncode, good.stdout
    assert "✓ slack:" in good.stdout
    assert "✓ browserbase:" in good.stdout
    assert "✓ database:" in good.stdout
    assert f"✓ alert channel: {ALERTS}" in good.stdout
    # The reachability probe leaves nothing behind in the channel.
    assert {} == slack.workspace.scheduled
    assert [] == slack.messages(ALERTS)
    assert 1 == bad.returncode
    assert "✗ slack: auth.test failed (invalid_auth)" in bad.stdout
    assert "✗ browserbase: project proj_nope not found" in bad.stdout
    assert "BROWSERBASE_PROJECT_ID" in bad.stdout
    assert 1 == archived.returncode
    assert "✗ alert channel: C0GONE is not reachable (channel_not_found)" in (
        archived.stdout
    )


async def test_poll_once_dry_run_prints_and_a_real_run_posts(
    emulator: Emulator, slack: FakeSlack, make_env: MakeEnv
) -> None:
    """`poll --once --dry-run` shows what it would post and records nothing."""
    failed = await emulator.session(status="ERROR", endedAgo=30)
    env = make_env(
        "once.db",
        BBSLACK_ALERT_CHANNEL=ALERTS,
        BBSLACK_ALERT_BACKFILL_MINUTES="10",
    )

    dry = await asyncio.to_thread(run_cli, "poll", "--once", "--dry-run", env=env)
    real = await asyncio.to_thread(run_cli, "poll", "--once", env=env)

    assert 0 == dry.returncode, dry.stderr
    assert f"alert    {ALERTS}" in dry.stdout
    assert failed["id"][:8] in dry.stdout
    assert 0 == real.returncode, real.stderr
    [message] = slack.messages(ALERTS)
    assert failed["id"][:8] in message["text"]


async def test_slack_client_waits_out_429_and_retries_5xx(slack: FakeSlack) -> None:
    """The Web API client at SLACK_API_URL retries rate limits and server errors."""
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": "x",
            "BROWSERBASE_API_KEY": "k",
            "BROWSERBASE_PROJECT_ID": "p",
            "SLACK_API_URL": slack.api_url,
        }
    )
    client = build_slack_client(settings)
    slack.fail("chat.postMessage", status=429, retry_after=1, times=1)
    slack.fail("chat.update", status=503, retry_after=0, times=1)

    posted = await client.chat_postMessage(channel=ALERTS, text="hello")
    updated = await client.chat_update(channel=ALERTS, ts=posted["ts"], text="edited")

    assert posted["ok"] and updated["ok"]
    assert 2 == len(slack.calls_to("chat.postMessage"))
    assert 2 == len(slack.calls_to("chat.update"))
    assert "edited" == slack.messages(ALERTS)[0]["text"]


async def test_startup_failures_exit_1_with_the_fix_and_no_traceback(
    make_env: MakeEnv, tmp_path: Path
) -> None:
    """A taken port, a refused app token, an unwritable database: one clear line."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        busy = await asyncio.to_thread(run_cli, "run", env=make_env(BBSLACK_PORT=port))
    refused = await asyncio.to_thread(
        run_cli,
        "run",
        env=make_env(
            "socket.db", SLACK_APP_TOKEN="xapp-wrong", SLACK_SIGNING_SECRET=""
        ),
    )
    (tmp_path / "ro").mkdir(mode=0o500)
    unwritable = await asyncio.to_thread(
        run_cli, "run", env=make_env(BBSLACK_DB=str(tmp_path / "ro" / "sub" / "x.db"))
    )

    assert (1, 1, 1) == (busy.returncode, refused.returncode, unwritable.returncode)
    assert "BBSLACK_PORT" in busy.stderr
    assert "SLACK_APP_TOKEN" in refused.stderr
    assert "BBSLACK_DB" in unwritable.stderr
    for result in (busy, refused, unwritable):
        assert "Traceback" not in result.stderr
