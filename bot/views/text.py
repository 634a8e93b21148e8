"""Safe, short, human text for mrkdwn.

Every string that comes from outside (Browserbase metadata, URLs, log lines, Slack user
input) goes through `escape` or `clip` before it reaches mrkdwn, so ``<!channel>`` stays
text and never pings anyone.
"""

from __future__ import annotations

from datetime import datetime

ELLIPSIS = "…"


def escape(text: object) -> str:
    """Escape the three characters mrkdwn treats as markup: ``&``, ``<`` and ``>``."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: object, limit: int) -> str:
    """Escape ``text`` and cut it so the escaped form fits in ``limit`` characters.

    The cut never splits an entity such as ``&amp;``, and it is marked with an ellipsis.
    """
    raw = str(text)
    escaped = escape(raw)
    if len(escaped) <= limit:
        return escaped
    out: list[str] = []
    size = 0
    for char in raw:
        piece = escape(char)
        if size + len(piece) > limit - len(ELLIPSIS):
            break
        out.append(piece)
        size += len(piece)
    return "".join(out) + ELLIPSIS


def truncate(text: str, limit: int) -> str:
    """Cut already-safe text to ``limit`` characters, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    # Do not leave half an entity (``&am``) or half a link (``<http...``) behind.
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    angle = cut.rfind("<")
    if angle != -1 and ">" not in cut[angle:]:
        cut = cut[:angle]
    return cut + ELLIPSIS


def code(text: object, limit: int = 200) -> str:
    """Inline code of outside text: escaped, clipped, with no backtick to break out."""
    return "`" + clip(str(text).replace("`", "'"), limit) + "`"


def link(url: str, label: object) -> str:
    """A mrkdwn link whose label is outside text (escaped) and whose URL is ours."""
    safe_url = escape(url).replace("|", "%7C")
    safe_label = clip(str(label).replace("|", "/"), 200)
    return f"<{safe_url}|{safe_label}>"


def human_bytes(count: int | None) -> str:
    """``1536`` → ``1.5 KB`` (decimal units, as Browserbase's dashboard shows them)."""
    if count is None:
        return "n/a"
    value = float(count)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def human_duration(seconds: float | None) -> str:
    """``42`` → ``42 s``; ``300`` → ``5 min``; ``11520`` → ``3 h 12 min``."""
    if seconds is None:
        return "n/a"
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return (
            f"{minutes} min"
            if secs == 0 or minutes >= 10
            else f"{minutes} min {secs} s"
        )
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def relative_time(when: datetime | None, now: datetime) -> str:
    """``5 min ago`` or ``in 3 min``."""
    if when is None:
        return "n/a"
    delta = (now - when).total_seconds()
    if abs(delta) < 5:
        return "just now"
    if delta > 0:
        return f"{human_duration(delta)} ago"
    return f"in {human_duration(-delta)}"


def slack_date(when: datetime, fmt: str = "{date_short_pretty} {time}") -> str:
    """A date each reader sees in their own time zone, with a UTC fallback."""
    fallback = when.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(when.timestamp())}^{fmt}|{fallback}>"
