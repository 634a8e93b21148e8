"""What the Slack stand-in remembers: channels, messages, views, files, user groups.

Stored messages have the shape Slack gives them back (``type``, ``ts``, ``user``,
``bot_id``, ``text``, ``blocks`` with their ids...), so a test can hand one straight to
``click()`` as if it had read it in the channel.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.fakes.slack_ids import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    DEFAULT_CHANNELS,
    DEFAULT_SCOPES,
    TEAM_ID,
    TsClock,
)


class ApiError(Exception):
    """A Web API answer ``{"ok": false, "error": ...}`` with any extra fields."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, **self.extra}


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_member: bool = True
    is_archived: bool = False

    def info(self) -> dict[str, Any]:
        """The ``channel`` object of ``conversations.info``."""
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private,
            "is_group": False,
            "is_im": False,
            "is_private": self.is_private,
            "is_member": self.is_member,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "created": 1_600_000_000,
        }


@dataclass
class Ephemeral:
    """A message only ``user`` sees; Slack never returns it through the API."""

    channel: str
    user: str
    message: dict[str, Any]


@dataclass
class UploadedFile:
    id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    channel: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None
    completed: bool = False


class SlackWorkspace:
    def __init__(
        self,
        *,
        scopes: Iterable[str] = DEFAULT_SCOPES,
        channels: Mapping[str, str] | None = None,
        usergroups: Mapping[str, list[str]] | None = None,
    ) -> None:
        self.scopes = list(scopes)
        self.channels: dict[str, Channel] = {}
        for channel_id, name in (channels or DEFAULT_CHANNELS).items():
            self.add_channel(channel_id, name)
        self.usergroups: dict[str, list[str]] = dict(usergroups or {})
        self.clock = TsClock()
        self.ephemerals: list[Ephemeral] = []
        self.home_views: dict[str, dict[str, Any]] = {}
        self.opened_views: list[dict[str, Any]] = []
        self.files: dict[str, UploadedFile] = {}
        self.socket_tickets: set[str] = set()
        # Scheduled messages not yet deleted: scheduled_message_id → channel.
        self.scheduled: dict[str, str] = {}
        # Per channel, every message in post order, thread replies included.
        self._messages: dict[str, list[dict[str, Any]]] = {}

    def add_channel(
        self,
        channel_id: str,
        name: str | None = None,
        *,
        is_private: bool = False,
        is_member: bool = True,
        is_archived: bool = False,
    ) -> Channel:
        channel = Channel(
            channel_id, name or channel_id.lower(), is_private, is_member, is_archived
        )
        self.channels[channel_id] = channel
        return channel

    def channel(self, ref: Any) -> Channel:
        """The channel an id or ``#name`` names, as ``chat.postMessage`` resolves it."""
        if isinstance(ref, str) and ref in self.channels:
            found = self.channels[ref]
        else:
            name = str(ref).removeprefix("#")
            matches = [c for c in self.channels.values() if c.name == name]
            if not matches:
                raise ApiError("channel_not_found")
            found = matches[0]
        # Slack hides private channels from apps that are not in them.
        if found.is_private and not found.is_member:
            raise ApiError("channel_not_found")
        return found

    # -- messages ----------------------------------------------------------------

    def new_message(self, fields: dict[str, Any]) -> dict[str, Any]:
        """A message authored by the bot, with a fresh ``ts``."""
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "ts": self.clock.next(),
        }
        message.update(fields)
        return message

    def store(self, channel: str, message: dict[str, Any]) -> None:
        self._messages.setdefault(channel, []).append(message)
        parent_ts = message.get("thread_ts")
        parent = self.find(channel, parent_ts) if parent_ts else None
        if parent is not None and parent is not message:
            parent["thread_ts"] = parent["ts"]
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            parent["reply_users"] = [BOT_USER_ID]
            parent["latest_reply"] = message["ts"]

    def find(self, channel: str, ts: str) -> dict[str, Any] | None:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        return None

    def messages(
        self, channel: str, *, include_replies: bool = False
    ) -> list[dict[str, Any]]:
        """Messages as the channel shows them (replies only when broadcast)."""
        shown = [
            m
            for m in self._messages.get(channel, [])
            if include_replies or _is_top_level(m) or m.get("reply_broadcast")
        ]
        return copy.deepcopy(shown)

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        found = self.find(channel, ts)
        if found is None:
            stored = [m["ts"] for m in self._messages.get(channel, [])] or "none"
            raise AssertionError(f"no message ts={ts} in {channel}; stored: {stored}")
        return copy.deepcopy(found)

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies under the message ``ts``, oldest first, without the parent."""
        replies = [
            m
            for m in self._messages.get(channel, [])
            if m.get("thread_ts") == ts and m["ts"] != ts
        ]
        return copy.deepcopy(replies)

    def all_channels_with_messages(self) -> list[str]:
        return [c for c, stored in self._messages.items() if stored]


def _is_top_level(message: dict[str, Any]) -> bool:
    thread_ts = message.get("thread_ts")
    return thread_ts is None or thread_ts == message["ts"]
