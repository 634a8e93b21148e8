"""Action ids of every interactive element the bot posts.

Handlers register on these ids and views put them on buttons, so both sides share one
spelling. Values that name a session are signed (see `bot.buttons`), never trusted.
"""

from __future__ import annotations

# Terminate a keep-alive session; value: a signed session id; carries a confirm dialog.
TERMINATE = "bb_terminate"
# Post an ephemeral answer for everyone; value: the subcommand text that produced it.
SHARE = "bb_share"
# Mute this channel's alerts for an hour; value: "3600".
MUTE = "bb_mute"
# Show the full session view, ephemeral; value: a session id.
DETAILS = "bb_details"
# Link buttons (Inspector, dashboard): Slack still sends a click, which we only ack.
OPEN_LINK = "bb_open_link"
