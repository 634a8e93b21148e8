"""Who may terminate sessions: `BBSLACK_ADMINS` users, and members of its user groups.

Checked on every click and failing closed: a group that cannot be resolved grants
nothing. Group members are cached briefly so a burst of clicks makes one Slack call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)

GROUP_CACHE_SECONDS = 60.0


class Admins:
    def __init__(
        self,
        ids: frozenset[str],
        slack: AsyncWebClient,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ids = ids
        self._slack = slack
        self._monotonic = monotonic
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}

    @property
    def users(self) -> frozenset[str]:
        return frozenset(i for i in self.ids if not i.startswith("S"))

    @property
    def groups(self) -> frozenset[str]:
        return frozenset(i for i in self.ids if i.startswith("S"))

    async def allows(self, user_id: str) -> bool:
        if user_id in self.users:
            return True
        for group in sorted(self.groups):
            if user_id in await self._members(group):
                return True
        return False

    async def _members(self, group: str) -> frozenset[str]:
        cached = self._groups.get(group)
        if cached and self._monotonic() - cached[0] < GROUP_CACHE_SECONDS:
            return cached[1]
        try:
            response = await self._slack.usergroups_users_list(usergroup=group)
        except SlackApiError as exc:
            logger.warning(
                "user group unresolved group=%s error=%s (denying its members)",
                group,
                exc.response.get("error"),
            )
            return frozenset()
        members = frozenset(str(user) for user in response.get("users") or [])
        self._groups[group] = (self._monotonic(), members)
        return members
