"""Alerts: one failed session in words, a storm in one message, and edits in place.

Every outside string (metadata, region, log lines) is escaped and clipped here. The
headline block carries a fixed block id, so `session_ended_update` can rewrite it in the
message Slack hands back, whichever view posted it.
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.logsummary import LogLine, LogSummary
from bot.models import COMPLETED, ERROR, SESSIONS_URL, TIMED_OUT, Session
from bot.views.actions import DETAILS, MUTE
from bot.views.common import (
    MAX_BLOCKS,
    Block,
    Message,
    actions,
    button,
    context,
    date_or_na,
    envelope,
    field,
    fields,
    link_button,
    log_icon,
    plural,
    section,
    short_id,
    value_text,
)
from bot.views.describe import end_reason, status_icon, status_label
from bot.views.text import (
    clip,
    code,
    escape,
    human_bytes,
    human_duration,
    link,
    slack_date,
)

HEADLINE_BLOCK_ID = "bb_headline"
# Blocks whose numbers hold only while the session runs (age, time left).
LIVE_BLOCK_ID = "bb_live"
ENDED_NOTE_BLOCK_ID = "bb_ended_note"
MUTE_SECONDS = "3600"

_SUMMARY_LINES = 8
_THREAD_SUMMARY_LINES = 3
_EXAMPLES = 5
_TOP_VALUES = 5
_OUTCOMES = {
    ERROR: "ended in an error",
    TIMED_OUT: "timed out",
    COMPLETED: "was released",
}


# Describing a session (keepalive.py and home.py use these too).


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
        f"{clip(_one_line(key), 40)} {code(_one_line(value_text(value)), limit)}"
        for key, value in items[:pairs]
    ]
    if len(items) > pairs:
        shown.append(f"{len(items) - pairs} more")
    return " · ".join(shown)


def metadata_plain(metadata: Mapping[str, Any], limit: int) -> str:
    """``job=checkout, env=prod``, escaped and clipped to ``limit`` characters."""
    pairs = ", ".join(f"{key}={value_text(value)}" for key, value in metadata.items())
    return clip(_one_line(pairs), limit)


def headline(session: Session, *, now: datetime, default_timeout: int | None) -> str:
    """``:red_circle: Session `abc12345` ended in an error after 42 s``."""
    reason = end_reason(session, default_timeout, now)
    noun = session_noun(session)
    return f"{status_icon(session.status)} {noun} {code(short_id(session.id))} {reason}"


def outcome(status: str) -> str:
    """How a session ended, in a few words: ``ended in an error``, ``timed out``."""
    return _OUTCOMES.get(status) or clip(status_label(status), 40)


# One alert.


def alert_message(
    session: Session,
    *,
    now: datetime,
    default_timeout: int | None,
    summary: LogSummary | None,
) -> Message:
    """The channel alert for a session that ended in an error or timed out."""
    blocks = [
        section(
            headline(session, now=now, default_timeout=default_timeout),
            block_id=HEADLINE_BLOCK_ID,
        ),
        fields(_session_fields(session, now)),
        section(_summary_text(summary, lines=_SUMMARY_LINES)),
        actions(
            button("Mute 1 hour", MUTE, MUTE_SECONDS),
            button("Details", DETAILS, session.id),
            link_button("Open in Session Inspector", session.inspector_url),
        ),
    ]
    return envelope(_fallback(session, now, default_timeout), blocks)


def alert_thread_reply(
    session: Session,
    *,
    now: datetime,
    default_timeout: int | None,
    summary: LogSummary | None,
) -> Message:
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
        section(
            headline(session, now=now, default_timeout=default_timeout),
            block_id=HEADLINE_BLOCK_ID,
            accessory=button("Details", DETAILS, session.id),
        ),
        context(facts),
        section(_summary_text(summary, lines=_THREAD_SUMMARY_LINES)),
    ]
    return envelope(_fallback(session, now, default_timeout), blocks)


def _session_fields(session: Session, now: datetime) -> list[str]:
    items = [
        field("Region", clip(session.region or "unknown", 100)),
        field("Duration", human_duration(session.duration_seconds(now))),
        field("Proxy traffic", human_bytes(session.proxy_bytes)),
        field("Keep-alive", "yes" if session.keep_alive else "no"),
        field("Started", date_or_na(session.started_at or session.created_at)),
        field("Ended", date_or_na(session.ended_at)),
    ]
    if session.user_metadata:
        metadata = metadata_mrkdwn(session.user_metadata, pairs=6, limit=100)
        items.insert(0, field("Metadata", metadata))
    return items


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
        entries = plural(summary.total_logs, "log entry", "log entries")
        return f":white_check_mark: No failures in the logs ({entries})."
    failures = plural(summary.failures, "failure")
    entries = plural(summary.total_logs, "log entry", "log entries")
    shown = [f"*What failed* ({failures} in {entries})"]
    shown += [_log_line(line) for line in summary.lines[:lines]]
    if len(summary.lines) > lines:
        shown.append(f"_{len(summary.lines) - lines} more in the Session Inspector_")
    return "\n".join(shown)


def _log_line(line: LogLine) -> str:
    return f"{log_icon(line.kind)} {code(_one_line(line.text), 280)}"


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
) -> Message:
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
        section(
            f":rotating_light: *{plural(count, 'session')} failed {window}*",
            block_id=HEADLINE_BLOCK_ID,
        ),
        section("\n".join(lines)),
    ]
    if sessions:
        blocks.append(section(_example_lines(sessions, now)))
    blocks += [
        context(_thread_note(count, shown_in_thread)),
        actions(
            button("Mute 1 hour", MUTE, MUTE_SECONDS),
            link_button("Open the sessions list", SESSIONS_URL),
        ),
    ]
    counts = _status_counts(Counter(s.status for s in sessions), icons=False)
    fallback = f"{plural(count, 'Browserbase session')} failed {window}: {counts}"
    return envelope(fallback, blocks)


def group_overflow_message(remaining: int) -> Message:
    """The last reply in a storm's thread: how many more, and where to see them."""
    text = f"… and {remaining} more: see the {link(SESSIONS_URL, 'sessions list')}."
    fallback = f"… and {remaining} more failed sessions: see {SESSIONS_URL}"
    return envelope(fallback, [section(text)])


def muted_summary_message(
    counts: Mapping[str, int],
    *,
    muted_since: datetime,
    muted_until: datetime,
    examples: Sequence[Session],
    by_key: Mapping[str, int] | None,
    group_key: str | None = None,
) -> Message:
    """Posted when a mute ends: what failed meanwhile (``counts`` by status)."""
    total = sum(counts.values())
    period = f"from {slack_date(muted_since)} to {slack_date(muted_until)}"
    if total == 0:
        body = f"Nothing failed while they were muted ({period})."
    else:
        phrases = _status_counts(Counter(counts))
        body = f"While they were muted ({period}), {plural(total, 'session')} "
        body += f"failed: {phrases}"
    if total and by_key:
        body += "\n" + _value_counts(Counter(by_key), group_key or "metadata")
    blocks = [
        section(f":bell: *Alerts are back on.* {body}", block_id=HEADLINE_BLOCK_ID)
    ]
    if total and examples:
        blocks.append(section(_example_lines(examples, muted_until)))
        blocks.append(context(f"All of them are in the {_sessions_link()}."))
    plain_counts = _status_counts(Counter(counts), icons=False) if total else "none"
    fallback = f"Alerts are back on. Failed while muted: {plain_counts}"
    return envelope(fallback, blocks)


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
    return None if value is None else _one_line(value_text(value))


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
) -> Message:
    """``original`` (an alert or warning) with a new headline and no buttons left.

    Blocks that only held while the session ran (age, time left) go too; the Inspector
    link moves from its button into a closing note.
    """
    new_headline = section(
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
    blocks = blocks[: MAX_BLOCKS - 1]
    blocks.append(context(note, block_id=ENDED_NOTE_BLOCK_ID))
    return envelope(_fallback(session, now, default_timeout), blocks)


# Small helpers.


def _one_line(text: object) -> str:
    return " ".join(str(text).split())
