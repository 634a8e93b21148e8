"""Logging: readable or JSON lines, one handler however often configured, no secrets."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.logs import (
    NOISY_LOGGERS,
    JsonFormatter,
    Redactor,
    TextFormatter,
    configure_logging,
    settings_secrets,
)
from bot.settings import Settings

BOT_TOKEN = "xoxb-1111-2222-SECRETBOT"
API_KEY = "bb_live_SECRETAPIKEY42"
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"
SECRETS = (BOT_TOKEN, API_KEY, SIGNING_SECRET)
WHEN = datetime(2026, 12, 3, 16, 7, 25, 123000, tzinfo=UTC).timestamp()


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Put the root logger and the quieted libraries back as they were."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    noisy = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, noisy_level in noisy.items():
        logging.getLogger(name).setLevel(noisy_level)


def configure(fmt: str = "text", level: str = "INFO") -> io.StringIO:
    stream = io.StringIO()
    configure_logging(level, fmt, secrets=SECRETS, stream=stream)
    return stream


def record(msg: str, *args: object, name: str = "bot.poller") -> logging.LogRecord:
    made = logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)
    made.created, made.msecs = WHEN, 123.0
    return made


def test_text_format_is_utc_time_level_logger_message() -> None:
    """A text line reads time in UTC with Z, level, logger, then the message."""
    formatter = TextFormatter(Redactor())

    line = formatter.format(record("poll finished new=%d elapsed_ms=%d", 3, 40))

    assert "2026-12-03T16:07:25Z INFO bot.poller poll finished new=3 elapsed_ms=40" == (
        line
    )


def test_json_format_has_ts_level_logger_message() -> None:
    """A JSON line holds exactly ts, level, logger and the formatted message."""
    formatter = JsonFormatter(Redactor())

    line = json.loads(formatter.format(record("poll finished new=%d", 3)))

    assert {
        "ts": "2026-12-03T16:07:25.123Z",
        "level": "INFO",
        "logger": "bot.poller",
        "message": "poll finished new=3",
    } == line


def test_json_lines_each_parse_and_carry_the_traceback() -> None:
    """Every line written in json format parses alone; an exception adds exc_info."""
    stream = configure("json")
    log = logging.getLogger("bot.delivery")

    log.info("delivery started")
    try:
        raise ConnectionError("slack unreachable")
    except ConnectionError:
        log.exception("delivery failed channel=%s", "C0123")

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert ["delivery started", "delivery failed channel=C0123"] == [
        line["message"] for line in lines
    ]
    assert "exc_info" not in lines[0]
    assert "ConnectionError: slack unreachable" in lines[1]["exc_info"]
    assert ["INFO", "ERROR"] == [line["level"] for line in lines]


def test_text_lines_start_with_timestamp_and_level() -> None:
    """Lines written through configure_logging in text format follow the layout."""
    stream = configure("text")

    logging.getLogger("bot.poller").warning("poll slow elapsed_ms=%d", 9000)

    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ "
        r"WARNING bot.poller poll slow elapsed_ms=9000\n",
        stream.getvalue(),
    )


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_configured_secret_is_redacted_in_message_args_and_traceback(fmt: str) -> None:
    """A configured secret never reaches the output, wherever the record carries it."""
    stream = configure(fmt)
    log = logging.getLogger("bot.slack")

    log.info(f"token is {BOT_TOKEN}")  # noqa: G004  # the mistake being guarded
    log.info("key=%s secret=%s", API_KEY, SIGNING_SECRET)
    try:
        raise PermissionError(f"rejected {API_KEY}")
    except PermissionError:
        log.exception("call failed")

    output = stream.getvalue()
    for secret in SECRETS:
        assert secret not in output
    assert 4 <= output.count("[redacted]")
    assert "PermissionError: rejected [redacted]" in output.replace('\\"', '"')


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("auth Bearer xoxb-9999-8888-abcDEF", "xoxb-9999-8888-abcDEF"),
        ("user token xoxp-12-34-56-abcdef", "xoxp-12-34-56-abcdef"),
        ("app token xapp-1-A0123-456-deadbeef", "xapp-1-A0123-456-deadbeef"),
        ("rotated xoxe.xoxb-1-MTIzNDU2Nzg5MA", "xoxe.xoxb-1-MTIzNDU2Nzg5MA"),
        (
            "cdp wss://connect.browserbase.com?signingKey=abc.def-123&x=1 opened",
            "signingKey=abc.def-123",
        ),
        (
            "cdp wss://connect.usw2.browserbase.com/?signingKey=KEY99 opened",
            "KEY99",
        ),
        ('{"id": "s1", "signingKey": "eyJhbGciOi.payload.sig"}', "eyJhbGciOi"),
        ("{'signingKey': 'KEYINDICT123'}", "KEYINDICT123"),
        ('{"connectUrl": "ws://127.0.0.1:9/?signingKey=LOCALKEY"}', "LOCALKEY"),
        ("selenium http://user:SELENIUMPW@browserbase.test/wd/hub", "SELENIUMPW"),
    ],
)
def test_credential_shapes_are_redacted_without_configuration(
    text: str, secret: str
) -> None:
    """Slack tokens, connect URLs and signing keys are redacted even if unconfigured."""
    stream = io.StringIO()
    configure_logging("INFO", "text", stream=stream)

    logging.getLogger("bot.browserbase").info("%s", text)

    assert secret not in stream.getvalue()
    assert "[redacted]" in stream.getvalue()


def test_redactor_keeps_ordinary_text_and_ignores_short_secrets() -> None:
    """Empty and very short secrets are ignored, so ordinary words stay readable."""
    redact = Redactor(["", "abc", "  ", "ok"])

    text = "poll ok: abc sessions, connect=3 session_id=abc123"

    assert text == redact(text)


def test_redactor_replaces_a_secret_containing_another_whole() -> None:
    """When one secret contains another, the longer one goes entirely."""
    redact = Redactor(["SECRETVALUE", "SECRETVALUE-EXTENDED"])

    assert "key=[redacted]." == redact("key=SECRETVALUE-EXTENDED.")


def test_configure_logging_twice_writes_each_line_once() -> None:
    """Configuring again replaces the handler: one line per record, in the new place."""
    first = configure("text")
    second = configure("json")

    logging.getLogger("bot.cli").info("started")

    assert "" == first.getvalue()
    assert 1 == len(second.getvalue().splitlines())


def test_noisy_libraries_keep_warnings_but_not_info_at_info() -> None:
    """At INFO, Bolt, APScheduler and aiohttp access lines drop; warnings stay."""
    stream = configure("text", "INFO")

    logging.getLogger("slack_bolt.AsyncApp").info("request body: {...}")
    logging.getLogger("apscheduler.executors.default").info("Running job poll")
    logging.getLogger("aiohttp.access").info('127.0.0.1 "POST /slack/events" 200')
    logging.getLogger("slack_bolt.AsyncApp").warning("unhandled request")

    lines = stream.getvalue().splitlines()
    assert 1 == len(lines)
    assert lines[0].endswith("WARNING slack_bolt.AsyncApp unhandled request")


def test_debug_level_lets_library_lines_through() -> None:
    """At DEBUG, nothing is quieted: library INFO lines show too."""
    configure("text", "INFO")
    stream = configure("text", "DEBUG")

    logging.getLogger("apscheduler.executors.default").info("Running job poll")

    assert "Running job poll" in stream.getvalue()


@pytest.mark.parametrize(("level", "fmt"), [("LOUD", "text"), ("INFO", "xml")])
def test_configure_logging_rejects_unknown_level_or_format(
    level: str, fmt: str
) -> None:
    """An unknown level or format is refused instead of silently logging nothing."""
    with pytest.raises(ValueError, match="expected"):
        configure_logging(level, fmt, stream=io.StringIO())


def test_settings_secrets_lists_every_secret_that_is_set() -> None:
    """Tokens, API key and signing secret are listed; unset ones are left out."""
    settings = Settings(
        slack_bot_token=BOT_TOKEN,
        browserbase_api_key=API_KEY,
        browserbase_project_id="proj_1",
        slack_signing_secret=SIGNING_SECRET,
    )

    assert {BOT_TOKEN, API_KEY, SIGNING_SECRET} == set(settings_secrets(settings))
