"""The Browserbase API client.

transport.py   the shared httpx client; Retry-After and backoff
query.py       user-metadata filters and the ``q`` query syntax
failures.py    failed calls as `bot.errors`, with readable messages
client.py      `BrowserbaseClient`, one method per API call the bot makes
"""

from __future__ import annotations

from bot.browserbase.client import BrowserbaseClient
from bot.browserbase.query import metadata_query
from bot.browserbase.transport import build_http_client

__all__ = ["BrowserbaseClient", "build_http_client", "metadata_query"]
