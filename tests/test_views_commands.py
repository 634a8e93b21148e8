"""Block Kit answers of ``/browserbase``: help, errors, sessions, usage, project."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.commands import SUBCOMMANDS
from bot.logsummary import LogLine, LogSummary
from bot.models import Project, ReplayPage, Replays, Session, Usage
from bot.views.actions import DETAILS, OPEN_LINK, SHARE
from bot.views.common import error_view
from bot.views.help import help_view
from bot.views.sessions import (
    session_blocks,
    session_detail_view,
    sessions_list_view,
)
from bot.views.usage import project_view, usage_view
from tests.views_support import assert_block_kit_limits, assert_inert, mrkdwn_of

NOW = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
HOSTILE = {"<!channel>": "<@U123> *x* & <https://evil|click>"}
HOSTILE_SPAN = "`&lt;!channel&gt;=&lt;@U123&gt; *x* &amp; &lt;https://evil|click&gt;`"
SECRETS = ("wss://connect.browserbase.com/secret", "sk_signing_secret")


def iso(when):
    return when.isoformat().replace("+00:00", "Z")


def make_session(
    n=0,
    status="COMPLETED",
    *,
    ran=timedelta(seconds=42),
    timeout=timedelta(minutes=15),
    age=timedelta(minutes=30),
    **extra,
):
    """A Session as the API would describe it, ``age`` after its creation."""
    created = NOW - age - timedelta(minutes=n)
    started = created + timedelta(seconds=2)
    data = {
        "id": f"{n:08d}-9b3d-4e5f-8a6b-1c2d3e4f5a6b",
        "status": status,
        "projectId": "proj-1",
        "createdAt": iso(created),
        "startedAt": iso(started),
        "updatedAt": iso(started + ran),
        "expiresAt": iso(started + timeout),
        "region": "us-west-2",
        "proxyBytes": 2_500_000,
        "keepAlive": False,
        "userMetadata": {"team": "checkout", "job": "nightly"},
        "connectUrl": SECRETS[0],
        "signingKey": SECRETS[1],
    }
    if status not in ("RUNNING", "PENDING"):
        data["endedAt"] = iso(started + ran)
    data.update(extra)
    return Session.from_api(data)


def detail(session, *, default_timeout=900, summary=None, replays=None, public=True):
    return session_detail_view(
        session,
        now=NOW,
        default_timeout=default_timeout,
        summary=summary,
        replays=replays,
        command_text=f"session {session.id}",
        public=public,
    )


def listing(sessions, *, status=None, metadata=None, public=False, **kwargs):
    return sessions_list_view(
        sessions,
        now=NOW,
        status=status,
        metadata=metadata or {},
        command_text="sessions",
        public=public,
        **kwargs,
    )


def share_values(message):
    return [
        element.get("value")
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("action_id") == SHARE
    ]


def section_texts(message):
    return [b["text"]["text"] for b in message["blocks"] if "text" in b]


# Help and errors


def test_help_view_shows_an_example_of_every_subcommand():
    """Help lists one working example per subcommand, and no share button."""
    message = help_view()

    text = mrkdwn_of(message)
    for name, sub in SUBCOMMANDS.items():
        if name != "help":
            assert f"`{sub.example}`" in text
    assert [] == share_values(message)
    assert_block_kit_limits(message)


def test_help_view_did_you_mean_escapes_the_unknown_word():
    """The unknown word is quoted inert, and the guess is offered as a command."""
    message = help_view(unknown="<!channel>", suggestion="sessions")

    assert (
        ":thinking_face: I don't know `&lt;!channel&gt;`. "
        "Did you mean `/browserbase sessions`?"
    ) == message["blocks"][0]["text"]["text"]
    assert message["text"].startswith(":thinking_face: I don't know")
    assert_inert(message)
    assert_block_kit_limits(message)


def test_help_view_unknown_without_suggestion_still_helps():
    """An unknown word with no close match leads straight to the list."""
    message = help_view(unknown="x" * 5000)

    assert "Here is what I can do" in message["blocks"][0]["text"]["text"]
    assert_block_kit_limits(message)


def test_error_view_is_short_escaped_and_gives_an_example():
    """An error is one warning line, escaped, with a try-this example."""
    message = error_view(
        "`<!channel>` is not a session status.", "/browserbase sessions"
    )

    assert [
        ":warning: `&lt;!channel&gt;` is not a session status.",
        "Try: `/browserbase sessions`",
    ] == [*section_texts(message), message["blocks"][1]["elements"][0]["text"]]
    assert [] == share_values(message)
    assert_inert(message)
    assert_block_kit_limits(error_view("x" * 10_000, "y" * 10_000))


# Sessions list


def test_sessions_list_newest_first_with_counts_on_top():
    """Sessions are listed newest first under a count by status."""
    sessions = [
        make_session(3, "ERROR"),
        make_session(1, "TIMED_OUT", ran=timedelta(minutes=15)),
        make_session(2, "COMPLETED"),
        make_session(0, "RUNNING"),
    ]

    message = listing(sessions)

    top = message["blocks"][0]["text"]["text"]
    assert (
        "*4 sessions*\n:large_green_circle: 1 running · :red_circle: 1 error · "
        ":alarm_clock: 1 timed out · :white_check_mark: 1 completed"
    ) == top
    lines = [b["text"]["text"] for b in message["blocks"] if "accessory" in b]
    assert ["00000000", "00000001", "00000002", "00000003"] == [
        re.search(r"\|(\d{8})>", line).group(1) for line in lines
    ]
    assert "4 sessions: 1 running, 1 error, 1 timed out, 1 completed" == message["text"]
    assert_block_kit_limits(message)


def test_sessions_list_line_says_what_an_on_call_engineer_needs():
    """An ended session shows status, start, run time, region, proxy and metadata."""
    message = listing([make_session(0, "ERROR")])

    line = message["blocks"][2]["text"]["text"]
    assert (
        ":red_circle: *<https://www.browserbase.com/sessions/"
        "00000000-9b3d-4e5f-8a6b-1c2d3e4f5a6b|00000000>* error · started 29 min ago · "
        "ran 42 s · us-west-2 · 2.5 MB proxy\n`team=checkout` `job=nightly`"
    ) == line
    details = message["blocks"][2]["accessory"]
    assert (DETAILS, "00000000-9b3d-4e5f-8a6b-1c2d3e4f5a6b") == (
        details["action_id"],
        details["value"],
    )


def test_sessions_list_live_session_shows_age_time_left_and_keep_alive():
    """A running session shows how long it has run and how long it has left."""
    running = make_session(
        0,
        "RUNNING",
        age=timedelta(minutes=20),
        timeout=timedelta(hours=1),
        keepAlive=True,
        proxyBytes=0,
    )

    line = listing([running])["blocks"][2]["text"]["text"]

    assert (
        "running · up 19 min · 40 min left · us-west-2 · :pushpin: keep-alive" in line
    )
    assert "proxy" not in line


def test_sessions_list_shows_at_most_three_metadata_pairs():
    """Metadata beyond three pairs is counted, not shown."""
    metadata = {f"k{n}": f"v{n}" for n in range(7)}

    line = listing([make_session(userMetadata=metadata)])["blocks"][2]["text"]["text"]

    assert line.endswith("`k0=v0` `k1=v1` `k2=v2` +4 more")


def test_sessions_list_hostile_metadata_stays_inert():
    """Mentions, links and bold in metadata render as plain characters in code."""
    message = listing([make_session(userMetadata=HOSTILE)], metadata=HOSTILE)

    assert HOSTILE_SPAN in message["blocks"][2]["text"]["text"]
    assert HOSTILE_SPAN in message["blocks"][0]["text"]["text"]
    assert_inert(message)
    assert_block_kit_limits(message)


def test_sessions_list_backtick_in_metadata_cannot_close_the_code_span():
    """A backtick in a value is replaced, so the span around it holds."""
    line = listing([make_session(userMetadata={"a": "x` *y* `z"})])["blocks"][2]

    assert "`a=x' *y* 'z`" in line["text"]["text"]


def test_sessions_list_500_sessions_with_huge_metadata_fit_in_one_message():
    """Past one page, the rest are counted with a pointer to the sessions list."""
    huge = {f"key-{n}-" + "k" * 200: "<!channel>" + "v" * 2000 for n in range(40)}
    sessions = [make_session(n, "ERROR", userMetadata=huge) for n in range(500)]

    message = listing(sessions, status="ERROR", metadata={"team": "x" * 3000})

    assert_block_kit_limits(message)
    assert_inert(message)
    last = message["blocks"][-2]["elements"][0]["text"]
    assert (
        "485 more: narrow with a status or KEY=VALUE, or open the "
        "<https://www.browserbase.com/sessions|sessions list>."
    ) == last
    assert 15 == sum(1 for b in message["blocks"] if "accessory" in b)


@pytest.mark.parametrize("page_size", [1, 15, 40, 100, 1000])
def test_sessions_list_any_page_size_stays_under_fifty_blocks(page_size):
    """A page size past what one message holds is capped, not sent to Slack."""
    sessions = [make_session(n) for n in range(200)]

    assert_block_kit_limits(listing(sessions, page_size=page_size))


def test_sessions_list_empty_names_the_filter():
    """When nothing matches, the answer says which filter matched nothing."""
    message = listing([], status="TIMED_OUT", metadata={"team": "check out"})

    assert (
        ":mag: No sessions with status *timed out* and `team=check out`. Try another "
        "status, or fewer KEY=VALUE filters (values match exactly, case included)."
    ) == message["blocks"][0]["text"]["text"]
    assert ["sessions"] == share_values(message)
    assert_block_kit_limits(message)


def test_sessions_list_empty_without_filter():
    """An empty project says so plainly."""
    message = listing([], public=True)

    assert ":mag: No sessions in this project yet." == message["text"]
    assert [] == share_values(message)


@pytest.mark.parametrize(("public", "expected"), [(False, ["sessions"]), (True, [])])
def test_sessions_list_share_button_only_when_private(public, expected):
    """The share button sits last on private answers and nowhere on public ones."""
    message = listing([make_session()], public=public)

    assert expected == share_values(message)
    if not public:
        assert SHARE == message["blocks"][-1]["elements"][0]["action_id"]


def test_share_button_value_is_clipped_to_slack_limit():
    """A very long command text still gives a valid share button."""
    message = sessions_list_view(
        [make_session()],
        now=NOW,
        status=None,
        metadata={},
        command_text="sessions " + "k=v " * 2000,
        public=False,
    )

    (value,) = share_values(message)
    assert value.startswith("sessions k=v")
    assert_block_kit_limits(message)


# Session detail


def test_detail_timed_out_on_project_default_says_so():
    """A session that ran into the project's default timeout is told apart."""
    session = make_session(status="TIMED_OUT", ran=timedelta(minutes=15))

    message = detail(session, default_timeout=900)

    why = message["blocks"][1]["text"]["text"]
    assert why.startswith(
        ":alarm_clock: This session *timed out after 15 min, its 15-minute timeout "
        "(the project's default)*."
    )
    assert "project's default can be raised" in why
    assert message["text"].startswith("Session 00000000 timed out after 15 min")
    assert_block_kit_limits(message)


def test_detail_timed_out_on_its_own_timeout_says_the_session_set_it():
    """A session created with its own timeout is not blamed on the project."""
    session = make_session(
        status="TIMED_OUT", ran=timedelta(hours=1), timeout=timedelta(hours=1)
    )

    why = detail(session, default_timeout=900)["blocks"][1]["text"]["text"]

    assert "*timed out after 1 h, its 1-hour timeout (set by the session)*" in why
    assert "The session set this timeout itself" in why


def test_detail_error_explains_what_ends_a_session_in_error():
    """An ERROR session says it errored, after how long, and where to look."""
    why = detail(make_session(status="ERROR"))["blocks"][1]["text"]["text"]

    assert why.startswith(":red_circle: This session *ended in an error after 42 s*.")
    assert "network interruption" in why


def test_detail_completed_says_the_client_released_it():
    """A COMPLETED session was released by its client."""
    why = detail(make_session(status="COMPLETED"))["blocks"][1]["text"]["text"]

    assert why.startswith(":white_check_mark: This session *was released after 42 s*.")
    assert "`browser.close()`" in why


def test_detail_running_shows_time_left_and_keep_alive_cost():
    """A running keep-alive session shows time left and that it keeps billing."""
    session = make_session(
        status="RUNNING",
        age=timedelta(minutes=20),
        timeout=timedelta(hours=1),
        keepAlive=True,
    )

    why = detail(session, default_timeout=3600)["blocks"][1]["text"]["text"]

    assert (
        ":large_green_circle: This session *is running for 19 min*; 40 min left "
        "before its 1-hour timeout (the project's default)."
    ) in why
    assert "keeps running, and billing" in why


def test_detail_fields_show_timeline_setup_and_usage():
    """Dates, duration, timeout, region, context, proxy, CPU and memory are shown."""
    session = make_session(
        status="COMPLETED", contextId="ctx-42", avgCpuUsage=37, memoryUsage=512
    )

    message = detail(session)

    fields = [f["text"] for b in message["blocks"] for f in b.get("fields", [])]
    labels = [text.split("\n")[0] for text in fields]
    assert [
        "*Created*",
        "*Started*",
        "*Ended*",
        "*Expires*",
        "*Duration*",
        "*Timeout*",
        "*Region*",
        "*Keep-alive*",
        "*Proxy data*",
        "*Context*",
        "*Avg CPU usage*",
        "*Memory usage*",
    ] == labels
    assert "*Ended*\n<!date^" in fields[2]
    assert "*Context*\n`ctx-42`" in fields
    assert "*Proxy data*\n2.5 MB" in fields
    assert "*Avg CPU usage*\n37" in fields


def test_detail_links_inspector_and_replay_with_page_count():
    """The Inspector button and the replay link both lead to the Inspector page."""
    session = make_session()
    replays = Replays(pages=(ReplayPage("p1", "", 0, 1),), page_count=3)

    message = detail(session, replays=replays)

    url = "https://www.browserbase.com/sessions/00000000-9b3d-4e5f-8a6b-1c2d3e4f5a6b"
    buttons = [
        e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert [(OPEN_LINK, url)] == [(b["action_id"], b.get("url")) for b in buttons]
    assert f"<{url}|Watch the replay (3 pages)>" in mrkdwn_of(message)


def test_detail_summary_lines_are_inert_and_counted():
    """Log lines show in code with their kind; the count of failures is given."""
    summary = LogSummary(
        lines=(
            LogLine("navigation", "https://shop.example/ → net::ERR_NAME_NOT_RESOLVED"),
            LogLine("console", "<!channel> <https://evil|click> *boom*", NOW),
        ),
        total_logs=812,
        failures=14,
    )

    message = detail(make_session(status="ERROR"), summary=summary)

    text = next(t for t in section_texts(message) if t.startswith("*What failed*"))
    assert text.startswith("*What failed*: 14 failures in 812 log entries; the latest:")
    assert ":compass: `https://shop.example/ → net::ERR_NAME_NOT_RESOLVED`" in text
    assert "`&lt;!channel&gt; &lt;https://evil|click&gt; *boom*`" in text
    assert_inert(message)


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        (None, "*Logs unavailable*"),
        (LogSummary((), 0, 0), "*No logs*"),
        (LogSummary((), 120, 0), "*No failures* in 120 log entries"),
    ],
)
def test_detail_without_failures_says_why(summary, expected):
    """Missing, empty and clean logs each get their own sentence."""
    assert expected in mrkdwn_of(detail(make_session(), summary=summary))


def test_detail_hostile_and_huge_metadata_is_inert_and_clipped():
    """All metadata is listed in code spans, cut to fit one section."""
    metadata = {**HOSTILE, **{f"k{n}": "v" * 1500 for n in range(30)}}

    message = detail(make_session(userMetadata=metadata, region="<!here>"))

    text = mrkdwn_of(message)
    assert (
        "`&lt;!channel&gt;`: `&lt;@U123&gt; *x* &amp; &lt;https://evil|click&gt;`"
        in text
    )
    assert "&lt;!here&gt;" in text
    assert "more_" in text
    assert_inert(message)
    assert_block_kit_limits(message)


def test_detail_never_shows_connect_url_or_signing_key():
    """The fields that control a browser never reach Slack."""
    message = detail(make_session(status="RUNNING"), public=False)

    dumped = json.dumps(message)
    for secret in SECRETS:
        assert secret not in dumped


@pytest.mark.parametrize(("public", "expected"), [(False, 1), (True, 0)])
def test_detail_share_button_only_when_private(public, expected):
    """The share button carries the command text, only on private answers."""
    session = make_session()

    message = detail(session, public=public)

    assert [f"session {session.id}"] * expected == share_values(message)


def test_session_blocks_is_the_detail_body_without_share_button():
    """Alerts can reuse the body: same blocks, no share button."""
    session = make_session(status="ERROR")

    blocks = session_blocks(session, now=NOW, default_timeout=900)

    assert blocks == detail(session, public=True)["blocks"]
    assert len(blocks) <= 10


def test_session_blocks_can_leave_out_the_logs_section():
    """A caller that fetched no logs does not claim they are unavailable."""
    session = make_session(status="ERROR")

    blocks = session_blocks(session, now=NOW, default_timeout=900, include_logs=False)

    assert "Logs unavailable" not in mrkdwn_of(blocks)
    assert "Logs unavailable" in mrkdwn_of(
        session_blocks(session, now=NOW, default_timeout=900)
    )


def test_detail_unknown_status_from_the_api_is_escaped():
    """A status the bot does not know is shown as text, never as markup."""
    session = make_session(status="<!here>")

    for message in (detail(session), listing([session])):
        assert "<!here>" not in mrkdwn_of(message).lower()
        assert "&lt;!here&gt;" in mrkdwn_of(message)
        assert_block_kit_limits(message)


@pytest.mark.parametrize(
    "status", ["PENDING", "RUNNING", "ERROR", "TIMED_OUT", "WEIRD"]
)
def test_detail_every_status_fits_and_has_a_fallback(status):
    """Every status, even an unknown one, gives a valid message with a fallback."""
    message = detail(make_session(status=status), default_timeout=None)

    assert message["text"].startswith("Session 00000000 ")
    assert_block_kit_limits(message)


# Usage and project


def test_usage_view_shows_minutes_bytes_concurrency_and_keep_alive():
    """Usage shows totals, browsers running against the limit, and keep-alives."""
    project = Project(
        id="proj-1", name="Checkout bots", default_timeout=900, concurrency=10
    )
    running = [
        make_session(n, "RUNNING", keepAlive=n < 2, age=timedelta(minutes=5 + n))
        for n in range(9)
    ]

    message = usage_view(
        Usage(browser_minutes=12_345, proxy_bytes=1_234_567_890),
        project,
        running=running,
        now=NOW,
        command_text="usage",
        public=False,
    )

    fields = [f["text"] for b in message["blocks"] for f in b.get("fields", [])]
    assert [
        "*Browser minutes*\n12,345 min (about 206 h)",
        "*Proxy data*\n1.2 GB",
        "*Running now*\n:warning: 9 of 10 browsers: close to the limit",
        "*Keep-alive running*\n:pushpin: 2, billing until released or timed out",
        "*Default timeout*\n15 min",
    ] == fields
    assert "https://www.browserbase.com/overview" in mrkdwn_of(message)
    assert ["usage"] == share_values(message)
    assert_block_kit_limits(message)


def test_usage_view_at_limit_and_unknown_concurrency():
    """At the limit it warns that new sessions fail; an unknown limit is said."""
    full = Project(id="p", name="p", default_timeout=None, concurrency=1)
    unknown = Project(id="p", name="p", default_timeout=None, concurrency=None)
    running = [make_session(status="RUNNING")]

    at_limit = usage_view(
        Usage(0, 0), full, running=running, now=NOW, command_text="usage", public=True
    )
    no_limit = usage_view(
        Usage(0, 0),
        unknown,
        running=running,
        now=NOW,
        command_text="usage",
        public=True,
    )

    assert "at the limit, new sessions will be refused" in mrkdwn_of(at_limit)
    assert "1 running (concurrency limit unknown)" in mrkdwn_of(no_limit)
    assert [] == share_values(at_limit)


def test_project_view_escapes_the_name():
    """The project's name, id, timeout and concurrency show, the name escaped."""
    project = Project(
        id="proj-1", name="<!channel> bots", default_timeout=3600, concurrency=25
    )

    message = project_view(project, command_text="project", public=False)

    fields = [f["text"] for b in message["blocks"] for f in b.get("fields", [])]
    assert [
        "*Project id*\n`proj-1`",
        "*Default timeout*\n1 h",
        "*Concurrency*\n25 browsers at once",
    ] == fields
    assert "Project *&lt;!channel&gt; bots*" == message["blocks"][0]["text"]["text"]
    assert_inert(message)
    assert ["project"] == share_values(message)
    assert_block_kit_limits(message)
