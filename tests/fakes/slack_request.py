"""How Slack reads a Web API request: arguments, token, and which token fits."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from aiohttp import web

from tests.fakes.slack_workspace import ApiError

# Arguments that arrive as JSON text inside a form field.
_JSON_FIELDS = ("blocks", "attachments", "view", "files", "metadata")
_APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


async def read_args(request: web.Request) -> tuple[dict[str, Any], str | None]:
    """The call's arguments from query and body, and the token that came with it."""
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text='{"ok":false,"error":"invalid_json"}')
        # Slack reads a token only from the header when the body is JSON.
        body.pop("token", None)
        args.update(body)
    elif request.can_read_body:
        form = await request.post()
        args.update({k: v for k, v in form.items() if isinstance(v, str)})

    token = args.pop("token", None)
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        token = authorization.removeprefix("Bearer ").strip()

    for key in _JSON_FIELDS:
        if isinstance(args.get(key), str):
            # Left as text when it is not JSON: the method answers invalid_arguments.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args, token


def authenticate(method: str, token: str | None, *, bot: str, app: str) -> None:
    """Raise Slack's error unless ``token`` is the kind ``method`` wants."""
    if not token:
        raise ApiError("not_authed")
    # Socket Mode wants the app-level token, every other method a bot token.
    wanted, other = (app, bot) if method in _APP_TOKEN_METHODS else (bot, app)
    if token == other:
        raise ApiError("not_allowed_token_type")
    if token != wanted:
        raise ApiError("invalid_auth")
