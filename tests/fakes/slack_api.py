"""A loopback stand-in for Slack: Web API, ``response_url`` and Socket Mode.

One aiohttp server on 127.0.0.1 and a free port serves:

- ``/api/<method>``: the Web API methods the bot calls (``slack_methods``), with
  Slack's token checks, scopes and error codes, and faults on demand;
- ``/upload/<file_id>``: the upload URL ``files.getUploadURLExternal`` hands out;
- ``/respond/<id>``: ``response_url`` endpoints (``slack_respond``);
- ``/socket``: the Socket Mode WebSocket (``slack_socket``).

Every request is recorded, and tests await records instead of sleeping::

    async with FakeSlack() as slack:
        ...  # start the bot with SLACK_API_URL=slack.api_url
        [call] = await slack.wait_for("chat.postMessage")
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from tests.fakes.slack_ids import APP_TOKEN, BOT_TOKEN, DEFAULT_SCOPES
from tests.fakes.slack_methods import METHODS
from tests.fakes.slack_records import Call, Fault, Response
from tests.fakes.slack_request import authenticate, read_args
from tests.fakes.slack_respond import ResponseSink
from tests.fakes.slack_socket import SocketModeStandIn
from tests.fakes.slack_waiting import CallMatch, Changes, call_matcher, describe_calls
from tests.fakes.slack_workspace import (
    ApiError,
    Channel,
    Ephemeral,
    SlackWorkspace,
    UploadedFile,
)

logger = logging.getLogger(__name__)


class FakeSlack:
    """Slack's side of every conversation with the bot, on loopback.

    ``calls`` holds every Web API request in arrival order, failed ones included
    (see ``Call.ok``); uploads to the upload URL appear as method ``"upload"``.
    The workspace starts with the channels ``C0ALERTS`` and ``C0GENERAL``, the
    bot token ``xoxb-test-token`` and the app token ``xapp-test-token``.
    """

    def __init__(
        self,
        *,
        token: str = BOT_TOKEN,
        app_token: str = APP_TOKEN,
        scopes: Iterable[str] = DEFAULT_SCOPES,
        channels: Mapping[str, str] | None = None,
        usergroups: Mapping[str, list[str]] | None = None,
        response_url_max_uses: int = 5,
    ) -> None:
        self.token = token
        self.app_token = app_token
        self.workspace = SlackWorkspace(
            scopes=scopes, channels=channels, usergroups=usergroups
        )
        self.calls: list[Call] = []
        self._faults: list[Fault] = []
        self._down = False
        self._changes = Changes()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self.socket = SocketModeStandIn(self.workspace, self._changes.notify)
        self.sink = ResponseSink(
            lambda: self.url,
            self._take_fault,
            self._changes.notify,
            max_uses=response_url_max_uses,
        )

    # -- lifecycle ---------------------------------------------------------------

    async def start(self) -> FakeSlack:
        self._changes.start()
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/respond/{id}", self.sink.handle)
        app.router.add_get("/socket", self.socket.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self._url = f"http://127.0.0.1:{port}/"
        logger.debug("fake_slack_started url=%s", self._url)
        return self

    async def close(self) -> None:
        await self.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("FakeSlack is not started: use `async with FakeSlack()`")
        return self._url

    @property
    def api_url(self) -> str:
        """The value for ``SLACK_API_URL``."""
        return f"{self.url}api/"

    # -- workspace state -----------------------------------------------------------

    @property
    def usergroups(self) -> dict[str, list[str]]:
        return self.workspace.usergroups

    @property
    def channels(self) -> dict[str, Channel]:
        return self.workspace.channels

    @property
    def scopes(self) -> list[str]:
        return self.workspace.scopes

    def add_channel(
        self,
        channel_id: str,
        name: str | None = None,
        *,
        is_private: bool = False,
        is_member: bool = True,
        is_archived: bool = False,
    ) -> Channel:
        return self.workspace.add_channel(
            channel_id,
            name,
            is_private=is_private,
            is_member=is_member,
            is_archived=is_archived,
        )

    def messages(
        self, channel: str, *, include_replies: bool = False
    ) -> list[dict[str, Any]]:
        """The channel's messages now, edits applied, in post order.

        Thread replies show only when broadcast, as in the channel itself; pass
        ``include_replies=True`` for all of them, or read ``thread()``.
        """
        return self.workspace.messages(channel, include_replies=include_replies)

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """The message ``ts`` as it is now; AssertionError when there is none."""
        return self.workspace.message(channel, ts)

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """Replies to the message ``ts``, oldest first, without the parent."""
        return self.workspace.thread(channel, ts)

    def ephemerals(
        self, channel: str | None = None, user: str | None = None
    ) -> list[Ephemeral]:
        """Ephemeral messages posted with chat.postEphemeral, filtered."""
        return [
            e
            for e in self.workspace.ephemerals
            if channel in (None, e.channel) and user in (None, e.user)
        ]

    @property
    def home_views(self) -> dict[str, dict[str, Any]]:
        """The last Home tab published per user id."""
        return self.workspace.home_views

    @property
    def opened_views(self) -> list[dict[str, Any]]:
        return self.workspace.opened_views

    def uploads(self, channel: str | None = None) -> list[UploadedFile]:
        """Files whose upload was completed (only those shared to ``channel``)."""
        return [
            f
            for f in self.workspace.files.values()
            if f.completed and channel in (None, f.channel)
        ]

    # -- recorded calls --------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """The calls to ``method`` so far, in arrival order."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self, match: CallMatch, *, count: int = 1, timeout: float = 10
    ) -> list[Call]:
        """The calls that ``match`` (method name or predicate), once ``count`` came."""
        matches, wanted = call_matcher(match)

        def found() -> list[Call]:
            return [c for c in self.calls if matches(c)]

        await self._changes.until(
            lambda: len(found()) >= count,
            timeout,
            lambda: (
                f"waited {timeout}s for {count} {wanted}, got {len(found())}.\n"
                + self.describe_calls()
            ),
        )
        return found()

    def describe_calls(self) -> str:
        """Every call so far, one line each: what a failing test should print."""
        return describe_calls(self.calls)

    # -- faults --------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        times: int | None = 1,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` with HTTP ``status``.

        ``method`` may be ``"*"`` (every method) or ``"response_url"``. 429 and 503
        carry ``Retry-After: retry_after``.
        """
        header = retry_after if status in (429, 503) else None
        self._faults.append(Fault.http(method, status, header, times))

    def error(
        self,
        method: str,
        error: str = "channel_not_found",
        *,
        channel: str | None = None,
        times: int | None = None,
    ) -> None:
        """Answer calls to ``method`` (in ``channel`` only, if given) with ``error``."""
        fault = Fault(method, 200, error, channel=channel, remaining=times)
        self._faults.append(fault)

    def clear_faults(self) -> None:
        self._faults.clear()

    def set_down(self, down: bool = True) -> None:
        """While down, every Web API method answers HTTP 503."""
        self._down = down

    def _take_fault(self, method: str, args: dict[str, Any]) -> Fault | None:
        for fault in self._faults:
            if fault.applies(method, args):
                fault.use()
                return fault
        return None

    # -- response_url ------------------------------------------------------------

    def response_url(self) -> str:
        """A fresh ``response_url`` on this server, to put into a command or a click."""
        return self.sink.issue()

    def responses(self, url_or_id: str | None = None) -> list[Response]:
        """What was posted to one ``response_url`` (or to all of them), in order."""
        return self.sink.for_url(url_or_id)

    async def wait_for_response(
        self, url: str, *, count: int = 1, timeout: float = 10
    ) -> list[Response]:
        """The posts to ``url``, once at least ``count`` arrived."""

        def described() -> str:
            posted = [r.summary() for r in self.sink.responses]
            return (
                f"waited {timeout}s for {count} post(s) to {url}, "
                f"got {len(self.responses(url))}. All response_url posts: "
                f"{posted or 'none'}\n{self.describe_calls()}"
            )

        await self._changes.until(
            lambda: len(self.responses(url)) >= count, timeout, described
        )
        return self.responses(url)

    # -- Socket Mode ---------------------------------------------------------------

    async def socket_connected(self, *, count: int = 1, timeout: float = 10) -> None:
        """Wait until ``count`` connections were made and one is open."""
        await self._changes.until(
            lambda: self.socket.connections >= count and self.socket.is_open,
            timeout,
            lambda: (
                f"waited {timeout}s for Socket Mode connection #{count}; "
                f"{self.socket.connections} made, open: {self.socket.is_open}.\n"
                + self.describe_calls()
            ),
        )

    async def socket_send(
        self, envelope_type: str, payload: dict[str, Any], **options: Any
    ) -> dict[str, Any]:
        """Send an envelope to the app and return its ack (``SocketModeStandIn``)."""
        return await self.socket.send(envelope_type, payload, **options)

    async def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message; the client should reconnect."""
        await self.socket.disconnect(reason)

    @property
    def socket_acks(self) -> list[dict[str, Any]]:
        return self.socket.acks

    # -- HTTP handlers -------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args, token = await read_args(request)
        status, body, headers = self._answer(method, args, token)

        call = Call(method, args, CIMultiDict(request.headers), status, body)
        self.calls.append(call)
        logger.debug("fake_slack_call %s", call.summary())
        await self._changes.notify()
        return web.json_response(body, status=status, headers=headers)

    def _answer(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if self._down:
            return 503, {"ok": False, "error": "service_unavailable"}, {}
        fault = self._take_fault(method, args)
        if fault is not None:
            return fault.status, {"ok": False, "error": fault.error}, fault.headers()

        headers = {"x-oauth-scopes": ",".join(self.scopes)}
        try:
            authenticate(method, token, bot=self.token, app=self.app_token)
            handler = METHODS.get(method)
            if handler is None:
                raise ApiError("unknown_method", req_method=method)
            body = handler(self.workspace, args, self.url)
        except ApiError as error:
            body = error.body()
        return 200, body, headers

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        data = await request.read()
        uploaded = self.workspace.files.get(file_id)
        status = 404 if uploaded is None else 200
        if uploaded is not None:
            uploaded.content = data

        args = {"file_id": file_id, "length": len(data)}
        answer = {"ok": uploaded is not None}
        headers = CIMultiDict(request.headers)
        self.calls.append(Call("upload", args, headers, status, answer))
        await self._changes.notify()
        text = "Not found" if uploaded is None else f"OK - {len(data)}"
        return web.Response(status=status, text=text, content_type="text/plain")
