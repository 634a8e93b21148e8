"""The Browserbase emulator: sessions living on a clock, queries, faults, scenarios."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.emulator import EmulatorServer, run_emulator

REPO = Path(__file__).resolve().parents[1]
SECRET_FIELDS = {"connectUrl", "seleniumRemoteUrl", "signingKey"}


class FakeClock:
    """A clock that moves only when a test moves it."""

    def __init__(self) -> None:
        self.current = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock stopped at noon on 1 March 2026."""
    return FakeClock()


@pytest.fixture
async def emulator(clock: FakeClock) -> AsyncIterator[EmulatorServer]:
    """An empty emulator on a loopback port, running on the fake clock."""
    async with EmulatorServer(now=clock) as server:
        yield server


@pytest.fixture
async def client(emulator: EmulatorServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the emulator that sends the right API key."""
    headers = {"X-BB-API-Key": emulator.api_key}
    async with httpx.AsyncClient(
        base_url=emulator.url, headers=headers, timeout=30
    ) as http:
        yield http


async def place(client: httpx.AsyncClient, **spec: Any) -> dict[str, Any]:
    """Create a session through the control API and return its JSON."""
    response = await client.post("/_emulator/sessions", json=spec)
    assert 201 == response.status_code, response.text
    data: dict[str, Any] = response.json()
    return data


async def fetch(client: httpx.AsyncClient, session_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/sessions/{session_id}")
    assert 200 == response.status_code, response.text
    data: dict[str, Any] = response.json()
    return data


async def listed(client: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    response = await client.get("/v1/sessions", params=params)
    assert 200 == response.status_code, response.text
    data: list[dict[str, Any]] = response.json()
    return data


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


# Time


async def test_created_session_runs_one_second_after_pending(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """A session created through the API is PENDING, then RUNNING a second later."""
    created = await client.post("/v1/sessions", json={"timeout": 600})
    assert 201 == created.status_code
    assert "PENDING" == created.json()["status"]

    clock.advance(1)
    session = await fetch(client, created.json()["id"])

    assert "RUNNING" == session["status"]
    assert "endedAt" not in session


async def test_session_times_out_at_its_expiry(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """A session past expiresAt is TIMED_OUT, and it ended exactly at expiresAt."""
    created = (await client.post("/v1/sessions", json={"timeout": 60})).json()
    assert timedelta(seconds=60) == parse(created["expiresAt"]) - parse(
        created["startedAt"]
    )

    clock.advance(59)
    assert "RUNNING" == (await fetch(client, created["id"]))["status"]
    clock.advance(5)
    session = await fetch(client, created["id"])

    assert "TIMED_OUT" == session["status"]
    assert created["expiresAt"] == session["endedAt"]


async def test_expiry_uses_the_project_default_timeout(
    client: httpx.AsyncClient, emulator: EmulatorServer
) -> None:
    """Without a timeout, expiresAt is startedAt plus the project's defaultTimeout."""
    project = (await client.get(f"/v1/projects/{emulator.project_id}")).json()
    session = (await client.post("/v1/sessions", json={})).json()

    lasts = parse(session["expiresAt"]) - parse(session["startedAt"])
    assert timedelta(seconds=project["defaultTimeout"]) == lasts


async def test_planned_end_happens_at_its_time(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """A session planned to error in 30 s runs until then and ends ERROR then."""
    session = await place(client, endIn=30, endStatus="ERROR", timeout=600)

    clock.advance(29)
    assert "RUNNING" == (await fetch(client, session["id"]))["status"]
    clock.advance(100)
    ended = await fetch(client, session["id"])

    assert "ERROR" == ended["status"]
    expected = parse(session["startedAt"]) + timedelta(seconds=30)
    assert expected == parse(ended["endedAt"])


async def test_keep_alive_session_runs_until_it_times_out(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """A keep-alive session keeps running for its whole timeout, then times out."""
    session = await place(client, keepAlive=True, timeout=3600, startedAgo=3000)

    clock.advance(590)
    assert "RUNNING" == (await fetch(client, session["id"]))["status"]
    clock.advance(20)

    assert "TIMED_OUT" == (await fetch(client, session["id"]))["status"]


async def test_control_places_ended_sessions_consistently(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """Backdated ended sessions end within their life; TIMED_OUT ones at expiry."""
    error = await place(client, status="ERROR", endedAgo=60, startedAgo=200)
    timed_out = await place(client, status="TIMED_OUT", endedAgo=10, timeout=120)

    assert clock() - timedelta(seconds=60) == parse(error["endedAt"])
    assert clock() - timedelta(seconds=200) == parse(error["startedAt"])
    assert timed_out["expiresAt"] == timed_out["endedAt"]
    lasted = parse(timed_out["endedAt"]) - parse(timed_out["startedAt"])
    assert timedelta(seconds=120) == lasted


async def test_control_refuses_impossible_sessions(client: httpx.AsyncClient) -> None:
    """A session that would have timed out before it ended is refused with a reason."""
    response = await client.post(
        "/_emulator/sessions",
        json={"status": "COMPLETED", "startedAgo": 4000, "timeout": 60},
    )

    assert 400 == response.status_code
    assert "timed out" in response.json()["error"]


async def test_control_end_ends_a_live_session_now(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """Ending a live session through the control API ends it now; twice is a 409."""
    session = await place(client, keepAlive=True, timeout=3600)
    clock.advance(10)

    ended = await client.post(
        f"/_emulator/sessions/{session['id']}/end", json={"status": "ERROR"}
    )
    again = await client.post(
        f"/_emulator/sessions/{session['id']}/end", json={"status": "ERROR"}
    )

    assert "ERROR" == ended.json()["status"]
    assert clock() == parse(ended.json()["endedAt"])
    assert 409 == again.status_code


# Release


async def test_release_completes_a_live_session_once(
    client: httpx.AsyncClient, emulator: EmulatorServer, clock: FakeClock
) -> None:
    """Release ends a live session COMPLETED; releasing it again changes nothing."""
    session = await place(client, keepAlive=True, timeout=3600, startedAgo=2700)
    url = f"/v1/sessions/{session['id']}"

    first = await client.post(url, json={"status": "REQUEST_RELEASE"})
    clock.advance(30)
    second = await client.post(url, json={"status": "REQUEST_RELEASE"})

    assert 200 == first.status_code
    assert "COMPLETED" == first.json()["status"]
    assert clock() - timedelta(seconds=30) == parse(first.json()["endedAt"])
    assert first.json() == second.json()
    assert not SECRET_FIELDS & first.json().keys()


async def test_release_refuses_other_bodies_and_unknown_sessions(
    client: httpx.AsyncClient,
) -> None:
    """Anything but REQUEST_RELEASE is a 400, an unknown session a 404, both Fastify."""
    session = await place(client)
    url = f"/v1/sessions/{session['id']}"

    wrong = await client.post(url, json={"status": "RUNNING"})
    empty = await client.post(url, json={})
    unknown = await client.post(
        "/v1/sessions/00000000-0000-4000-8000-000000000000",
        json={"status": "REQUEST_RELEASE"},
    )

    assert [400, 400, 404] == [r.status_code for r in (wrong, empty, unknown)]
    assert {"statusCode", "error", "message"} == wrong.json().keys()
    assert "Not Found" == unknown.json()["error"]
    assert "RUNNING" == (await fetch(client, session["id"]))["status"]


async def test_connect_fields_only_on_get_and_create(
    client: httpx.AsyncClient,
) -> None:
    """connectUrl, seleniumRemoteUrl and signingKey come with get and create only."""
    created = (await client.post("/v1/sessions", json={"keepAlive": True})).json()
    got = await fetch(client, created["id"])
    in_list = await listed(client)

    assert SECRET_FIELDS <= created.keys()
    assert SECRET_FIELDS <= got.keys()
    assert not SECRET_FIELDS & in_list[0].keys()


async def test_create_refuses_more_than_the_project_concurrency(
    client: httpx.AsyncClient, emulator: EmulatorServer
) -> None:
    """Past the project's concurrency, creating a session answers 429."""
    concurrency = (await client.get(f"/v1/projects/{emulator.project_id}")).json()[
        "concurrency"
    ]
    for _ in range(concurrency):
        await place(client)

    response = await client.post("/v1/sessions", json={})

    assert 429 == response.status_code
    assert "Too Many Requests" == response.json()["error"]


# Listing and queries


async def test_list_filters_by_one_status(client: httpx.AsyncClient) -> None:
    """status= keeps only that status; an unknown status is a 400."""
    for status in ("RUNNING", "ERROR", "ERROR", "COMPLETED", "TIMED_OUT"):
        await place(client, status=status)

    errors = await listed(client, status="ERROR")
    everything = await listed(client)
    bad = await client.get("/v1/sessions", params={"status": "CRASHED"})

    assert ["ERROR", "ERROR"] == [s["status"] for s in errors]
    assert 5 == len(everything)
    assert 400 == bad.status_code


async def test_list_shows_only_the_primary_project(client: httpx.AsyncClient) -> None:
    """Sessions of another project are not listed, yet can be fetched by id."""
    other = await place(client, projectId="proj_other")

    assert [] == await listed(client)
    assert "proj_other" == (await fetch(client, other["id"]))["projectId"]


async def test_list_is_newest_first(client: httpx.AsyncClient) -> None:
    """The list comes newest first."""
    old = await place(client, status="ERROR", endedAgo=500, startedAgo=600)
    new = await place(client, status="ERROR", endedAgo=5, startedAgo=60)

    assert [new["id"], old["id"]] == [s["id"] for s in await listed(client)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("user_metadata['env']:'prod'", {"a", "b"}),
        ("user_metadata['team']['name']:'checkout'", {"a", "c"}),
        (
            "user_metadata['env']:'prod' AND user_metadata['team']['name']:'checkout'",
            {"a"},
        ),
        ("user_metadata['attempt']:'3'", set()),
        ("user_metadata['team']:'checkout'", set()),
        ("user_metadata['missing']['deep']:'x'", set()),
    ],
)
async def test_metadata_query_matches_string_values(
    client: httpx.AsyncClient, query: str, expected: set[str]
) -> None:
    """q matches string values at a path, all clauses at once, never numbers."""
    metadata = {
        "a": {"env": "prod", "team": {"name": "checkout"}, "attempt": 3},
        "b": {"env": "prod", "team": {"name": "growth"}},
        "c": {"env": "staging", "team": {"name": "checkout"}},
    }
    for name, data in metadata.items():
        await place(client, userMetadata={"name": name, **data})

    found = await listed(client, q=query)

    assert expected == {s["userMetadata"]["name"] for s in found}


async def test_metadata_query_that_does_not_parse_is_a_400(
    client: httpx.AsyncClient,
) -> None:
    """A q that is not a metadata query is refused, not ignored."""
    response = await client.get("/v1/sessions", params={"q": "team = checkout"})

    assert 400 == response.status_code
    assert response.json()["message"].startswith("querystring/q")


# Authentication


async def test_api_needs_the_right_key(emulator: EmulatorServer) -> None:
    """No key or a wrong key gets a 401 Fastify body; the control API needs none."""
    async with httpx.AsyncClient(base_url=emulator.url) as anonymous:
        missing = await anonymous.get("/v1/sessions")
        wrong = await anonymous.get(
            "/v1/sessions", headers={"X-BB-API-Key": "bb_live_wrong"}
        )
        control = await anonymous.get("/_emulator/info")

    assert [401, 401] == [missing.status_code, wrong.status_code]
    assert {"statusCode": 401, "error": "Unauthorized"} == {
        key: wrong.json()[key] for key in ("statusCode", "error")
    }
    assert {
        "projectId": emulator.project_id,
        "apiKey": emulator.api_key,
        "baseUrl": emulator.url,
    } == control.json()


async def test_unknown_route_is_a_fastify_404(client: httpx.AsyncClient) -> None:
    """An unknown API path answers like Fastify does."""
    response = await client.get("/v1/nothing-here")

    assert 404 == response.status_code
    assert "Route GET:/v1/nothing-here not found" == response.json()["message"]


# Faults


async def test_fault_429_carries_retry_after(client: httpx.AsyncClient) -> None:
    """A 429 fault answers with Retry-After and a Fastify body."""
    await client.post("/_emulator/faults", json={"status": 429, "retryAfter": 7})

    response = await client.get("/v1/sessions")

    assert 429 == response.status_code
    assert "7" == response.headers["Retry-After"]
    assert "Too Many Requests" == response.json()["error"]


async def test_fault_times_limits_how_often_it_fires(client: httpx.AsyncClient) -> None:
    """A fault with times=2 fails exactly the next two matching requests."""
    await client.post(
        "/_emulator/faults", json={"status": 503, "times": 2, "path": "/v1/sessions"}
    )

    statuses = [(await client.get("/v1/sessions")).status_code for _ in range(3)]
    projects = await client.get("/v1/projects")

    assert [503, 503, 200] == statuses
    assert 200 == projects.status_code


async def test_fault_matches_method(client: httpx.AsyncClient) -> None:
    """A fault limited to POST leaves GET alone."""
    await client.post("/_emulator/faults", json={"status": 500, "method": "POST"})

    assert 200 == (await client.get("/v1/sessions")).status_code
    assert 500 == (await client.post("/v1/sessions", json={})).status_code


async def test_fault_plain_text_body(client: httpx.AsyncClient) -> None:
    """A fault may answer with a plain body, as a proxy in front of the API would."""
    await client.post(
        "/_emulator/faults", json={"status": 502, "body": "<html>Bad Gateway</html>"}
    )

    response = await client.get("/v1/sessions")

    assert 502 == response.status_code
    assert "<html>Bad Gateway</html>" == response.text


async def test_fault_latency_delays_the_answer(client: httpx.AsyncClient) -> None:
    """A latency fault delays the answer by at least that long, then answers."""
    await client.post("/_emulator/faults", json={"latency": 0.3})

    started = time.monotonic()
    response = await client.get("/v1/sessions")

    assert 200 == response.status_code
    assert time.monotonic() - started >= 0.3


async def test_fault_hang_never_answers_until_cleared(
    client: httpx.AsyncClient, emulator: EmulatorServer
) -> None:
    """A hang outlasts the client's patience; once cleared, requests answer again."""
    await client.post("/_emulator/faults", json={"hang": True})

    with pytest.raises(httpx.ReadTimeout):
        await client.get("/v1/sessions", timeout=0.3)
    pending = asyncio.create_task(client.get("/v1/projects"))
    await wait_until(
        lambda: any(r["path"] == "/v1/projects" for r in emulator.requests)
    )
    await client.delete("/_emulator/faults")

    assert 200 == (await asyncio.wait_for(pending, 5)).status_code
    assert 200 == (await client.get("/v1/sessions")).status_code


async def test_fault_error_rate_is_reproducible(client: httpx.AsyncClient) -> None:
    """An error rate draws the same sequence every time the faults are set afresh."""

    async def run() -> list[int]:
        await client.delete("/_emulator/faults")
        await client.post("/_emulator/faults", json={"status": 500, "errorRate": 0.5})
        return [(await client.get("/v1/projects")).status_code for _ in range(20)]

    first = await run()
    second = await run()

    assert first == second
    assert {200, 500} == set(first)


async def test_fault_refuses_nonsense(client: httpx.AsyncClient) -> None:
    """A fault with an impossible status is refused and not installed."""
    response = await client.post("/_emulator/faults", json={"status": 200})

    assert 400 == response.status_code
    assert {"faults": []} == (await client.get("/_emulator/faults")).json()


# Request log and reset


async def test_request_log_counts_release_calls(client: httpx.AsyncClient) -> None:
    """The request log lists every API call with its status, and can be cleared."""
    session = await place(client)
    await client.get("/v1/sessions", params={"status": "RUNNING"})
    for _ in range(2):
        await client.post(
            f"/v1/sessions/{session['id']}", json={"status": "REQUEST_RELEASE"}
        )

    log = (await client.get("/_emulator/requests")).json()
    releases = [r for r in log if r["method"] == "POST"]
    await client.delete("/_emulator/requests")

    listing = {"method": "GET", "path": "/v1/sessions", "query": {"status": "RUNNING"}}
    assert {**listing, "status": 200} == log[0]
    assert [200, 200] == [r["status"] for r in releases]
    assert [] == (await client.get("/_emulator/requests")).json()


async def test_reset_empties_the_project_and_faults(client: httpx.AsyncClient) -> None:
    """Reset leaves an empty project and no faults."""
    await place(client, status="ERROR")
    await client.post("/_emulator/faults", json={"status": 500, "path": "/v1/projects"})

    await client.post("/_emulator/reset")

    assert [] == await listed(client)
    assert 200 == (await client.get("/v1/projects")).status_code


# Logs and usage


async def test_error_session_logs_show_what_failed(client: httpx.AsyncClient) -> None:
    """An ERROR session logs a failed navigation, a console error, an exception."""
    session = await place(client, status="ERROR")

    logs = (await client.get(f"/v1/sessions/{session['id']}/logs")).json()
    methods = [entry["method"] for entry in logs]
    navigations = [e for e in logs if e["method"] == "Page.navigate"]
    consoles = [
        e["response"]["result"]["type"] for e in logs if "console" in e["method"]
    ]

    assert "net::ERR_NAME_NOT_RESOLVED" in [
        n["response"]["result"].get("errorText") for n in navigations
    ]
    assert "error" in consoles
    assert "Runtime.exceptionThrown" in methods
    assert {session["id"]} == {entry["sessionId"] for entry in logs}


async def test_clean_and_unlogged_sessions(client: httpx.AsyncClient) -> None:
    """A completed session logs no failure; one created without logging logs nothing."""
    clean = await place(client, status="COMPLETED")
    unlogged = await client.post(
        "/v1/sessions", json={"browserSettings": {"logSession": False}}
    )

    logs = (await client.get(f"/v1/sessions/{clean['id']}/logs")).json()
    silent = await client.get(f"/v1/sessions/{unlogged.json()['id']}/logs")

    assert logs
    assert not [
        e for e in logs if "errorText" in e.get("response", {}).get("result", {})
    ]
    assert "Runtime.exceptionThrown" not in [e["method"] for e in logs]
    assert [] == silent.json()


async def test_live_session_log_grows_and_keeps_its_past(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """A live session's log only grows: entries already shown keep their times."""
    session = await place(client, endIn=100, endStatus="ERROR", timeout=600)
    url = f"/v1/sessions/{session['id']}/logs"

    clock.advance(30)
    early = (await client.get(url)).json()
    clock.advance(100)
    late = (await client.get(url)).json()

    assert 0 < len(early) < len(late)
    assert early == late[: len(early)]


async def test_usage_grows_with_sessions(
    client: httpx.AsyncClient, emulator: EmulatorServer
) -> None:
    """Usage counts at least a minute per session, and the proxy bytes it used."""
    url = f"/v1/projects/{emulator.project_id}/usage"
    before = (await client.get(url)).json()

    await place(client, status="COMPLETED", startedAgo=150, endedAgo=0, proxyBytes=10)
    await place(client, status="ERROR", startedAgo=5, endedAgo=0, proxyBytes=5)

    assert {"browserMinutes": 0, "proxyBytes": 0} == before
    assert {"browserMinutes": 4, "proxyBytes": 15} == (await client.get(url)).json()


# Volume


async def test_bulk_history_lists_fast(client: httpx.AsyncClient) -> None:
    """100,000 ended ERROR sessions are created in bulk and listed in under 2 s."""
    response = await client.post(
        "/_emulator/sessions/bulk",
        json={"count": 100_000, "status": "ERROR", "endedAgo": 3600},
    )
    assert {"created": 100_000} == response.json()

    started = time.perf_counter()
    answer = await client.get("/v1/sessions", params={"status": "ERROR"})
    elapsed = time.perf_counter() - started

    assert 200 == answer.status_code
    assert elapsed < 2.0
    assert 100_000 == answer.content.count(b'"status":"ERROR"')


# Scenarios


async def test_demo_scenario_changes_over_time(clock: FakeClock) -> None:
    """The demo starts with two long keep-alive sessions and keeps ending new ones."""
    async with (
        EmulatorServer(scenario="demo", now=clock) as server,
        httpx.AsyncClient(
            base_url=server.url, headers={"X-BB-API-Key": server.api_key}
        ) as client,
    ):
        running = await listed(client, status="RUNNING")
        keep_alive = [s for s in running if s["keepAlive"]]
        before = {s["id"] for s in await listed(client)}

        clock.advance(600)
        fresh = [s for s in await listed(client) if s["id"] not in before]
        failed = [s for s in fresh if s["status"] in ("ERROR", "TIMED_OUT")]
        logs = (await client.get(f"/v1/sessions/{failed[0]['id']}/logs")).json()

    assert 2 == len(keep_alive)
    assert all(
        clock() - parse(s["startedAt"]) >= timedelta(minutes=40) for s in keep_alive
    )
    assert len(running) > len(keep_alive)
    assert len(failed) >= 5
    assert "COMPLETED" in {s["status"] for s in fresh}
    assert "Runtime.exceptionThrown" in [e["method"] for e in logs]


async def test_history_scenario_has_only_ended_sessions(clock: FakeClock) -> None:
    """The history scenario holds 1,000 ended sessions and nothing live."""
    async with (
        EmulatorServer(scenario="history", now=clock) as server,
        httpx.AsyncClient(
            base_url=server.url, headers={"X-BB-API-Key": server.api_key}
        ) as client,
    ):
        sessions = await listed(client)

    assert 1000 == len(sessions)
    assert {"COMPLETED", "ERROR", "TIMED_OUT"} == {s["status"] for s in sessions}


def test_unknown_scenario_names_the_valid_ones() -> None:
    """An unknown scenario is a ValueError listing the scenarios there are."""
    with pytest.raises(ValueError, match="empty, demo, history"):
        EmulatorServer(scenario="busy")
    with pytest.raises(ValueError, match="empty, demo, history"):
        run_emulator("127.0.0.1", 0, "busy", "proj_emulator", "bb_emulator_key")


async def test_run_emulator_prints_its_port_and_stops_on_sigterm() -> None:
    """run_emulator prints where it listens and the env lines; SIGTERM exits 0."""
    script = (
        "from bot.emulator import run_emulator; "
        "raise SystemExit(run_emulator('127.0.0.1', 0, 'demo', 'proj_emulator', "
        "'bb_emulator_key'))"
    )
    env = {"PYTHONPATH": str(REPO), "PATH": os.environ.get("PATH", "")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        lines = [
            (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
            for _ in range(4)
        ]
        banner = re.fullmatch(
            r"Browserbase emulator listening on (http://127\.0\.0\.1:(\d+)) \(project "
            r"proj_emulator, api key bb_emulator_key, scenario demo\)",
            lines[0],
        )
        assert banner is not None, lines
        url = banner.group(1)
        async with httpx.AsyncClient(base_url=url) as client:
            info = (await client.get("/_emulator/info")).json()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)

    assert "0" != banner.group(2)
    assert url == info["baseUrl"]
    assert [
        f"BROWSERBASE_BASE_URL={url}",
        "BROWSERBASE_API_KEY=bb_emulator_key",
        "BROWSERBASE_PROJECT_ID=proj_emulator",
    ] == lines[1:]
    assert 0 == process.returncode, stderr.decode()
