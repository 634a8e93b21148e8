"""Requests to the bot's ``/slack/events``, signed exactly as Slack signs them.

Slack signs ``v0:{timestamp}:{raw body}`` with HMAC-SHA256 and the app's signing
secret; the bot must refuse a wrong signature and a timestamp more than five minutes
off. ``SlackSender`` posts the payloads of ``slack_payloads`` with those headers, and
can spoil either on purpose.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.fakes.slack_ids import VERIFICATION_TOKEN
from tests.fakes.slack_payloads import (
    app_home_opened,
    block_actions_payload,
    click,
    event_callback,
    new_trigger_id,
    slash_command_form,
)

__all__ = [
    "FORM",
    "JSON",
    "SlackSender",
    "app_home_opened",
    "block_actions_payload",
    "click",
    "event_callback",
    "new_trigger_id",
    "sign",
    "slash_command_form",
]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def sign(
    secret: str,
    body: bytes,
    timestamp: int | None = None,
    *,
    content_type: str = FORM,
) -> dict[str, str]:
    """The headers Slack sends with ``body``: signature, timestamp, content type."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


class SlackSender:
    """Posts slash commands, clicks and events to a running app as Slack would.

    ``response_urls`` (such as ``FakeSlack.response_url``) fills in the
    ``response_url`` of commands that do not name one; the last one used is kept in
    ``last_response_url``.
    """

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        http: httpx.AsyncClient,
        *,
        response_urls: Callable[[], str] | None = None,
        path: str = "/slack/events",
    ) -> None:
        self.url = app_url.rstrip("/") + path
        self._secret = signing_secret
        self._http = http
        self._response_urls = response_urls
        self.last_response_url: str | None = None

    async def command(
        self,
        text: str,
        *,
        tamper: bool = False,
        timestamp_offset: int = 0,
        **form: Any,
    ) -> httpx.Response:
        """``/browserbase text``; ``form`` overrides ``slash_command_form`` fields."""
        if "response_url" not in form:
            if self._response_urls is None:
                raise TypeError(
                    "command() needs response_url= or a sender with response_urls"
                )
            form["response_url"] = self._response_urls()
        self.last_response_url = form["response_url"]
        body = urlencode(slash_command_form(text, **form)).encode()
        return await self.post(
            body, FORM, tamper=tamper, timestamp_offset=timestamp_offset
        )

    async def action(
        self,
        payload: dict[str, Any],
        *,
        tamper: bool = False,
        timestamp_offset: int = 0,
    ) -> httpx.Response:
        """An interactive payload (``block_actions``...) as form field ``payload``."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post(
            body, FORM, tamper=tamper, timestamp_offset=timestamp_offset
        )

    async def event(
        self,
        event: dict[str, Any],
        *,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        tamper: bool = False,
        timestamp_offset: int = 0,
        **envelope: Any,
    ) -> httpx.Response:
        """An Events API ``event_callback``; ``retry_num`` marks a redelivery."""
        body = json.dumps(event_callback(event, **envelope)).encode()
        headers = {}
        if retry_num is not None:
            headers = {
                "X-Slack-Retry-Num": str(retry_num),
                "X-Slack-Retry-Reason": retry_reason,
            }
        return await self.post(
            body,
            JSON,
            tamper=tamper,
            timestamp_offset=timestamp_offset,
            headers=headers,
        )

    async def url_verification(self, challenge: str) -> httpx.Response:
        """The handshake Slack makes when the Events request URL is saved."""
        body = {
            "token": VERIFICATION_TOKEN,
            "challenge": challenge,
            "type": "url_verification",
        }
        return await self.post(json.dumps(body).encode(), JSON)

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        tamper: bool = False,
        timestamp_offset: int = 0,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Post ``body`` signed as Slack would, or spoiled on purpose.

        ``tamper`` breaks the signature; ``timestamp_offset`` moves the signed
        timestamp (-400 makes it stale).
        """
        timestamp = int(time.time()) + timestamp_offset
        signed = sign(self._secret, body, timestamp, content_type=content_type)
        if tamper:
            signature = signed["X-Slack-Signature"]
            flipped = "1" if signature[-1] != "1" else "2"
            signed["X-Slack-Signature"] = signature[:-1] + flipped
        signed.update(headers or {})
        return await self._http.post(self.url, content=body, headers=signed)
