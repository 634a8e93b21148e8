"""The Browserbase API client, against a scripted API behind httpx.MockTransport."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from bot import __version__
from bot.browserbase import BrowserbaseClient, build_http_client, metadata_query
from bot.browserbase.transport import retry_after_seconds, retry_delay
from bot.errors import (
    BadResponse,
    Forbidden,
    NotFound,
    RateLimited,
    Unavailable,
)

API_KEY = "bb_live_SECRETKEY123"
BASE = "https://api.browserbase.test"
PROJECT = "proj_1"
SECRETS = {
    "connectUrl": "wss://connect.browserbase.test/?signingKey=CONNECTSECRET",
    "seleniumRemoteUrl": "http://user:SELENIUMSECRET@browserbase.test/wd/hub",
    "signingKey": "SIGNINGSECRET",
}

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def session_json(session_id: str = "abc123", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": session_id,
        "createdAt": "2026-03-01T10:00:00.000Z",
        "updatedAt": "2026-03-01T10:05:00.000Z",
        "startedAt": "2026-03-01T10:00:01.000Z",
        "expiresAt": "2026-03-01T11:00:01.000Z",
        "projectId": PROJECT,
        "status": "RUNNING",
        "proxyBytes": 0,
        "keepAlive": False,
        "region": "us-west-2",
    }
    data.update(extra)
    return data


class ScriptedApi:
    """Answers calls in the order queued (the last answer repeats) and keeps them."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: list[Answer] = [httpx.Response(200, json=[])]

    def queue(self, *answers: Answer) -> None:
        self.answers = list(answers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer


@pytest.fixture
def api() -> ScriptedApi:
    """A Browserbase stand-in whose answers each test scripts."""
    return ScriptedApi()


@pytest.fixture
async def http(api: ScriptedApi) -> AsyncIterator[httpx.AsyncClient]:
    """The bot's HTTP client, wired to the scripted API and closed afterwards."""
    client = build_http_client(transport=httpx.MockTransport(api.handle))
    yield client
    await client.aclose()


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the client asked for, in order (nobody really waits)."""
    return []


@pytest.fixture
def client(http: httpx.AsyncClient, sleeps: list[float]) -> BrowserbaseClient:
    """A client for project proj_1 whose sleep only records the wait."""

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return BrowserbaseClient(
        http, api_key=API_KEY, base_url=BASE, project_id=PROJECT, sleep=sleep
    )


# -- transport --------------------------------------------------------------------


async def test_build_http_client_sends_user_agent_with_limits(api: ScriptedApi):
    """The shared client names the bot and its version and has the agreed timeouts."""
    http = build_http_client(transport=httpx.MockTransport(api.handle))
    try:
        await http.get(f"{BASE}/v1/sessions")
    finally:
        await http.aclose()

    assert f"bbslack/{__version__}" == api.requests[0].headers["User-Agent"]
    assert httpx.Timeout(20.0, connect=5.0, pool=5.0) == http.timeout


async def test_every_call_sends_api_key_to_its_path(client, api):
    """Each method sends X-BB-API-Key to the documented path."""
    api.queue(
        httpx.Response(200, json=[]),
        httpx.Response(200, json=session_json()),
        httpx.Response(200, json=session_json()),
        httpx.Response(200, json=[]),
        httpx.Response(200, json={"pages": []}),
        httpx.Response(200, json={"pages": [], "pageCount": 0}),
        httpx.Response(200, json={"id": PROJECT, "name": "Shop"}),
        httpx.Response(200, json={"browserMinutes": 3, "proxyBytes": 9}),
    )

    await client.list_sessions()
    await client.get_session("abc123")
    await client.release_session("abc123")
    await client.session_logs("abc123")
    await client.session_debug("abc123")
    await client.session_replays("abc123")
    await client.get_project()
    await client.project_usage()

    assert [
        ("GET", "/v1/sessions"),
        ("GET", "/v1/sessions/abc123"),
        ("POST", "/v1/sessions/abc123"),
        ("GET", "/v1/sessions/abc123/logs"),
        ("GET", "/v1/sessions/abc123/debug"),
        ("GET", "/v1/sessions/abc123/replays"),
        ("GET", "/v1/projects/proj_1"),
        ("GET", "/v1/projects/proj_1/usage"),
    ] == [(r.method, r.url.path) for r in api.requests]
    assert {API_KEY} == {r.headers["X-BB-API-Key"] for r in api.requests}


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://api.browserbase.test", "https://api.browserbase.test/v1/sessions"),
        ("https://api.browserbase.test/", "https://api.browserbase.test/v1/sessions"),
        ("http://127.0.0.1:8123/bb/", "http://127.0.0.1:8123/bb/v1/sessions"),
    ],
)
async def test_base_url_joins_with_or_without_trailing_slash(
    http, api, base_url, expected
):
    """The base URL and the API path meet with exactly one slash."""
    client = BrowserbaseClient(
        http, api_key=API_KEY, base_url=base_url, project_id=PROJECT
    )

    await client.list_sessions()

    assert expected == str(api.requests[0].url)


async def test_session_id_is_escaped_within_its_path_segment(client, api):
    """A hostile id stays one path segment and cannot reach another endpoint."""
    api.queue(httpx.Response(404, json={"statusCode": 404}))

    with pytest.raises(NotFound):
        await client.get_session("../projects?x=1#y")

    assert b"/v1/sessions/..%2Fprojects%3Fx%3D1%23y" == api.requests[0].url.raw_path


@pytest.mark.parametrize("session_id", ["..", ".", ""])
async def test_session_id_made_of_dots_is_not_found_without_a_call(
    client, api, session_id
):
    """An id that a URL would read as a path step is refused before any request."""
    with pytest.raises(NotFound, match="was not found in Browserbase project proj_1"):
        await client.release_session(session_id)

    assert [] == api.requests


async def test_project_id_made_of_dots_is_not_found_without_a_call(client, api):
    """A project id of dots cannot climb out of /v1/projects/ either."""
    with pytest.raises(NotFound, match=r"Browserbase project \.\. was not found\."):
        await client.project_usage("..")

    assert [] == api.requests


async def test_release_sends_request_release_for_watched_project(client, api):
    """Terminating a session posts REQUEST_RELEASE with the watched project id."""
    api.queue(httpx.Response(200, json=session_json(status="COMPLETED")))

    session = await client.release_session("abc123")

    assert {"status": "REQUEST_RELEASE", "projectId": PROJECT} == json.loads(
        api.requests[0].content
    )
    assert "COMPLETED" == session.status


def test_project_id_is_read_only(client):
    """The watched project cannot be swapped under a running bot."""
    with pytest.raises(AttributeError):
        client.project_id = "other"  # type: ignore[misc]
    assert PROJECT == client.project_id


# -- metadata queries ---------------------------------------------------------------


def test_metadata_query_uses_documented_syntax_and_dotted_paths():
    """Filters become user_metadata['a']['b']:'value', first key in sorted order."""
    assert "user_metadata['env']:'prod'" == metadata_query(
        {"team": "checkout", "env": "prod"}
    )
    assert "user_metadata['order']['status']:'shipped'" == metadata_query(
        {"order.status": "shipped"}
    )
    assert None is metadata_query({})


async def test_list_sessions_filters_on_every_metadata_condition(client, api):
    """The server gets one condition in q; the client enforces all of them."""
    api.queue(
        httpx.Response(
            200,
            json=[
                session_json("s1", userMetadata={"team": "checkout", "env": "prod"}),
                session_json("s2", userMetadata={"team": "search", "env": "prod"}),
                session_json("s3", userMetadata={"env": "prod"}),
            ],
        )
    )

    sessions = await client.list_sessions(
        "RUNNING", metadata={"team": "checkout", "env": "prod"}
    )

    assert ["s1"] == [s.id for s in sessions]
    params = api.requests[0].url.params
    assert "RUNNING" == params["status"]
    assert "user_metadata['env']:'prod'" == params["q"]


@pytest.mark.parametrize(
    "metadata",
    [{"team": "o'brien"}, {"team": "a\\"}, {"te'am": "x"}, {"team": "a\nb"}],
)
async def test_unquotable_metadata_is_refused_before_any_call(client, api, metadata):
    """A quote, backslash or control character cannot be quoted: ValueError."""
    with pytest.raises(ValueError, match="no escape"):
        await client.list_sessions(metadata=metadata)

    assert [] == api.requests


# -- retries ------------------------------------------------------------------------


async def test_read_is_retried_on_server_errors_then_succeeds(client, api, sleeps):
    """Two 5xx answers are retried with growing, jittered backoff."""
    api.queue(
        httpx.Response(503),
        httpx.Response(502),
        httpx.Response(200, json=session_json()),
    )

    session = await client.get_session("abc123")

    assert "abc123" == session.id
    assert 3 == len(api.requests)
    assert 0.375 <= sleeps[0] <= 0.5
    assert 0.75 <= sleeps[1] <= 1.0


@pytest.mark.parametrize("status", [408, 409, 429, 500, 504])
async def test_release_is_retried_on_retryable_status(client, api, status):
    """Release is idempotent, so 408, 409, 429 and 5xx are retried like reads."""
    api.queue(httpx.Response(status), httpx.Response(200, json=session_json()))

    await client.release_session("abc123")

    assert ["POST", "POST"] == [r.method for r in api.requests]


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("closed"),
    ],
)
async def test_connection_errors_and_timeouts_are_retried(client, api, exc):
    """A call that got no answer is made again."""
    api.queue(exc, httpx.Response(200, json=[]))

    assert [] == await client.list_sessions()
    assert 2 == len(api.requests)


async def test_attempts_stop_at_max_attempts_with_unavailable(client, api, sleeps):
    """Three 503 answers in a row end in Unavailable naming the status."""
    api.queue(httpx.Response(503, text="upstream down"))

    with pytest.raises(Unavailable, match=r"HTTP 503") as caught:
        await client.list_sessions()

    assert 3 == len(api.requests)
    assert 2 == len(sleeps)
    assert 503 == caught.value.status_code


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
async def test_other_client_errors_are_not_retried(client, api, sleeps, status):
    """A 4xx that will not change on its own is raised after one attempt."""
    api.queue(httpx.Response(status, json={"message": "no"}))

    with pytest.raises((BadResponse, Forbidden, NotFound)):
        await client.get_session("abc123")

    assert 1 == len(api.requests)
    assert [] == sleeps


async def test_retry_after_seconds_is_waited(client, api, sleeps):
    """A 429 with Retry-After: 7 waits exactly 7 s before trying again."""
    api.queue(
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(200, json=[]),
    )

    await client.list_sessions()

    assert [7.0] == sleeps


async def test_retry_after_http_date_is_waited(client, api, sleeps):
    """A Retry-After given as an HTTP-date waits until that date."""
    when = datetime.now(UTC) + timedelta(seconds=10)
    api.queue(
        httpx.Response(503, headers={"Retry-After": format_datetime(when, True)}),
        httpx.Response(200, json=[]),
    )

    await client.list_sessions()

    assert 8.0 <= sleeps[0] <= 10.0


async def test_retry_after_over_a_minute_falls_back_to_backoff(client, api, sleeps):
    """A Retry-After beyond 60 s is not honoured; the usual backoff is used."""
    api.queue(
        httpx.Response(429, headers={"Retry-After": "3600"}),
        httpx.Response(200, json=[]),
    )

    await client.list_sessions()

    assert 0.375 <= sleeps[0] <= 0.5


def test_retry_after_seconds_reads_both_forms():
    """Seconds and HTTP-dates are read; garbage and negatives are ignored."""
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    earlier = format_datetime(now - timedelta(seconds=30), usegmt=True)

    assert 1.5 == retry_after_seconds("1.5")
    assert 30.0 == retry_after_seconds(later, now=lambda: now)
    assert 0.0 == retry_after_seconds(earlier, now=lambda: now)
    assert None is retry_after_seconds("soon")
    assert None is retry_after_seconds("-3")
    assert None is retry_after_seconds(None)


def test_retry_delay_backoff_is_capped_at_eight_seconds():
    """Backoff doubles from 0.5 s to at most 8 s, shortened by at most 25 %."""
    assert [0.5, 1.0, 2.0, 4.0, 8.0, 8.0] == [
        retry_delay(n, None, jitter=lambda: 0.0) for n in range(1, 7)
    ]
    assert 6.0 == retry_delay(9, None, jitter=lambda: 1.0)


# -- errors ---------------------------------------------------------------------------


async def test_not_found_names_session_and_project(client, api):
    """A 404 on a session says which session and which project."""
    api.queue(httpx.Response(404, json={"statusCode": 404, "error": "Not Found"}))

    with pytest.raises(NotFound) as caught:
        await client.get_session("abc123")

    assert "Session abc123 was not found in Browserbase project proj_1." == str(
        caught.value
    )


async def test_not_found_project_points_at_setting(client, api):
    """A 404 on the watched project tells which variable to check."""
    api.queue(httpx.Response(404))

    with pytest.raises(NotFound) as caught:
        await client.get_project()

    assert (
        "Browserbase project proj_1 was not found. Check BROWSERBASE_PROJECT_ID."
        == str(caught.value)
    )


async def test_unauthorized_points_at_api_key_setting(client, api):
    """A 401 says the key was refused and which variable holds it."""
    api.queue(httpx.Response(401, json={"message": "Invalid key " + API_KEY}))

    with pytest.raises(Forbidden) as caught:
        await client.list_sessions()

    assert (
        "Browserbase refused the API key (HTTP 401): check BROWSERBASE_API_KEY."
        == str(caught.value)
    )
    assert 401 == caught.value.status_code


async def test_rate_limited_says_when_to_try_again(http, api):
    """A 429 that outlasts the retries becomes RateLimited with its Retry-After."""
    client = BrowserbaseClient(
        http, api_key=API_KEY, base_url=BASE, project_id=PROJECT, max_attempts=1
    )
    api.queue(httpx.Response(429, headers={"Retry-After": "30"}))

    with pytest.raises(RateLimited) as caught:
        await client.list_sessions()

    assert "Browserbase is rate limiting the bot; try again in 30 s." == str(
        caught.value
    )
    assert 30 == caught.value.retry_after


async def test_timeout_becomes_unavailable_with_the_limit(client, api):
    """A read timeout on every attempt says the limit and that the bot is fine."""
    api.queue(httpx.ReadTimeout("slow"))

    with pytest.raises(Unavailable) as caught:
        await client.list_sessions()

    assert (
        "Browserbase could not be reached (timed out after 20 s); "
        "the bot itself is fine." == str(caught.value)
    )
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


async def test_api_message_is_appended_flattened_trimmed_and_without_key(client, api):
    """Browserbase's own message is shown on one line, short, with no API key."""
    message = f"bad\nrequest for {API_KEY} " + "x" * 500
    api.queue(httpx.Response(400, json={"statusCode": 400, "message": message}))

    with pytest.raises(BadResponse) as caught:
        await client.get_session("abc123")

    text = str(caught.value)
    assert text.startswith(
        'Browserbase rejected the request for session abc123 (HTTP 400): "bad request'
    )
    assert API_KEY not in text
    assert "\n" not in text
    assert len(text) < 300


async def test_plain_text_error_body_is_shown(client, api):
    """An error answered in plain text still reaches the user."""
    api.queue(httpx.Response(422, text="timeout must be at least 60"))

    with pytest.raises(BadResponse, match='"timeout must be at least 60"'):
        await client.get_session("abc123")


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.Response(200, json={"sessions": []}),
        httpx.Response(200, json=[{"status": "RUNNING"}]),
        httpx.Response(200, json=["abc123"]),
    ],
)
async def test_unreadable_list_answer_is_bad_response(client, api, answer):
    """Non-JSON or wrongly shaped lists raise BadResponse, not a crash."""
    api.queue(answer)

    with pytest.raises(BadResponse):
        await client.list_sessions()


async def test_non_json_answer_keeps_its_cause(client, api):
    """The JSON error behind a BadResponse stays attached for the logs."""
    api.queue(httpx.Response(200, text="not json"))

    with pytest.raises(BadResponse) as caught:
        await client.get_session("abc123")

    assert isinstance(caught.value.__cause__, ValueError)


# -- logging --------------------------------------------------------------------------


async def test_logs_one_line_per_call_and_no_secrets(client, api, caplog):
    """Calls and retries are logged; the key and browser-control values never are."""
    caplog.set_level(logging.DEBUG)
    api.queue(
        httpx.Response(503, json={"message": "busy", **SECRETS}),
        httpx.Response(200, json=session_json(**SECRETS)),
    )

    await client.get_session("abc123")

    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in [API_KEY, "CONNECTSECRET", "SELENIUMSECRET", "SIGNINGSECRET"]:
        assert secret not in logged
    calls = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    line = re.compile(
        r"browserbase call method=GET path=/v1/sessions/abc123 "
        r"status=(503|200) attempt=[12] elapsed_ms=\d+"
    )
    assert 2 == sum(bool(line.fullmatch(m)) for m in calls)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert 1 == len(warnings)
    assert "reason=http_503" in warnings[0]


async def test_secret_fields_in_error_message_are_not_shown(client, api):
    """An error text that mentions browser-control fields is left out entirely."""
    api.queue(httpx.Response(400, json={"message": f"bad {SECRETS['connectUrl']}"}))

    with pytest.raises(BadResponse) as caught:
        await client.get_session("abc123")

    assert "CONNECTSECRET" not in str(caught.value)


# -- time-limited calls ---------------------------------------------------------------


async def test_session_logs_timeout_limits_each_request(client, api):
    """With timeout=2 the request may not wait longer than 2 s for anything."""
    api.queue(httpx.Response(200, json=[]))

    await client.session_logs("abc123", timeout=2)

    limits = api.requests[0].extensions["timeout"]
    assert all(0 < value <= 2 for value in limits.values())


async def test_session_logs_timeout_raises_unavailable_when_over(client, api):
    """A timed-out logs call within its limit says so in Unavailable."""
    api.queue(httpx.ReadTimeout("slow"))

    with pytest.raises(Unavailable) as caught:
        await client.session_logs("abc123", timeout=0.2)

    assert "timed out after 0.2 s" in str(caught.value)


async def test_session_logs_timeout_does_not_wait_past_its_deadline(
    client, api, sleeps
):
    """A retry whose wait would outlast the limit is not attempted."""
    api.queue(httpx.Response(503, headers={"Retry-After": "30"}))

    with pytest.raises(Unavailable):
        await client.session_logs("abc123", timeout=2)

    assert 1 == len(api.requests)
    assert [] == sleeps


# -- parsing --------------------------------------------------------------------------


async def test_sessions_keep_unknown_status_and_optional_fields(client, api):
    """Unknown statuses survive; CPU and memory are kept when sent, None when not."""
    bare = session_json("s2")
    del bare["region"]
    api.queue(
        httpx.Response(
            200,
            json=[
                session_json(
                    "s1", status="HIBERNATING", avgCpuUsage=37, memoryUsage=512
                ),
                bare,
            ],
        )
    )

    first, second = await client.list_sessions()

    assert ("HIBERNATING", 37, 512) == (
        first.status,
        first.avg_cpu_usage,
        first.memory_usage,
    )
    assert (None, None, None) == (
        second.avg_cpu_usage,
        second.memory_usage,
        second.region,
    )


async def test_session_logs_debug_and_replays_are_parsed(client, api):
    """Logs, live view and replays come back as their models."""
    api.queue(
        httpx.Response(
            200,
            json=[{"method": "Page.navigate", "pageId": 0, "timestamp": 1700000000000}],
        ),
        httpx.Response(
            200,
            json={"debuggerUrl": "https://live.test/x", "pages": [{"id": "p1"}]},
        ),
        httpx.Response(200, json={"pages": [{"pageId": "p1", "url": "https://a"}]}),
    )

    logs = await client.session_logs("abc123")
    debug = await client.session_debug("abc123")
    replays = await client.session_replays("abc123")

    assert ["Page.navigate"] == [entry.method for entry in logs]
    assert ("p1",) == tuple(page.id for page in debug.pages)
    assert 1 == replays.page_count


async def test_other_project_is_read_when_asked(client, api):
    """get_project and project_usage take another project id when given."""
    api.queue(
        httpx.Response(200, json={"id": "proj_2", "name": "Other"}),
        httpx.Response(200, json={"browserMinutes": 42, "proxyBytes": 7}),
    )

    project = await client.get_project("proj_2")
    usage = await client.project_usage("proj_2")

    assert "Other" == project.name
    assert 42 == usage.browser_minutes
    assert ["/v1/projects/proj_2", "/v1/projects/proj_2/usage"] == [
        r.url.path for r in api.requests
    ]


async def test_list_session_dicts_handles_a_long_history(client, api):
    """100,000 sessions come back as dicts, none carrying browser-control fields."""
    body = json.dumps(
        [session_json(f"s{n}", status="COMPLETED", **SECRETS) for n in range(100_000)]
    )
    api.queue(
        httpx.Response(200, content=body, headers={"Content-Type": "application/json"})
    )

    items = await client.list_session_dicts("COMPLETED")

    assert 100_000 == len(items)
    assert not any(key in item for item in items for key in SECRETS)
    assert "s99999" == items[-1]["id"]


async def test_list_sessions_keeps_to_the_watched_project(client, api) -> None:
    """Sessions of another project in the answer are left out of the list."""
    ours = session_json("sess-ours")
    theirs = session_json("sess-theirs", projectId="proj_other")
    api.queue(httpx.Response(200, json=[ours, theirs]))

    found = await client.list_sessions()

    assert ["sess-ours"] == [session.id for session in found]
