"""Wiring: the Bolt app, the scheduler, the sender and the servers, on one loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sqlite3
from datetime import UTC, datetime

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

import handlers.actions
import handlers.commands
import handlers.home
from bot.browserbase import BrowserbaseClient, build_http_client
from bot.clock import Clock, system_clock
from bot.server import build_web_app
from bot.services import Services, build_services
from bot.settings import Settings
from storage.db import open_database

logger = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 3.0


class _TokenNotice(logging.Filter):
    """Drop Bolt's notice that SLACK_BOT_TOKEN (which it reads by itself) is unused.

    We hand Bolt a configured client on purpose; the notice would greet every start.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


class _SkippedPoll(logging.Filter):
    """Drop APScheduler's line for each poll skipped while one still runs.

    One poll at a time is deliberate; the poller itself reports a slow Browserbase
    once per outage, where this line would repeat every interval.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in record.getMessage()


def build_bolt_app(services: Services) -> AsyncApp:
    """A fresh Bolt app with every listener registered (tests build many)."""
    settings = services.settings
    bolt_logger = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _TokenNotice) for f in bolt_logger.filters):
        bolt_logger.addFilter(_TokenNotice())
    bolt = AsyncApp(
        client=services.slack,
        # Socket Mode requests arrive over an authenticated WebSocket, unsigned.
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=not settings.socket_mode,
        process_before_response=False,
        logger=bolt_logger,
    )
    handlers.commands.register(bolt, services)
    handlers.actions.register(bolt, services)
    handlers.home.register(bolt, services)
    return bolt


def schedule_polls(services: Services) -> AsyncIOScheduler:
    scheduler_logger = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _SkippedPoll) for f in scheduler_logger.filters):
        scheduler_logger.addFilter(_SkippedPoll())
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        _poll,
        "interval",
        args=[services],
        seconds=services.settings.poll_interval,
        id="poll",
        # One poll at a time; polls missed while one was slow collapse into one.
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=datetime.now(UTC),
    )
    return scheduler


async def run(settings: Settings, *, clock: Clock = system_clock) -> int:
    """Run the bot until SIGINT or SIGTERM; returns the exit code."""
    try:
        db = open_database(settings.db_path)
    except (sqlite3.Error, OSError) as exc:
        logger.error(
            "cannot open the database path=%s reason=%s; set BBSLACK_DB to a file "
            "in a writable directory",
            settings.db_path,
            exc,
        )
        return 1
    http = build_http_client()
    browserbase = BrowserbaseClient(
        http,
        api_key=settings.browserbase_api_key,
        base_url=settings.browserbase_base_url,
        project_id=settings.browserbase_project_id,
    )
    services = build_services(settings, db=db, browserbase=browserbase, clock=clock)
    bolt = build_bolt_app(services)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    scheduler = schedule_polls(services)
    sender: asyncio.Task[None] | None = None
    web_app = build_web_app(services, None if settings.socket_mode else bolt)
    runner = web.AppRunner(web_app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    socket_handler: AsyncSocketModeHandler | None = None
    try:
        if not await _start_site(site, settings):
            return 1
        if settings.slack_app_token is not None:
            if not await _app_token_accepted(services, settings.slack_app_token):
                return 1
            socket_handler = AsyncSocketModeHandler(bolt, settings.slack_app_token)
            await socket_handler.connect_async()  # type: ignore[no-untyped-call]
        # Connected: only now start work that would have to be undone on failure.
        scheduler.start()
        sender = asyncio.create_task(services.sender.run(), name="sender")
        logger.info(
            "bbslack ready mode=%s url=%s poll_interval=%.0f",
            "socket" if settings.socket_mode else "http",
            _listening_url(runner, settings),
            settings.poll_interval,
        )
        await stop.wait()
        logger.info("bbslack stopping")
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        if sender is not None:
            sender.cancel()
        if socket_handler is not None:
            await socket_handler.close_async()  # type: ignore[no-untyped-call]
        await _cancel_leftovers()
        await runner.cleanup()
        await http.aclose()
        db.close()
    logger.info("bbslack stopped")
    return 0


async def _start_site(site: web.TCPSite, settings: Settings) -> bool:
    try:
        await site.start()
    except OSError as exc:
        logger.error(
            "cannot listen host=%s port=%d reason=%s; set BBSLACK_HOST and "
            "BBSLACK_PORT (0 picks a free port)",
            settings.host,
            settings.port,
            exc.strerror or exc,
        )
        return False
    return True


async def _app_token_accepted(services: Services, app_token: str) -> bool:
    """Ask once whether Slack takes the app token.

    The Socket Mode client retries a refused token forever; a wrong token is a
    configuration error, said once, not a connection to keep retrying.
    """
    try:
        await services.slack.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        logger.error(
            "Slack refused the Socket Mode connection error=%s; check SLACK_APP_TOKEN "
            "(an app-level token with connections:write) and that Socket Mode is "
            "enabled for the app",
            exc.response.get("error"),
        )
        return False
    return True


async def _poll(services: Services) -> None:
    """The scheduled job: a poll that a shutdown may cut short without a fuss."""
    try:
        await services.poller.poll()
    except asyncio.CancelledError:
        # Nothing half-done is lost: a poll records in one transaction or not at all.
        logger.info("poll cut short by shutdown")


def _listening_url(runner: web.AppRunner, settings: Settings) -> str:
    for address in runner.addresses:
        if isinstance(address, tuple):
            host = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host
            return f"http://{host}:{address[1]}"
    return f"http://{settings.host}:{settings.port}"


async def _cancel_leftovers() -> None:
    """Cancel what is still running (a poll, a slow answer) and wait a moment for it."""
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(
            asyncio.gather(*tasks, return_exceptions=True), SHUTDOWN_GRACE_SECONDS
        )
