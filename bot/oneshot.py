"""``bbslack poll --once``: one poll, then delivery of what it recorded."""

from __future__ import annotations

from typing import TextIO

from bot.browserbase import BrowserbaseClient, build_http_client
from bot.clock import system_clock
from bot.services import build_services
from bot.settings import Settings
from storage.db import open_database

DRAIN_SECONDS = 60.0


async def poll_once(settings: Settings, *, dry_run: bool, out: TextIO) -> int:
    db = open_database(settings.db_path)
    http = build_http_client()
    try:
        browserbase = BrowserbaseClient(
            http,
            api_key=settings.browserbase_api_key,
            base_url=settings.browserbase_base_url,
            project_id=settings.browserbase_project_id,
        )
        services = build_services(
            settings, db=db, browserbase=browserbase, clock=system_clock
        )
        result = await services.poller.poll(dry_run=dry_run)
        if not result.ok:
            print(f"✗ poll failed: {result.error}", file=out)
            return 1
        label = "would post" if dry_run else "recorded"
        print(
            f"✓ poll: {result.new_alerts} new alert(s), {result.warnings} keep-alive "
            f"warning(s), {result.follow_ups} follow-up(s); {label}:",
            file=out,
        )
        for line in result.lines or ["(nothing)"]:
            print(f"  {line}", file=out)
        if dry_run:
            return 0
        left = await services.sender.drain(DRAIN_SECONDS)
        if left:
            print(f"! {left} alert(s) still pending; `bbslack run` retries", file=out)
            return 1
        return 0
    finally:
        await http.aclose()
        db.close()
