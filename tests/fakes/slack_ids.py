"""Names and ids of the workspace the Slack stand-ins pretend to be.

Ids have Slack's shape (a type letter, then upper-case letters and digits), so the
bot's own validation of channel and user ids accepts them.
"""

from __future__ import annotations

TEAM_ID = "T1"
TEAM_DOMAIN = "acme"
TEAM_NAME = "Acme"
APP_ID = "A0BBSLACK"
BOT_ID = "B0BBSLACK"
BOT_USER_ID = "U0BBSLACK"
BOT_USER_NAME = "bbslack"

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
# The deprecated verification token Slack still puts into payloads; Bolt ignores it.
VERIFICATION_TOKEN = "vErIfIcAtIoNtOkEn0000000"
DEFAULT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "files:write",
    "usergroups:read",
)

ALICE = "U0ALICE"
BOB = "U0BOB"
ALERTS = "C0ALERTS"
GENERAL = "C0GENERAL"
DEFAULT_CHANNELS = {ALERTS: "alerts", GENERAL: "general"}
USER_NAMES = {ALICE: "alice", BOB: "bob"}


class TsClock:
    """Message timestamps as Slack writes them: unique, increasing, 6 decimals."""

    def __init__(self, start: int = 1_700_000_000, step_micros: int = 100) -> None:
        self._start = start
        self._step = step_micros
        self._count = 0

    def next(self) -> str:
        self._count += 1
        micros = self._count * self._step
        seconds, fraction = divmod(micros, 1_000_000)
        return f"{self._start + seconds}.{fraction:06d}"
