"""The ``response_url`` end: where Bolt's ``respond()`` posts its answers.

Each URL is issued by the stand-in, like the one Slack puts in a slash command or a
click, and accepts a limited number of posts; a URL it never issued is refused, so a
test notices when the bot answers somewhere it should not.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from tests.fakes.slack_records import Fault, Response

logger = logging.getLogger(__name__)

FAULT_NAME = "response_url"


class ResponseSink:
    def __init__(
        self,
        base_url: Callable[[], str],
        faults: Callable[[str, dict[str, Any]], Fault | None],
        changed: Callable[[], Awaitable[None]],
        *,
        max_uses: int,
    ) -> None:
        self._base_url = base_url
        self._faults = faults
        self._changed = changed
        self._max_uses = max_uses
        self._uses: dict[str, int] = {}
        self.responses: list[Response] = []

    def issue(self) -> str:
        response_id = uuid.uuid4().hex[:12]
        self._uses[response_id] = 0
        return f"{self._base_url()}respond/{response_id}"

    def for_url(self, url_or_id: str | None) -> list[Response]:
        if url_or_id is None:
            return list(self.responses)
        response_id = url_or_id.rstrip("/").rsplit("/", 1)[-1]
        return [r for r in self.responses if r.id == response_id]

    async def handle(self, request: web.Request) -> web.Response:
        response_id = request.match_info["id"]
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            body = {"unparsed": True}
        status, answer = self._answer(response_id, body)

        record = Response(
            response_id, str(request.url), body, CIMultiDict(request.headers), status
        )
        self.responses.append(record)
        logger.debug("response_url_post id=%s status=%s", response_id, status)
        await self._changed()
        return web.json_response(answer, status=status)

    def _answer(self, response_id: str, body: Any) -> tuple[int, dict[str, Any]]:
        fault = self._faults(FAULT_NAME, {})
        if fault is not None:
            return fault.status, {"ok": False, "error": fault.error}
        if response_id not in self._uses:
            return 404, {"ok": False, "error": "expired_url"}
        if self._uses[response_id] >= self._max_uses:
            return 404, {"ok": False, "error": "used_url"}
        if not isinstance(body, dict) or "unparsed" in body:
            return 400, {"ok": False, "error": "invalid_payload"}
        self._uses[response_id] += 1
        return 200, {"ok": True}
