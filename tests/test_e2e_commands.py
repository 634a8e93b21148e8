"""Issue 3 end to end: signed `/browserbase ...` in, answers at the response_url.

Each test starts one real `bbslack run` against the Browserbase emulator and the fake
Slack, then asks it several things; the answers are read as Slack would receive them.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Emulator, StartBot
from tests.fakes.signing import SlackSender, block_actions_payload, click
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_records import Response
from tests.harness import BotProcess, bot_env

pytestmark = pytest.mark.e2e

SenderFor = Callable[[BotProcess], SlackSender]
STATUSES = ("running", "pending", "error", "timed_out", "completed")


async def ask(slack: FakeSlack, sender: SlackSender, text: str) -> Response:
    """Send `/browserbase text`; the one answer, which must carry a text fallback."""
    response = await sender.command(text)
    assert 200 == response.status_code
    assert sender.last_response_url is not None
    [answer] = await slack.wait_for_response(sender.last_response_url, timeout=20)
    assert answer.text, f"answer to {text!r} has no text fallback: {answer.body}"
    return answer


def free_port() -> str:
    """A loopback port nobody listens on (Browserbase "unreachable")."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def shown(answer: Response) -> str:
    """Everything the answer shows: fallback and every block, as one string."""
    return json.dumps(answer.body, ensure_ascii=False)


def fields(answer: Response) -> list[str]:
    """The texts of every field of every section."""
    return [f["text"] for block in answer.blocks for f in block.get("fields") or []]


def session_rows(answer: Response) -> list[str]:
    """The text of each session line of a sessions list (those with Details)."""
    return [
        block["text"]["text"]
        for block in answer.blocks
        if (block.get("accessory") or {}).get("action_id") == "bb_details"
    ]


async def test_help_answers_empty_help_and_unknown_with_did_you_mean(
    slack: FakeSlack, start_bot: StartBot, sender_for: SenderFor
) -> None:
    """Bare, `help` and a typo all get the command list; the typo a suggestion."""
    sender = sender_for(await start_bot())

    bare = await ask(slack, sender, "")
    named = await ask(slack, sender, "help")
    typo = await ask(slack, sender, "sesions")

    for answer in (bare, named):
        assert "ephemeral" == answer.response_type
        for example in ("sessions", "session", "usage", "project"):
            assert f"/browserbase {example}" in shown(answer)
    assert "Did you mean `/browserbase sessions`?" in (typo.text or "")
    assert "/browserbase usage" in shown(typo)


async def test_sessions_counts_by_status_and_filters_by_status_and_metadata(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: SenderFor
) -> None:
    """The list counts by status; a status (any spelling) or KEY=VALUE narrows it."""
    timed_out = await emulator.session(status="TIMED_OUT")
    errored = await emulator.session(status="ERROR", userMetadata={"job": "nightly"})
    await emulator.session(status="ERROR")
    await emulator.session(status="RUNNING", keepAlive=True)
    sender = sender_for(await start_bot())

    everything = await ask(slack, sender, "sessions")
    upper = await ask(slack, sender, "sessions TIMED_OUT")
    alias = await ask(slack, sender, "sessions timeout")
    errors = await ask(slack, sender, "sessions Error")
    nightly = await ask(slack, sender, "sessions job=nightly")

    assert "4 sessions: 1 running, 2 error, 1 timed out" == everything.text
    assert 4 == len(session_rows(everything))
    assert ":pushpin: keep-alive" in shown(everything)
    for answer in (upper, alias):
        [row] = session_rows(answer)
        assert timed_out["id"][:8] in row
        assert "timed out" in row
    assert 2 == len(session_rows(errors))
    [row] = session_rows(nightly)
    assert errored["id"][:8] in row
    assert "`job=nightly`" in row
    queries = [r["query"] for r in await emulator.requests() if r["query"].get("q")]
    assert "user_metadata['job']:'nightly'" == queries[-1]["q"]


async def test_sessions_beyond_one_page_show_the_first_page_and_how_many_more(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: SenderFor
) -> None:
    """60 completed sessions: one page of rows and a line saying how many more."""
    await emulator.bulk(60, "COMPLETED")
    sender = sender_for(await start_bot())

    answer = await ask(slack, sender, "sessions completed")

    rows = len(session_rows(answer))
    assert 0 < rows < 60
    assert f"{60 - rows} more" in shown(answer)
    assert len(answer.blocks) <= 50


async def test_session_detail_says_it_timed_out_and_whose_timeout_it_was(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: SenderFor
) -> None:
    """A timed-out session names its N-minute timeout: its own or the default."""
    own = await emulator.session(status="TIMED_OUT", timeout=900, logs="failures")
    default = await emulator.session(status="TIMED_OUT")
    sender = sender_for(await start_bot())

    by_id = await ask(slack, sender, f"session {own['id']}")
    by_link = await ask(
        slack, sender, f"session <https://www.browserbase.com/sessions/{default['id']}>"
    )

    assert "15-minute timeout (set by the session)" in (by_id.text or "")
    assert "timed out after 15 min" in (by_id.text or "")
    assert "5-minute timeout (the project's default)" in shown(by_link)
    assert "timed out after 5 min" in (by_link.text or "")
    # The debugging summary: the failed request and the exception from the logs.
    assert "What failed" in shown(by_id)
    assert "net::ERR_TIMED_OUT" in shown(by_id)
    assert "TimeoutError" in shown(by_id)
    assert f"https://www.browserbase.com/sessions/{own['id']}" in shown(by_id)


async def test_session_detail_says_released_or_error_with_cpu_memory_and_failures(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: SenderFor
) -> None:
    """Released and errored sessions say so; CPU, memory and failures are shown."""
    released = await emulator.session(
        status="COMPLETED", avgCpuUsage=42, memoryUsage=512, logs="clean"
    )
    errored = await emulator.session(status="ERROR", logs="failures")
    sender = sender_for(await start_bot())

    done = await ask(slack, sender, f"session {released['id']}")
    failed = await ask(slack, sender, f"session {errored['id']}")

    assert "was released after" in (done.text or "")
    assert "*Avg CPU usage*\n42" in fields(done)
    assert "*Memory usage*\n512" in fields(done)
    assert "No failures" in shown(done)
    assert "ended in an error" in (failed.text or "")
    assert "What failed" in shown(failed)
    assert "500 Internal Server Error" in shown(failed)


async def test_usage_project_and_status_answer_from_browserbase_and_the_bot(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: SenderFor
) -> None:
    """`usage` has minutes, running against concurrency, keep-alive; `project` too."""
    await emulator.session(status="RUNNING", keepAlive=True)
    await emulator.session(status="RUNNING")
    sender = sender_for(await start_bot())

    usage = await ask(slack, sender, "usage")
    project = await ask(slack, sender, "project")
    status = await ask(slack, sender, "status")

    assert "2 of 25 browsers" in (usage.text or "")
    assert "Browser minutes" in shown(usage)
    assert "Keep-alive running" in shown(usage)
    assert "Default timeout" in shown(usage)
    assert "https://www.browserbase.com/overview" in shown(usage)
    assert (
        "Project Emulator project: default timeout 5 min, "
        "concurrency 25 browsers at once" == project.text
    )
    assert emulator.project_id in shown(project)
    assert "bbslack is healthy" == status.text


async def test_share_button_and_public_post_the_answer_in_channel(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: SenderFor
) -> None:
    """Answers are ephemeral; Share in channel or `public` posts them for everyone."""
    created = await emulator.session(status="ERROR")
    sender = sender_for(await start_bot())

    private = await ask(slack, sender, f"session {created['id']}")
    url = slack.response_url()
    payload = block_actions_payload(
        click(private.body, "bb_share"),
        message=private.body,
        response_url=url,
        is_ephemeral=True,
    )
    clicked = await sender.action(payload)
    [shared] = await slack.wait_for_response(url)
    public = await ask(slack, sender, "usage public")

    assert "ephemeral" == private.response_type
    assert 200 == clicked.status_code
    assert "in_channel" == shared.response_type
    assert private.text == shared.text
    assert "in_channel" == public.response_type
    assert "Share in channel" not in shown(shared)


async def test_bad_input_gets_a_short_explanation_and_an_example(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: SenderFor
) -> None:
    """Unknown status, bad id, missing or foreign session: a sentence, no trace."""
    foreign = await emulator.session(status="ERROR", projectId="proj_someone_else")
    sender = sender_for(await start_bot())

    status = await ask(slack, sender, "sessions sleeping")
    malformed = await ask(slack, sender, "session x!")
    missing = await ask(slack, sender, "session 0000dead-0000-0000-0000-000000000000")
    other = await ask(slack, sender, f"session {foreign['id']}")

    for valid in STATUSES:
        assert valid in (status.text or "")
    assert "Try: `/browserbase sessions timed_out`" in shown(status)
    assert "is not a session id" in (malformed.text or "")
    assert "Try: `/browserbase session" in shown(malformed)
    assert "was not found" in (missing.text or "")
    assert "was not found" in (other.text or "")
    assert "ERROR" not in shown(other).replace(":warning:", "")
    for answer in (status, malformed, missing, other):
        assert "ephemeral" == answer.response_type
        assert "Traceback" not in shown(answer)


async def test_browserbase_refusals_say_what_to_check_or_when_to_retry(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: SenderFor
) -> None:
    """401/403 point at BROWSERBASE_API_KEY; 429 says when to try again."""
    sender = sender_for(await start_bot())

    answers = {}
    for status in (401, 403, 429):
        await emulator.fault(status=status, retryAfter=120, path="/v1/sessions")
        answers[status] = await ask(slack, sender, "sessions")
        await emulator.clear_faults()

    assert "check BROWSERBASE_API_KEY" in (answers[401].text or "")
    assert "check BROWSERBASE_API_KEY" in (answers[403].text or "")
    assert "try again in 120 s" in (answers[429].text or "")


async def test_unreachable_browserbase_says_so_and_that_the_bot_is_fine(
    emulator: Emulator, slack: FakeSlack, sender_for: SenderFor, tmp_path: Path
) -> None:
    """Nothing listening at BROWSERBASE_BASE_URL: the answer says the bot is fine."""
    port = free_port()
    env = bot_env(
        slack_api_url=slack.api_url,
        browserbase_url=f"http://127.0.0.1:{port}",
        project_id=emulator.project_id,
        api_key=emulator.api_key,
        db_path=tmp_path / "unreachable.db",
    )
    bot = await BotProcess(env).start()
    try:
        answer = await ask(slack, sender_for(bot), "usage")
    finally:
        await bot.stop()

    assert "Browserbase could not be reached" in (answer.text or "")
    assert "the bot itself is fine" in (answer.text or "")


async def test_slow_browserbase_gets_an_answer_saying_so_without_waiting_on(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: SenderFor
) -> None:
    """A hanging API is given up on within seconds, and the answer says why."""
    sender = sender_for(await start_bot())
    await emulator.fault(hang=True, path="/v1/sessions")
    started = time.monotonic()

    answer = await ask(slack, sender, "sessions")

    assert time.monotonic() - started < 15
    assert "timed out" in (answer.text or "")
    assert "the bot itself is fine" in (answer.text or "")


async def test_hostile_metadata_stays_inert_in_every_answer(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: SenderFor
) -> None:
    """Mentions and formatting in metadata are escaped: nobody is pinged."""
    hostile = {"who": "<!channel> <@U123>", "<!here>": "*bold*"}
    created = await emulator.session(status="ERROR", userMetadata=hostile)
    sender = sender_for(await start_bot())

    answers = [
        await ask(slack, sender, "sessions"),
        await ask(slack, sender, f"session {created['id']}"),
    ]

    for answer in answers:
        body = shown(answer)
        for raw in ("<!channel>", "<@U123>", "<!here>"):
            assert raw not in body
        assert "&lt;!channel&gt; &lt;@U123&gt;" in body
        # *bold* only ever appears inside a code span, where it stays literal.
        assert "*bold*`" in body
        assert " *bold* " not in body


async def test_slow_browserbase_does_not_delay_the_ack_past_3_seconds(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: SenderFor
) -> None:
    """With 4 s per API call the POST is acked at once; the answer follows."""
    created = await emulator.session(status="ERROR")
    sender = sender_for(await start_bot())
    await emulator.fault(latency=4, path="/v1")

    acks: dict[str, float] = {}
    for text in ("sessions", f"session {created['id']}", "usage"):
        started = time.monotonic()
        response = await sender.command(text)
        acks[text] = time.monotonic() - started
        assert 200 == response.status_code
    [answer] = await slack.wait_for_response(sender.last_response_url or "", timeout=20)

    assert all(seconds < 3 for seconds in acks.values()), acks
    assert "Browser minutes" in shown(answer)


async def test_every_answer_carries_a_plain_text_fallback(
    emulator: Emulator, slack: FakeSlack, start_bot: StartBot, sender_for: SenderFor
) -> None:
    """Notifications and screen readers get `text` for every kind of answer."""
    created = await emulator.session(status="TIMED_OUT", logs="failures")
    sender = sender_for(await start_bot())
    texts = [
        "",
        "nonsense",
        "sessions",
        "sessions pending",
        f"session {created['id']}",
        "session ???",
        "usage",
        "project",
        "status",
    ]

    answers = [await ask(slack, sender, text) for text in texts]

    assert [] == [a.body for a in answers if not (a.text or "").strip()]
    assert len(texts) == len(slack.responses())
