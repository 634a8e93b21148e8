"""Parsing the text of ``/browserbase ...`` into commands."""

from __future__ import annotations

import pytest

from bot.commands import (
    ALERT_KINDS,
    COMMAND,
    SUBCOMMANDS,
    Alerts,
    Audit,
    Help,
    Invalid,
    KeepAlive,
    ProjectInfo,
    SessionDetail,
    Sessions,
    Status,
    Terminate,
    Usage,
    parse,
    session_id,
)

SID = "4f7a1c2e-9b3d-4e5f-8a6b-1c2d3e4f5a6b"
LINK = f"https://www.browserbase.com/sessions/{SID}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("   ", Help()),
        ("help", Help()),
        ("HELP", Help()),
        ("help sessions", Help()),
        ("sesions", Help(unknown="sesions", suggestion="sessions")),
        ("Sessoins", Help(unknown="Sessoins", suggestion="sessions")),
        ("kill", Help(unknown="kill", suggestion="terminate")),
        ("ls", Help(unknown="ls", suggestion="sessions")),
        ("xyzzy", Help(unknown="xyzzy", suggestion=None)),
    ],
)
def test_parse_help_and_unknown_words(text, expected):
    """Empty text and ``help`` show help; an unknown word comes back with a guess."""
    assert expected == parse(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sessions", Sessions()),
        ("SESSIONS", Sessions()),
        ("sessions running", Sessions(status="RUNNING")),
        ("sessions Pending", Sessions(status="PENDING")),
        ("sessions error", Sessions(status="ERROR")),
        ("sessions errors", Sessions(status="ERROR")),
        ("sessions failed", Sessions(status="ERROR")),
        ("sessions completed", Sessions(status="COMPLETED")),
        ("sessions done", Sessions(status="COMPLETED")),
        ("sessions timed_out", Sessions(status="TIMED_OUT")),
        ("sessions TIMEOUT", Sessions(status="TIMED_OUT")),
        ("sessions timedout", Sessions(status="TIMED_OUT")),
        ("sessions Timed-Out", Sessions(status="TIMED_OUT")),
        ("sessions all", Sessions()),
        ("sessions public", Sessions(public=True)),
        ("sessions PUBLIC error", Sessions(status="ERROR", public=True)),
        (
            "sessions error team=checkout public",
            Sessions(status="ERROR", metadata={"team": "checkout"}, public=True),
        ),
        (
            'sessions team="check out" Env=Prod',
            Sessions(metadata={"team": "check out", "Env": "Prod"}),
        ),
        ("sessions team='a=b'", Sessions(metadata={"team": "a=b"})),
        (
            "sessions \u201cteam=check out\u201d",
            Sessions(metadata={"team": "check out"}),
        ),
        ("sessions team=public", Sessions(metadata={"team": "public"})),
        ("sessions site=a&amp;b", Sessions(metadata={"site": "a&b"})),
        (
            "sessions site=<https://shop.example/x>",
            Sessions(metadata={"site": "https://shop.example/x"}),
        ),
    ],
)
def test_parse_sessions_forms(text, expected):
    """Status words in any spelling, quoted metadata filters and ``public`` parse."""
    assert expected == parse(text)


@pytest.mark.parametrize(
    "token",
    [
        SID,
        LINK,
        LINK + "/",
        LINK + "?tab=network",
        LINK + "/?tab=logs#x",
        f"<{LINK}>",
        f"<{LINK}|{LINK}>",
        f"<{LINK}|this session>",
        f"https://browserbase.com/sessions/{SID}",
        f"HTTP://WWW.BROWSERBASE.COM/sessions/{SID}",
    ],
)
def test_parse_session_accepts_ids_and_inspector_links(token):
    """A bare id and every way Slack may send an Inspector link name the session."""
    assert SessionDetail(session_id=SID) == parse(f"session {token}")
    assert SID == session_id(token)


def test_parse_session_public_anywhere():
    """``public`` before or after the id shares the answer."""
    assert SessionDetail(SID, public=True) == parse(f"session public {SID}")
    assert SessionDetail(SID, public=True) == parse(f"Session {SID} Public")


def test_parse_pasted_inspector_link_alone_is_a_session_lookup():
    """A pasted Inspector link without a subcommand asks about that session."""
    assert SessionDetail(SID) == parse(f"<{LINK}>")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("usage", Usage()),
        ("usage public", Usage(public=True)),
        ("project", ProjectInfo()),
        ("PROJECT public", ProjectInfo(public=True)),
        ("status", Status()),
        ("status public", Status(public=True)),
        ("keepalive", KeepAlive()),
        ("keep-alive public", KeepAlive(public=True)),
        (f"terminate {SID}", Terminate(SID)),
        (f"terminate <{LINK}|link>", Terminate(SID)),
        ("audit", Audit(limit=20)),
        ("audit 1", Audit(limit=1)),
        ("audit 100", Audit(limit=100)),
    ],
)
def test_parse_simple_subcommands(text, expected):
    """Read commands take ``public``; terminate takes an id; audit a count."""
    assert expected == parse(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alerts", Alerts(action="list")),
        ("alerts list", Alerts(action="list")),
        ("alerts subscribe", Alerts(action="subscribe", kinds=ALERT_KINDS)),
        ("alerts subscribe all", Alerts(action="subscribe", kinds=ALERT_KINDS)),
        (
            "alerts subscribe errors",
            Alerts(action="subscribe", kinds=frozenset({"errors"})),
        ),
        (
            "alerts Subscribe TIMEOUTS",
            Alerts(action="subscribe", kinds=frozenset({"timeouts"})),
        ),
        (
            "alerts subscribe error timeout",
            Alerts(action="subscribe", kinds=frozenset({"errors", "timeouts"})),
        ),
        (
            'alerts subscribe errors team="check out"',
            Alerts(
                action="subscribe",
                kinds=frozenset({"errors"}),
                metadata={"team": "check out"},
            ),
        ),
        (
            "alerts subscribe team=checkout",
            Alerts(
                action="subscribe", kinds=ALERT_KINDS, metadata={"team": "checkout"}
            ),
        ),
        ("alerts unsubscribe", Alerts(action="unsubscribe")),
        ("alerts unmute", Alerts(action="unmute")),
        ("alerts mute", Alerts(action="mute", duration_seconds=3600)),
        ("alerts mute 30m", Alerts(action="mute", duration_seconds=1800)),
        ("alerts mute 2h", Alerts(action="mute", duration_seconds=7200)),
        ("alerts mute 2 hours", Alerts(action="mute", duration_seconds=7200)),
        ("alerts mute 1d", Alerts(action="mute", duration_seconds=86400)),
        ("alerts mute 90", Alerts(action="mute", duration_seconds=5400)),
        ("alerts mute 1", Alerts(action="mute", duration_seconds=60)),
        ("alerts mute 7d", Alerts(action="mute", duration_seconds=7 * 86400)),
    ],
)
def test_parse_alerts_forms(text, expected):
    """Alert subscriptions, kinds, filters and mute durations parse."""
    assert expected == parse(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("sessions bogus", ["`bogus`", "running", "timed_out", "completed"]),
        ("sessions error running", ["at most one status"]),
        ('sessions team="check out', ["quote"]),
        ("sessions team='o", ["quote"]),
        ("sessions =x", ["key"]),
        ("sessions team=", ["value"]),
        ("sessions team=" + "x" * 300, ["too long"]),
        ("sessions " + " ".join(f"k{i}=v" for i in range(11)), ["At most 10"]),
        ("session", ["Which session"]),
        ("session public", ["Which session"]),
        ("session ab", ["`ab`", "not a session id"]),
        ("session -abcdefg", ["not a session id"]),
        ("session " + "a" * 129, ["not a session id"]),
        ("session abc/def/ghi", ["not a session id"]),
        (f"session {SID} {SID}", ["One session"]),
        ("session https://evil.example/sessions/abcdefgh", ["not a session id"]),
        ("terminate", ["Which session"]),
        ("terminate x", ["not a session id"]),
        (f"terminate {SID} public", ["One session"]),
        ("usage now", ["`usage` takes no other words", "`now`"]),
        ("project x", ["takes no other words"]),
        ("audit 0", ["from 1 to 100"]),
        ("audit 101", ["from 1 to 100"]),
        ("audit ten", ["from 1 to 100"]),
        ("audit -5", ["from 1 to 100"]),
        ("audit 5 6", ["takes no other words"]),
        (
            "alerts subscribe everything",
            ["`everything`", "errors, timeouts, keepalive or all"],
        ),
        ("alerts subscibe", ["Did you mean `alerts subscribe`", "Usage:"]),
        ("alerts frobnicate", ["not something alerts can do", "Usage:"]),
        ("alerts unsubscribe now", ["takes no other words"]),
        ("alerts unmute please", ["takes no other words"]),
        ("alerts mute soon", ["not a duration"]),
        ("alerts mute 5w", ["not a duration"]),
        ("alerts mute 0", ["at least 1 minute"]),
        ("alerts mute 8d", ["at most 7 days"]),
        ("alerts mute 10081", ["at most 7 days"]),
    ],
)
def test_parse_bad_input_is_invalid_with_example(text, words):
    """Every mistake becomes Invalid naming the problem, with a working example."""
    result = parse(text)

    assert isinstance(result, Invalid)
    for word in words:
        assert word in result.message
    assert result.example.startswith(f"{COMMAND} ")
    assert not isinstance(parse(result.example.removeprefix(COMMAND)), Invalid)


def test_parse_invalid_quotes_user_words_without_breaking_code_spans():
    """A backtick in a user's word cannot close the code span that quotes it."""
    result = parse("sessions bo`gus")

    assert isinstance(result, Invalid)
    assert "`bo'gus`" in result.message


def test_parse_never_raises_on_odd_text():
    """Odd characters, huge text and lone symbols still give a command."""
    for text in ["\\", "'", '"', "=", "<>", "<!channel>", "x" * 10_000, "\x00", "🙂"]:
        assert parse(text) is not None


def test_subcommands_examples_all_parse_to_their_subcommand():
    """Every example the help shows is a command that works."""
    for name, sub in SUBCOMMANDS.items():
        assert sub.example.startswith(f"{COMMAND} {name}")
        assert sub.description
        if name != "help":
            parsed = parse(sub.example.removeprefix(COMMAND))
            assert not isinstance(parsed, Invalid | Help)
    assert set(SUBCOMMANDS) >= {
        "sessions",
        "session",
        "usage",
        "project",
        "status",
        "alerts",
        "keepalive",
        "terminate",
        "audit",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alerts digest", 9 * 60),
        ("alerts digest 18:30", 18 * 60 + 30),
        ("alerts digest 7", 7 * 60),
        ("alerts digest 07:05 UTC", 7 * 60 + 5),
        ("alerts digest off", None),
    ],
)
def test_parse_alerts_digest_reads_a_time_of_day(
    text: str, expected: int | None
) -> None:
    """`alerts digest` takes HH:MM in UTC (09:00 by default) or off."""
    assert Alerts(action="digest", digest_at=expected) == parse(text)


@pytest.mark.parametrize(
    "text", ["alerts digest 25:00", "alerts digest 9:75", "alerts digest soon"]
)
def test_parse_alerts_digest_rejects_other_words(text: str) -> None:
    """A time that is no time of day gets the usage, not a digest at midnight."""
    parsed = parse(text)

    assert isinstance(parsed, Invalid)
    assert "not a time of day" in parsed.message
