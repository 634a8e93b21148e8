"""What the bot can do: the answer to ``/browserbase``, ``help`` and unknown words."""

from __future__ import annotations

from bot.commands import COMMAND, SUBCOMMANDS
from bot.views.common import Message, context, envelope, header, section
from bot.views.text import code

# Subcommands grouped the way people look for them; help itself is implied.
_GROUPS = (
    ("Look up", ("sessions", "session", "usage", "project")),
    ("Keep-alive sessions", ("keepalive", "terminate")),
    ("Alerts in this channel", ("alerts",)),
    ("The bot itself", ("status", "audit")),
)
# One example per subcommand is not enough for alerts: muting is the one people need.
_MORE = {
    "alerts": (
        (f"{COMMAND} alerts mute 2h", "Quiet this channel's alerts for a while"),
        (f"{COMMAND} alerts", "What this channel is subscribed to"),
    ),
}


def help_view(*, unknown: str | None = None, suggestion: str | None = None) -> Message:
    blocks = []
    fallback = "Browserbase commands: " + ", ".join(
        name for name in SUBCOMMANDS if name != "help"
    )
    if unknown is not None:
        blocks.append(section(_did_you_mean(unknown, suggestion)))
        fallback = _did_you_mean(unknown, suggestion)

    blocks.append(header("Browserbase in Slack"))
    blocks.append(
        section(
            "Look up sessions and usage, get alerts in a channel when sessions end "
            "in errors or time out, and stop keep-alive browsers that were left "
            "running."
        )
    )
    for title, names in _GROUPS:
        lines = [_entry(name) for name in names]
        blocks.append(section(f"*{title}*\n" + "\n".join(lines)))
    blocks.append(
        context(
            "Answers are shown only to you. Add `public` to a lookup to post it in "
            "the channel, or press *Share in channel* under an answer.",
            "Statuses: running, pending, error, timed_out, completed. "
            'Metadata filters match exactly: `team="check out"`.',
        )
    )
    return envelope(fallback, blocks)


def _entry(name: str) -> str:
    sub = SUBCOMMANDS[name]
    examples = ((sub.example, sub.description), *_MORE.get(name, ()))
    return "\n".join(f"{code(example)}\n{what}." for example, what in examples)


def _did_you_mean(unknown: str, suggestion: str | None) -> str:
    said = f":thinking_face: I don't know {code(unknown, 60)}."
    if suggestion is None or suggestion not in SUBCOMMANDS:
        return f"{said} Here is what I can do:"
    return f"{said} Did you mean {code(f'{COMMAND} {suggestion}')}?"
