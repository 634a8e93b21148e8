"""Which channels an alert goes to: subscriptions, their metadata filters, the default.

Pure functions: the poller hands in the subscriptions it read and gets channels back.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from bot.models import ERROR, TIMED_OUT, Session

ERRORS = "errors"
TIMEOUTS = "timeouts"
KEEPALIVE = "keepalive"
ALL = "all"
KINDS = (ERRORS, TIMEOUTS, KEEPALIVE, ALL)


class SubscriptionLike(Protocol):
    @property
    def channel(self) -> str: ...
    @property
    def kinds(self) -> str: ...
    @property
    def metadata(self) -> Mapping[str, str]: ...


def kind_of(status: str) -> str | None:
    """The alert kind a final status belongs to, or None when it raises no alert."""
    return {ERROR: ERRORS, TIMED_OUT: TIMEOUTS}.get(status)


def metadata_value(metadata: Mapping[str, Any], key: str) -> str | None:
    """A metadata value as text; ``team.name`` reaches into nested objects."""
    value: Any = metadata
    if key in metadata:
        value = metadata[key]
    else:
        for part in key.split("."):
            if not isinstance(value, Mapping) or part not in value:
                return None
            value = value[part]
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def matches(metadata_filter: Mapping[str, str], metadata: Mapping[str, Any]) -> bool:
    return all(
        metadata_value(metadata, key) == wanted
        for key, wanted in metadata_filter.items()
    )


def channels_for(
    session: Session,
    kind: str,
    subscriptions: Sequence[SubscriptionLike],
    default_channel: str | None,
) -> list[str]:
    """Channels that want this alert, in a stable order, each once.

    The default channel stands in only while no channel has subscribed at all.
    """
    if not subscriptions:
        return [default_channel] if default_channel else []
    channels: dict[str, None] = {}
    for sub in subscriptions:
        if sub.kinds not in (kind, ALL):
            continue
        if matches(sub.metadata, session.user_metadata):
            channels[sub.channel] = None
    return list(channels)


def recurring_key(session: Session) -> str | None:
    """A fingerprint of "the same job failing the same way" (None: no metadata)."""
    if not session.user_metadata:
        return None
    body = json.dumps(
        [session.status, session.user_metadata], sort_keys=True, default=str
    )
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def group_key(sessions: Iterable[Session]) -> str | None:
    """The metadata key that best sorts a storm: present in most sessions, shared."""
    present: Counter[str] = Counter()
    values: dict[str, set[str]] = {}
    for session in sessions:
        for key, value in session.user_metadata.items():
            present[key] += 1
            values.setdefault(key, set()).add(str(value))
    useful = [
        (count, key)
        for key, count in present.items()
        if len(values[key]) < max(2, count)  # a key unique per session sorts nothing
    ]
    if not useful:
        return None
    useful.sort(key=lambda item: (-item[0], item[1]))
    return useful[0][1]
