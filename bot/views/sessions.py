"""Sessions as Slack messages: the filtered list, and one session in detail.

Everything that comes from Browserbase (ids, metadata, regions, log lines) goes through
`escape`, `clip`, `code` or `link`; metadata and log text sit in code spans, so
``*bold*``, ``<!channel>`` or a pasted link inside them stay plain characters.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.logsummary import LogSummary
from bot.models import (
    COMPLETED,
    ERROR,
    PENDING,
    RUNNING,
    SESSIONS_URL,
    STATUSES,
    TIMED_OUT,
    Replays,
    Session,
)
from bot.views.actions import DETAILS
from bot.views.common import (
    MAX_SECTION_TEXT,
    Block,
    Message,
    actions,
    button,
    context,
    date_or_na,
    divider,
    envelope,
    field,
    fields,
    header,
    link_button,
    log_icon,
    plural,
    section,
    short_id,
    value_text,
)
from bot.views.describe import (
    end_reason,
    status_icon,
    status_label,
    time_left,
    timeout_in_force,
    timeout_phrase,
)
from bot.views.text import (
    clip,
    code,
    escape,
    human_bytes,
    human_duration,
    link,
    relative_time,
    slack_date,
)

# Session blocks, the summary, the "more" line and the share button stay under 50.
MAX_PAGE_SIZE = 40
_LINE_PAIRS = 3
_PAIR_CHARS = 80
_OLDEST = datetime.min.replace(tzinfo=UTC)


def newest_first(sessions: Sequence[Session]) -> list[Session]:
    """Sessions by creation time, newest first (those without one last)."""
    return sorted(sessions, key=lambda s: s.created_at or _OLDEST, reverse=True)


_FINISHED = (
    " Work that is done should call `browser.close()`, or the session waits out "
    "its timeout."
)
_TIMEOUT_ADVICE = {
    "project": "Work that needs longer can set `timeout` when creating the session, "
    "or the project's default can be raised (at most 6 h)." + _FINISHED,
    "session": "The session set this timeout itself when it was created: raise "
    "`timeout` there if the work needs longer (at most 6 h)." + _FINISHED,
    "unknown": "Work that needs longer can set `timeout` when creating the session "
    "(at most 6 h)." + _FINISHED,
}


def session_line(session: Session, *, now: datetime) -> str:
    """A session in one line (two with metadata), linked to its Inspector page."""
    title = link(session.inspector_url, short_id(session.id))
    label = clip(status_label(session.status), 40)
    parts = [
        f"{status_icon(session.status)} *{title}* {label}",
        *_timing(session, now),
        clip(session.region, 40) if session.region else "",
        ":pushpin: keep-alive" if session.keep_alive else "",
        f"{human_bytes(session.proxy_bytes)} proxy" if session.proxy_bytes else "",
    ]
    line = " · ".join(part for part in parts if part)
    pairs = metadata_pairs(session.user_metadata, limit=_LINE_PAIRS)
    return f"{line}\n{pairs}" if pairs else line


def metadata_pairs(metadata: Mapping[str, Any], *, limit: int) -> str:
    """``key=value`` code spans for the first ``limit`` pairs, and how many are left."""
    items = list(metadata.items())
    shown = " ".join(
        code(f"{key}={value_text(value)}", _PAIR_CHARS) for key, value in items[:limit]
    )
    rest = len(items) - limit
    return f"{shown} +{rest} more" if rest > 0 else shown


def sessions_list_view(
    sessions: Sequence[Session],
    *,
    now: datetime,
    status: str | None,
    metadata: Mapping[str, str],
    command_text: str,
    public: bool,
    page_size: int = 15,
) -> Message:
    ordered = newest_first(sessions)
    which = _filter_phrase(status, metadata)
    share = None if public else command_text
    if not ordered:
        nothing = _nothing_matched(which)
        return envelope(nothing, [section(nothing)], share_text=share)

    page = ordered[: max(1, min(page_size, MAX_PAGE_SIZE))]
    counts = _counts(ordered)
    title = f"*{_sessions(len(ordered))}*" + (f" with {which}" if which else "")
    blocks: list[Block] = [section(f"{title}\n{counts}"), divider()]
    blocks += [
        section(session_line(s, now=now), accessory=_details_button(s)) for s in page
    ]
    more = len(ordered) - len(page)
    if more:
        sessions_list = link(SESSIONS_URL, "sessions list")
        blocks.append(
            context(
                f"{more} more: narrow with a status or KEY=VALUE, "
                f"or open the {sessions_list}."
            )
        )
    fallback = f"{_sessions(len(ordered))}" + (f" with {which}" if which else "")
    return envelope(
        f"{fallback}: {_counts(ordered, icons=False)}", blocks, share_text=share
    )


def session_detail_view(
    session: Session,
    *,
    now: datetime,
    default_timeout: int | None,
    summary: LogSummary | None,
    replays: Replays | None,
    command_text: str,
    public: bool,
) -> Message:
    blocks = session_blocks(
        session,
        now=now,
        default_timeout=default_timeout,
        summary=summary,
        replays=replays,
    )
    # An unknown status appears in the reason as the API spelled it.
    reason = escape(end_reason(session, default_timeout, now))
    fallback = f"Session {clip(short_id(session.id), 40)} {reason}"
    return envelope(fallback, blocks, share_text=None if public else command_text)


def session_blocks(
    session: Session,
    *,
    now: datetime,
    default_timeout: int | None,
    summary: LogSummary | None = None,
    replays: Replays | None = None,
    include_logs: bool = True,
) -> list[Block]:
    """The body of a session's detail view, for any message that shows one session.

    At most eight blocks, with no share button: the caller wraps them in `envelope`.
    ``include_logs=False`` leaves out the debugging section, for callers that did
    not fetch the logs (None alone would read as "logs unavailable").
    """
    blocks: list[Block] = [
        header(_title(session)),
        section(why_text(session, default_timeout=default_timeout, now=now)),
        fields(_timeline(session, default_timeout, now)),
        fields(_setup(session)),
    ]
    if session.user_metadata:
        blocks.append(section(_metadata_text(session.user_metadata)))
    if include_logs:
        blocks.append(section(summary_text(summary)))
    blocks.append(
        actions(link_button("Open in Session Inspector", session.inspector_url))
    )
    blocks.append(
        context(_replay_text(session, replays), f"Session id {code(session.id)}")
    )
    return blocks


def _title(session: Session) -> str:
    # Header text is plain and unescaped: only characters we can vouch for go in.
    label = status_label(session.status) if session.status in STATUSES else ""
    name = re.sub(r"[^A-Za-z0-9_-]", "", short_id(session.id))
    return f"{status_icon(session.status)} Session {name} {label}".rstrip()


def why_text(session: Session, *, default_timeout: int | None, now: datetime) -> str:
    """Why the session ended (or how long it has left), and what usually causes it."""
    reason = escape(end_reason(session, default_timeout, now))
    seconds, source = timeout_in_force(session, default_timeout)
    opening = f"{status_icon(session.status)} This session *{reason}*."
    if session.status == TIMED_OUT:
        return f"{opening}\n{_TIMEOUT_ADVICE[source]}"
    if session.status == ERROR:
        return (
            f"{opening}\nBrowserbase ends a session in an error after an unhandled "
            "error, a network interruption or an exceeded resource limit. The "
            "debugging summary below and the Session Inspector show what failed."
        )
    if session.status == COMPLETED:
        return (
            f"{opening}\nIts client released it: `browser.close()`, `driver.quit()` "
            "or the release API."
        )
    if session.status == RUNNING:
        return _running_text(session, seconds, timeout_phrase(seconds, source), now)
    if session.status == PENDING:
        return (
            f"{opening}\nA client must connect within 5 minutes of its creation, "
            "or it ends."
        )
    return opening


def summary_text(summary: LogSummary | None) -> str:
    """The debugging summary as mrkdwn: the latest failures, or why there are none."""
    if summary is None:
        return (
            ":grey_question: *Logs unavailable*: Browserbase did not return this "
            "session's logs just now. The Session Inspector shows them."
        )
    if summary.total_logs == 0:
        return (
            ":page_facing_up: *No logs* for this session: it has not logged yet, or "
            "it was created with `browserSettings.logSession` off."
        )
    if summary.failures == 0 or not summary.lines:
        return (
            f":white_check_mark: *No failures* in {summary.total_logs} log entries: "
            "no failed navigations or requests, console errors or exceptions."
        )
    title = (
        f"*What failed*: {plural(summary.failures, 'failure')} in "
        f"{summary.total_logs} log entries; the latest:"
    )
    lines = [title]
    for line in summary.lines:
        when = f"{slack_date(line.at, '{time_secs}')} " if line.at else ""
        lines.append(f"{log_icon(line.kind)} {when}{code(line.text, 320)}")
    return "\n".join(lines)


def _running_text(
    session: Session, seconds: int | None, phrase: str, now: datetime
) -> str:
    ran = human_duration(session.duration_seconds(now))
    text = f"{status_icon(session.status)} This session *is running for {ran}*"
    left = time_left(session, now)
    if left == 0:
        text += f"; it is due to end now, at its {phrase}"
    elif left is not None and seconds is not None:
        text += f"; {human_duration(left)} left before its {phrase}"
    text += "."
    if session.keep_alive:
        text += (
            "\n:pushpin: Keep-alive: it keeps running, and billing, until it is "
            "released or times out, even with no client connected."
        )
    return text


def _timing(session: Session, now: datetime) -> list[str]:
    """When it started and how long it ran; a live one's age and time left instead."""
    ran = human_duration(session.duration_seconds(now))
    if session.status == PENDING:
        return [f"created {relative_time(session.created_at, now)}", "starting"]
    if not session.is_live:
        started = relative_time(session.started_at or session.created_at, now)
        return [f"started {started}", f"ran {ran}"]
    left = time_left(session, now)
    return [f"up {ran}", f"{human_duration(left)} left" if left is not None else ""]


def _timeline(
    session: Session, default_timeout: int | None, now: datetime
) -> list[str]:
    seconds, source = timeout_in_force(session, default_timeout)
    ended = (
        date_or_na(session.ended_at)
        if session.ended_at
        else ("not yet" if session.is_live else "n/a")
    )
    expires = date_or_na(session.expires_at)
    if session.is_live and session.expires_at is not None:
        expires += f" ({relative_time(session.expires_at, now)})"
    duration = human_duration(session.duration_seconds(now))
    return [
        field("Created", date_or_na(session.created_at)),
        field("Started", date_or_na(session.started_at)),
        field("Ended", ended),
        field("Expires", expires),
        field("Duration", f"{duration} so far" if session.is_live else duration),
        field("Timeout", timeout_phrase(seconds, source) if seconds else "unknown"),
    ]


def _setup(session: Session) -> list[str]:
    items = [
        field("Region", clip(session.region, 60) if session.region else "n/a"),
        field("Keep-alive", ":pushpin: yes" if session.keep_alive else "no"),
        field("Proxy data", human_bytes(session.proxy_bytes)),
        field(
            "Context", code(session.context_id, 130) if session.context_id else "none"
        ),
    ]
    if session.avg_cpu_usage is not None:
        items.append(field("Avg CPU usage", str(session.avg_cpu_usage)))
    if session.memory_usage is not None:
        items.append(field("Memory usage", str(session.memory_usage)))
    return items


def _metadata_text(metadata: Mapping[str, Any]) -> str:
    lines = ["*Metadata*"]
    size = len(lines[0])
    items = list(metadata.items())
    for index, (key, value) in enumerate(items):
        line = f"{code(key, 100)}: {code(value_text(value), 500)}"
        # Leave room for the "more" line rather than let the section be cut mid-pair.
        if size + len(line) + 1 > MAX_SECTION_TEXT - 40:
            lines.append(f"_and {len(items) - index} more_")
            break
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


def _replay_text(session: Session, replays: Replays | None) -> str:
    inspector = session.inspector_url
    if replays is None:
        return f":film_projector: {link(inspector, 'Replay, network and console')}"
    if replays.page_count == 0:
        return ":film_projector: No replay recorded for this session."
    pages = plural(replays.page_count, "page")
    return f":film_projector: {link(inspector, f'Watch the replay ({pages})')}"


def _details_button(session: Session) -> Block:
    return button("Details", DETAILS, session.id)


def _filter_phrase(status: str | None, metadata: Mapping[str, str]) -> str:
    bits = []
    if status:
        bits.append(f"status *{clip(status_label(status), 40)}*")
    if metadata:
        bits.append(
            " ".join(code(f"{k}={v}", _PAIR_CHARS) for k, v in metadata.items())
        )
    return " and ".join(bits)


def _nothing_matched(which: str) -> str:
    if not which:
        return ":mag: No sessions in this project yet."
    return (
        f":mag: No sessions with {which}. Try another status, or fewer "
        "KEY=VALUE filters (values match exactly, case included)."
    )


def _counts(sessions: Sequence[Session], *, icons: bool = True) -> str:
    counted = Counter(s.status for s in sessions)
    order = [s for s in STATUSES if s in counted]
    order += sorted(s for s in counted if s not in STATUSES)
    parts = [
        (f"{status_icon(s)} " if icons else "")
        + f"{counted[s]} {clip(status_label(s), 40)}"
        for s in order
    ]
    return " · ".join(parts) if icons else ", ".join(parts)


def _sessions(count: int) -> str:
    return plural(count, "session")
