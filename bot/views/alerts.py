"""Alerts: one failed session in words, a storm in one message, and edits in place.

Every outside string (metadata, region, log lines) is escaped and clipped here. The
headline block carries a fixed block id, so `session_ended_update` can rewrite it in the
message Slack hands back, whichever view posted it.
"""

from __future__ import annotations

import copy
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.logsummary import LogLine, LogSummary
from bot.models import COMPLETED, ERROR, SESSIONS_URL, TIMED_OUT, Session
from bot.views.actions import DETAILS, MUTE, OPEN_LINK
from bot.views.describe import end_reason, status_icon, status_label
from bot.views.text import (
    clip,
    code,
    escape,
    human_bytes,
    human_duration,
    link,
    slack_date,
    truncate,
)

Block = dict[str, Any]

HEADLINE_BLOCK_ID = "bb_headline"
# Blocks whose numbers hold only while the session runs (age, time left).
LIVE_BLOCK_ID = "bb_live"
ENDED_NOTE_BLOCK_ID = "bb_ended_note"
MUTE_SECONDS = "3600"

_MAX_BLOCKS = 50
_SUMMARY_LINES = 8
_THREAD_SUMMARY_LINES = 3
_EXAMPLES = 5
_TOP_VALUES = 5
_OUTCOMES = {
    ERROR: "ended in an error",
    TIMED_OUT: "timed out",
    COMPLETED: "was released",
}
_KIND_ICONS = {
    "navigation": ":compass:",
    "request": ":globe_with_meridians:",
    "console": ":speech_balloon:",
    "exception": ":boom:",
}


# Describing a session (keepalive.py and home.py use these too).


def short_id(session_id: str) -> str:
    """The first 8 characters: enough to tell sessions apart in a channel."""
    return session_id[:8]


def session_noun(session: Session) -> str:
    return "Keep-alive session" if session.keep_alive else "Session"


def metadata_mrkdwn(
    metadata: Mapping[str, Any], *, pairs: int = 4, limit: int = 60
) -> str:
    """``job `checkout` · env `prod` · 2 more``, mrkdwn-safe; ``none`` when empty."""
    if not metadata:
        return "none"
    items = list(metadata.items())
    shown = [
        f"{clip(_one_line(key), 40)} {code(_one_line(_as_text(value)), limit)}"
        for key, value in items[:pairs]
    ]
    if len(items) > pairs:
        shown.append(f"{len(items) - pairs} more")
    return " · ".join(shown)


def metadata_plain(metadata: Mapping[str, Any], limit: int) -> str:
    """``job=checkout, env=prod``, escaped and clipped to ``limit`` characters."""
    pairs = ", ".join(f"{key}={_as_text(value)}" for key, value in metadata.items())
    return clip(_one_line(pairs), limit)


def headline(session: Session, *, now: datetime, default_timeout: int | None) -> str:
    """``:red_circle: Session `abc12345` ended in an error after 42 s``."""
    reason = end_reason(session, default_timeout, now)
    noun = session_noun(session)
    return f"{status_icon(session.status)} {noun} {code(short_id(session.id))} {reason}"


def outcome(status: str) -> str:
    """How a session ended, in a few words: ``ended in an error``, ``timed out``."""
    return _OUTCOMES.get(status) or clip(status_label(status), 40)


def date_or_na(when: datetime | None) -> str:
    return slack_date(when) if when is not None else "n/a"


# One alert.


def alert_message(
    session: Session,
    *,
    now: datetime,
    default_timeout: int | None,
    summary: LogSummary | None,
) -> dict[str, Any]:
    """The channel alert for a session that ended in an error or timed out."""
    blocks = [
        _section(
            headline(session, now=now, default_timeout=default_timeout),
            block_id=HEADLINE_BLOCK_ID,
        ),
        _fields(_session_fields(session, now)),
        _section(_summary_text(summary, lines=_SUMMARY_LINES)),
        _actions(
            _button("Mute 1 hour", MUTE, MUTE_SECONDS),
            _button("Details", DETAILS, session.id),
            _link_button("Open in Session Inspector", session.inspector_url),
        ),
    ]
    return _message(_fallback(session, now, default_timeout), blocks)


def alert_thread_reply(
    session: Session,
    *,
    now: datetime,
    default_timeout: int | None,
    summary: LogSummary | None,
) -> dict[str, Any]:
    """A compact alert for a thread: headline, a line of facts, the top log lines."""
    facts = " · ".join(
        [
            link(session.inspector_url, "Session Inspector"),
            clip(session.region or "unknown region", 100),
            f"proxy {human_bytes(session.proxy_bytes)}",
            f"metadata {metadata_mrkdwn(session.user_metadata, pairs=3, limit=40)}",
        ]
    )
    blocks = [
        _section(
            headline(session, now=now, default_timeout=default_timeout),
            block_id=HEADLINE_BLOCK_ID,
            accessory=_button("Details", DETAILS, session.id),
        ),
        _context(facts),
        _section(_summary_text(summary, lines=_THREAD_SUMMARY_LINES)),
    ]
    return _message(_fallback(session, now, default_timeout), blocks)


def _session_fields(session: Session, now: datetime) -> list[str]:
    fields = [
        f"*Region*\n{clip(session.region or 'unknown', 100)}",
        f"*Duration*\n{human_duration(session.duration_seconds(now))}",
        f"*Proxy traffic*\n{human_bytes(session.proxy_bytes)}",
        f"*Keep-alive*\n{'yes' if session.keep_alive else 'no'}",
        f"*Started*\n{date_or_na(session.started_at or session.created_at)}",
        f"*Ended*\n{date_or_na(session.ended_at)}",
    ]
    if session.user_metadata:
        metadata = metadata_mrkdwn(session.user_metadata, pairs=6, limit=100)
        fields.insert(0, f"*Metadata*\n{metadata}")
    return fields


def _summary_text(summary: LogSummary | None, *, lines: int) -> str:
    if summary is None:
        return (
            ":grey_question: Logs unavailable: the Session Inspector has the console "
            "and network tabs."
        )
    if summary.total_logs == 0:
        return (
            ":grey_question: No logs were recorded for this session (sessions created "
            "with `browserSettings.logSession: false` keep none)."
        )
    if not summary.lines:
        entries = _plural(summary.total_logs, "log entry", "log entries")
        return f":white_check_mark: No failures in the logs ({entries})."
    failures = _plural(summary.failures, "failure")
    entries = _plural(summary.total_logs, "log entry", "log entries")
    shown = [f"*What failed* ({failures} in {entries})"]
    shown += [_log_line(line) for line in summary.lines[:lines]]
    if len(summary.lines) > lines:
        shown.append(f"_{len(summary.lines) - lines} more in the Session Inspector_")
    return "\n".join(shown)


def _log_line(line: LogLine) -> str:
    return f"{_KIND_ICONS.get(line.kind, '•')} {code(_one_line(line.text), 280)}"


def _fallback(session: Session, now: datetime, default_timeout: int | None) -> str:
    reason = end_reason(session, default_timeout, now)
    text = f"{session_noun(session)} {escape(short_id(session.id))} {reason}"
    if session.user_metadata:
        text += f" ({metadata_plain(session.user_metadata, 300)})"
    return text


# Storms, and what happened while muted.


def group_summary_message(
    sessions: Sequence[Session],
    *,
    now: datetime,
    total: int,
    group_key: str | None,
    shown_in_thread: int,
) -> dict[str, Any]:
    """One message for many failures at once; the thread carries the first details."""
    count = max(total, len(sessions))
    window = _window_phrase(sessions, now)
    lines = [_status_counts(Counter(s.status for s in sessions))]
    if 0 < len(sessions) < count:
        lines[0] += f" (among the first {len(sessions)})"
    if group_key:
        values = Counter(_group_value(s, group_key) for s in sessions)
        lines.append(_value_counts(values, group_key))
    blocks = [
        _section(
            f":rotating_light: *{_plural(count, 'session')} failed {window}*",
            block_id=HEADLINE_BLOCK_ID,
        ),
        _section("\n".join(lines)),
    ]
    if sessions:
        blocks.append(_section(_example_lines(sessions, now)))
    blocks += [
        _context(_thread_note(count, shown_in_thread)),
        _actions(
            _button("Mute 1 hour", MUTE, MUTE_SECONDS),
            _link_button("Open the sessions list", SESSIONS_URL),
        ),
    ]
    counts = _status_counts(Counter(s.status for s in sessions), icons=False)
    fallback = f"{_plural(count, 'Browserbase session')} failed {window}: {counts}"
    return _message(fallback, blocks)


def group_overflow_message(remaining: int) -> dict[str, Any]:
    """The last reply in a storm's thread: how many more, and where to see them."""
    text = f"… and {remaining} more: see the {link(SESSIONS_URL, 'sessions list')}."
    fallback = f"… and {remaining} more failed sessions: see {SESSIONS_URL}"
    return _message(fallback, [_section(text)])


def muted_summary_message(
    counts: Mapping[str, int],
    *,
    muted_since: datetime,
    muted_until: datetime,
    examples: Sequence[Session],
    by_key: Mapping[str, int] | None,
    group_key: str | None = None,
) -> dict[str, Any]:
    """Posted when a mute ends: what failed meanwhile (``counts`` by status)."""
    total = sum(counts.values())
    period = f"from {slack_date(muted_since)} to {slack_date(muted_until)}"
    if total == 0:
        body = f"Nothing failed while they were muted ({period})."
    else:
        phrases = _status_counts(Counter(counts))
        body = f"While they were muted ({period}), {_plural(total, 'session')} "
        body += f"failed: {phrases}"
    if total and by_key:
        body += "\n" + _value_counts(Counter(by_key), group_key or "metadata")
    blocks = [
        _section(f":bell: *Alerts are back on.* {body}", block_id=HEADLINE_BLOCK_ID)
    ]
    if total and examples:
        blocks.append(_section(_example_lines(examples, muted_until)))
        blocks.append(_context(f"All of them are in the {_sessions_link()}."))
    plain_counts = _status_counts(Counter(counts), icons=False) if total else "none"
    fallback = f"Alerts are back on. Failed while muted: {plain_counts}"
    return _message(fallback, blocks)


def _window_phrase(sessions: Sequence[Session], now: datetime) -> str:
    ends = [s.ended_at or s.updated_at for s in sessions]
    known = [end for end in ends if end is not None]
    if not known:
        return "just now"
    span = (now - min(known)).total_seconds()
    if span <= 60:
        return "in the last minute"
    return f"in the last {human_duration(math.ceil(span / 60) * 60)}"


def _status_counts(counts: Counter[str], *, icons: bool = True) -> str:
    phrases = []
    for status, number in counts.most_common():
        phrase = f"{number} {outcome(status)}"
        phrases.append(f"{status_icon(status)} {phrase}" if icons else phrase)
    return (" · " if icons else ", ").join(phrases) or "none"


def _group_value(session: Session, key: str) -> str | None:
    value = session.user_metadata.get(key)
    return None if value is None else _one_line(_as_text(value))


def _value_counts(values: Counter[str | None], key: str) -> str:
    top = values.most_common(_TOP_VALUES)
    parts = [
        f"{code(value, 40) if value is not None else '_not set_'} {number}"
        for value, number in top
    ]
    others = sum(values.values()) - sum(number for _, number in top)
    if others:
        parts.append(f"others {others}")
    return f"By {code(key, 40)}: " + " · ".join(parts)


def _example_lines(sessions: Sequence[Session], now: datetime) -> str:
    lines = []
    for session in sessions[:_EXAMPLES]:
        label = link(session.inspector_url, short_id(session.id))
        ran = human_duration(session.duration_seconds(now))
        metadata = metadata_mrkdwn(session.user_metadata, pairs=2, limit=40)
        icon = status_icon(session.status)
        what = outcome(session.status)
        lines.append(f"{icon} {label} {what} after {ran} · {metadata}")
    if len(sessions) > _EXAMPLES:
        lines.append(f"_… and {len(sessions) - _EXAMPLES} more_")
    return "\n".join(lines)


def _thread_note(count: int, shown_in_thread: int) -> str:
    if shown_in_thread <= 0:
        return f"All of them are in the {_sessions_link()}."
    if shown_in_thread >= count:
        return "Details of each are in the thread."
    return (
        f"Details of the first {shown_in_thread} are in the thread; "
        f"the rest are on the {link(SESSIONS_URL, 'dashboard')}."
    )


def _sessions_link() -> str:
    return link(SESSIONS_URL, "sessions list")


# Editing a posted message once its session changed.


def session_ended_update(
    original: Mapping[str, Any],
    session: Session,
    *,
    now: datetime,
    default_timeout: int | None,
) -> dict[str, Any]:
    """``original`` (an alert or warning) with a new headline and no buttons left.

    Blocks that only held while the session ran (age, time left) go too; the Inspector
    link moves from its button into a closing note.
    """
    new_headline = _section(
        headline(session, now=now, default_timeout=default_timeout),
        block_id=HEADLINE_BLOCK_ID,
    )
    blocks: list[Block] = []
    for block in copy.deepcopy(list(original.get("blocks") or [])):
        block_id = block.get("block_id")
        if block.get("type") == "actions" or block_id in (
            LIVE_BLOCK_ID,
            ENDED_NOTE_BLOCK_ID,
        ):
            continue
        if block_id == HEADLINE_BLOCK_ID:
            block = new_headline
        accessory = block.get("accessory")
        if isinstance(accessory, Mapping) and accessory.get("type") != "image":
            del block["accessory"]
        blocks.append(block)
    if not any(b.get("block_id") == HEADLINE_BLOCK_ID for b in blocks):
        blocks.insert(0, new_headline)
    note = (
        f"Updated {slack_date(now)} · "
        f"{link(session.inspector_url, 'Open in Session Inspector')}"
    )
    blocks = blocks[: _MAX_BLOCKS - 1]
    blocks.append(_context(note, block_id=ENDED_NOTE_BLOCK_ID))
    return _message(_fallback(session, now, default_timeout), blocks)


# Small helpers. TODO(views): use bot/views/common.py's builders once it lands.


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def _plural(number: int, singular: str, plural: str | None = None) -> str:
    word = singular if number == 1 else (plural or f"{singular}s")
    return f"{number} {word}"


def _message(fallback: str, blocks: list[Block]) -> dict[str, Any]:
    return {"text": truncate(fallback, 3000), "blocks": blocks[:_MAX_BLOCKS]}


def _section(
    text: str, *, block_id: str | None = None, accessory: Block | None = None
) -> Block:
    block: Block = {"type": "section", "text": _mrkdwn(text, 3000)}
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def _fields(fields: Sequence[str]) -> Block:
    return {"type": "section", "fields": [_mrkdwn(f, 2000) for f in fields[:10]]}


def _context(*texts: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "context", "elements": [_mrkdwn(t, 2000) for t in texts]}
    if block_id:
        block["block_id"] = block_id
    return block


def _actions(*elements: Block) -> Block:
    return {"type": "actions", "elements": list(elements)}


def _button(label: str, action_id: str, value: str) -> Block:
    return {
        "type": "button",
        "text": _plain(label, 75),
        "action_id": action_id,
        "value": value,
    }


def _link_button(label: str, url: str) -> Block:
    return {
        "type": "button",
        "text": _plain(label, 75),
        "action_id": OPEN_LINK,
        "url": url,
    }


def _mrkdwn(text: str, limit: int) -> Block:
    return {"type": "mrkdwn", "text": truncate(text, limit)}


def _plain(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}
