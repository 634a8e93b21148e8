"""The Web API methods the Slack stand-in answers, one function each.

Each takes the workspace, the decoded arguments and the stand-in's base URL, and
returns the body Slack would answer, or raises ``ApiError`` with Slack's error code.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable
from typing import Any

from tests.fakes.blockkit import (
    MESSAGE_MAX_BLOCKS,
    VIEW_MAX_BLOCKS,
    block_errors,
    with_ids,
)
from tests.fakes.slack_ids import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    BOT_USER_NAME,
    TEAM_DOMAIN,
    TEAM_ID,
    TEAM_NAME,
)
from tests.fakes.slack_workspace import (
    ApiError,
    Channel,
    Ephemeral,
    SlackWorkspace,
    UploadedFile,
)

Method = Callable[[SlackWorkspace, dict[str, Any], str], dict[str, Any]]

_MAX_TEXT = 40_000
_MODAL_TITLE_MAX = 24


def auth_test(ws: SlackWorkspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    return {
        "ok": True,
        "url": f"https://{TEAM_DOMAIN}.slack.com/",
        "team": TEAM_NAME,
        "user": BOT_USER_NAME,
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


def chat_post_message(
    ws: SlackWorkspace, args: dict[str, Any], base: str
) -> dict[str, Any]:
    require_scope(ws, "chat:write")
    channel = _writable_channel(ws, args.get("channel"))
    message = ws.new_message({})
    message.update(_content(args, seed=message["ts"], required=True))
    if args.get("thread_ts"):
        message["thread_ts"] = str(args["thread_ts"])
        message["parent_user_id"] = BOT_USER_ID
        if _truthy(args.get("reply_broadcast")):
            message["reply_broadcast"] = True
    if args.get("metadata"):
        message["metadata"] = args["metadata"]
    ws.store(channel.id, message)
    answer = {"ok": True, "channel": channel.id, "ts": message["ts"]}
    return {**answer, "message": copy.deepcopy(message)}


def chat_update(ws: SlackWorkspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    require_scope(ws, "chat:write")
    channel = ws.channel(args.get("channel"))
    message = ws.find(channel.id, str(args.get("ts")))
    if message is None:
        raise ApiError("message_not_found")

    # Slack keeps what the update leaves out; an empty list clears blocks.
    changes = _content(args, seed=f"{message['ts']}/edit", required=False)
    if not any(
        changes.get(k, message.get(k)) for k in ("text", "blocks", "attachments")
    ):
        raise ApiError("no_text")
    message.update(changes)
    message["edited"] = {"user": BOT_USER_ID, "ts": ws.clock.next()}

    answer = {"ok": True, "channel": channel.id, "ts": message["ts"]}
    return {
        **answer,
        "text": message.get("text", ""),
        "message": copy.deepcopy(message),
    }


def chat_post_ephemeral(
    ws: SlackWorkspace, args: dict[str, Any], base: str
) -> dict[str, Any]:
    require_scope(ws, "chat:write")
    channel = _writable_channel(ws, args.get("channel"))
    if not args.get("user"):
        raise ApiError("user_not_in_channel")
    message = ws.new_message({})
    message.update(_content(args, seed=message["ts"], required=True))
    if args.get("thread_ts"):
        message["thread_ts"] = str(args["thread_ts"])
    ws.ephemerals.append(Ephemeral(channel.id, str(args["user"]), message))
    return {"ok": True, "message_ts": message["ts"]}


def chat_schedule_message(
    ws: SlackWorkspace, args: dict[str, Any], base: str
) -> dict[str, Any]:
    require_scope(ws, "chat:write")
    channel = _writable_channel(ws, args.get("channel"))
    try:
        post_at = int(args.get("post_at") or 0)
    except (TypeError, ValueError):
        raise ApiError("invalid_time") from None
    if post_at <= int(time.time()):
        raise ApiError("time_in_past")
    _content(args, seed=str(post_at), required=True)
    scheduled_id = f"Q{len(ws.scheduled) + 1:08d}"
    ws.scheduled[scheduled_id] = channel.id
    return {
        "ok": True,
        "channel": channel.id,
        "scheduled_message_id": scheduled_id,
        "post_at": post_at,
    }


def chat_delete_scheduled_message(
    ws: SlackWorkspace, args: dict[str, Any], base: str
) -> dict[str, Any]:
    require_scope(ws, "chat:write")
    scheduled_id = str(args.get("scheduled_message_id") or "")
    if ws.scheduled.get(scheduled_id) != args.get("channel"):
        raise ApiError("invalid_scheduled_message_id")
    del ws.scheduled[scheduled_id]
    return {"ok": True}


def views_publish(
    ws: SlackWorkspace, args: dict[str, Any], base: str
) -> dict[str, Any]:
    user_id = args.get("user_id")
    view = _view(args, kind="home")
    if not user_id:
        raise ApiError("invalid_arguments")
    stored = _stored_view(view, ws)
    ws.home_views[str(user_id)] = stored
    return {"ok": True, "view": copy.deepcopy(stored)}


def views_open(ws: SlackWorkspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    if not args.get("trigger_id"):
        raise ApiError("invalid_arguments")
    view = _view(args, kind="modal")
    title = view.get("title", {}).get("text", "")
    if not title or len(title) > _MODAL_TITLE_MAX:
        limit = _MODAL_TITLE_MAX + 1
        pointer = "[json-pointer:/view/title/text]"
        raise _invalid_arguments(f"must be less than {limit} characters {pointer}")
    stored = _stored_view(view, ws)
    ws.opened_views.append(stored)
    return {"ok": True, "view": copy.deepcopy(stored)}


def usergroups_users_list(
    ws: SlackWorkspace, args: dict[str, Any], base: str
) -> dict[str, Any]:
    require_scope(ws, "usergroups:read")
    group = args.get("usergroup")
    if group not in ws.usergroups:
        raise ApiError("no_such_subteam")
    return {"ok": True, "users": list(ws.usergroups[group])}


def conversations_info(
    ws: SlackWorkspace, args: dict[str, Any], base: str
) -> dict[str, Any]:
    if not {"channels:read", "groups:read"} & set(ws.scopes):
        raise _missing_scope(ws, "channels:read,groups:read,mpim:read,im:read")
    channel = ws.channel(args.get("channel"))
    require_scope(ws, "groups:read" if channel.is_private else "channels:read")
    return {"ok": True, "channel": channel.info()}


def files_get_upload_url_external(
    ws: SlackWorkspace, args: dict[str, Any], base: str
) -> dict[str, Any]:
    require_scope(ws, "files:write")
    filename, length = args.get("filename"), args.get("length")
    if not filename or not str(length or "").isdigit():
        raise ApiError("invalid_arguments")
    file_id = f"F{len(ws.files) + 1:010d}"
    ws.files[file_id] = UploadedFile(file_id, str(filename), int(str(length)))
    return {"ok": True, "upload_url": f"{base}upload/{file_id}", "file_id": file_id}


def files_complete_upload_external(
    ws: SlackWorkspace, args: dict[str, Any], base: str
) -> dict[str, Any]:
    require_scope(ws, "files:write")
    entries = args.get("files")
    if not isinstance(entries, list) or not entries:
        raise ApiError("invalid_arguments")
    channel = (
        _writable_channel(ws, args["channel_id"]) if args.get("channel_id") else None
    )

    shared = []
    for entry in entries:
        uploaded = ws.files.get(str(entry.get("id")))
        if uploaded is None or uploaded.content is None:
            raise ApiError("file_not_found")
        uploaded.title = entry.get("title") or uploaded.filename
        uploaded.channel = channel.id if channel else None
        uploaded.thread_ts = args.get("thread_ts")
        uploaded.initial_comment = args.get("initial_comment")
        uploaded.completed = True
        shared.append(_file_object(uploaded))
    return {"ok": True, "files": shared}


def apps_connections_open(
    ws: SlackWorkspace, args: dict[str, Any], base: str
) -> dict[str, Any]:
    ticket = str(uuid.uuid4())
    ws.socket_tickets.add(ticket)
    socket_base = "ws" + base.removeprefix("http")
    return {"ok": True, "url": f"{socket_base}socket?ticket={ticket}&app_id={APP_ID}"}


METHODS: dict[str, Method] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.scheduleMessage": chat_schedule_message,
    "chat.deleteScheduledMessage": chat_delete_scheduled_message,
    "views.publish": views_publish,
    "views.open": views_open,
    "usergroups.users.list": usergroups_users_list,
    "conversations.info": conversations_info,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
    "apps.connections.open": apps_connections_open,
}


def require_scope(ws: SlackWorkspace, scope: str) -> None:
    if scope not in ws.scopes:
        raise _missing_scope(ws, scope)


def _missing_scope(ws: SlackWorkspace, needed: str) -> ApiError:
    return ApiError("missing_scope", needed=needed, provided=",".join(ws.scopes))


def _writable_channel(ws: SlackWorkspace, ref: Any) -> Channel:
    channel = ws.channel(ref)
    if channel.is_archived:
        raise ApiError("is_archived")
    # A private channel the bot was not invited to does not exist, as far as it knows.
    if channel.is_private and not channel.is_member:
        raise ApiError("channel_not_found")
    # Without chat:write.public an app posts only where it has been invited.
    if not channel.is_member and "chat:write.public" not in ws.scopes:
        raise ApiError("not_in_channel")
    return channel


def _content(args: dict[str, Any], *, seed: str, required: bool) -> dict[str, Any]:
    """``text``, ``blocks`` and ``attachments`` of a message, checked as Slack does."""
    content: dict[str, Any] = {}
    if "text" in args and args["text"] is not None:
        content["text"] = str(args["text"])[:_MAX_TEXT]
    if args.get("blocks") is not None:
        errors = block_errors(args["blocks"], max_blocks=MESSAGE_MAX_BLOCKS)
        if errors:
            raise _invalid_blocks(errors)
        content["blocks"] = with_ids(args["blocks"], seed)
    if args.get("attachments") is not None:
        content["attachments"] = copy.deepcopy(args["attachments"])
    if required and not any(content.values()):
        raise ApiError("no_text")
    if required:
        content.setdefault("text", "")
    return content


def _view(args: dict[str, Any], *, kind: str) -> dict[str, Any]:
    view = args.get("view")
    if not isinstance(view, dict) or view.get("type") != kind:
        raise _invalid_arguments(f"must be a {kind} view [json-pointer:/view/type]")
    errors = block_errors(view.get("blocks", []), max_blocks=VIEW_MAX_BLOCKS)
    if errors:
        raise _invalid_arguments(
            *(e.replace(":/blocks", ":/view/blocks") for e in errors)
        )
    return view


def _stored_view(view: dict[str, Any], ws: SlackWorkspace) -> dict[str, Any]:
    view_id = f"V{len(ws.home_views) + len(ws.opened_views) + 1:010d}"
    stored = copy.deepcopy(view)
    stored.update(
        id=view_id,
        team_id=TEAM_ID,
        app_id=APP_ID,
        bot_id=BOT_ID,
        blocks=with_ids(view.get("blocks", []), view_id),
        state={"values": {}},
        hash=f"{view_id}.hash",
    )
    stored.setdefault("private_metadata", "")
    stored.setdefault("callback_id", "")
    return stored


def _file_object(uploaded: UploadedFile) -> dict[str, Any]:
    return {
        "id": uploaded.id,
        "name": uploaded.filename,
        "title": uploaded.title,
        "size": len(uploaded.content or b""),
        "user": BOT_USER_ID,
    }


def _invalid_blocks(errors: list[str]) -> ApiError:
    metadata = {"messages": [f"[ERROR] {e}" for e in errors]}
    return ApiError("invalid_blocks", errors=errors, response_metadata=metadata)


def _invalid_arguments(*errors: str) -> ApiError:
    metadata = {"messages": [f"[ERROR] {e}" for e in errors]}
    return ApiError("invalid_arguments", response_metadata=metadata)


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")
