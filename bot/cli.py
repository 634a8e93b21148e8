"""The command line: ``bbslack run | check | poll | manifest | emulator``."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from bot import __version__
from bot.errors import ConfigError
from bot.logs import configure_logging, settings_secrets
from bot.settings import Settings

EXIT_CONFIG = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_CONFIG
    code: int = args.handler(args)
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bbslack",
        description="A Slack bot for teams that run browsers on Browserbase. "
        "Configured through environment variables (see the README).",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the bot until SIGINT/SIGTERM",
        description="Run the bot: Slack listeners (Socket Mode when SLACK_APP_TOKEN "
        "is set, else HTTP on BBSLACK_HOST:BBSLACK_PORT), the poller and the "
        "delivery of alerts.",
    )
    run.set_defaults(handler=_run)

    check = commands.add_parser(
        "check",
        help="check the configuration and both services",
        description="Check the settings, Slack (auth.test and scopes), the "
        "Browserbase project, the database and the alert channel; one line per "
        "check, with the fix when it fails. Exit 0 only when all pass.",
    )
    check.set_defaults(handler=_check)

    poll = commands.add_parser(
        "poll",
        help="run one poll cycle",
        description="Run one poll cycle and deliver what it records.",
    )
    poll.add_argument(
        "--once", action="store_true", required=True, help="one cycle, then exit"
    )
    poll.add_argument(
        "--dry-run",
        action="store_true",
        help="print the alerts it would post; record and post nothing",
    )
    poll.set_defaults(handler=_poll)

    manifest = commands.add_parser(
        "manifest",
        help="print the Slack app manifest",
        description="Print a Slack app manifest to paste at api.slack.com/apps > "
        "Create New App > From a manifest. Socket Mode unless --http-url is given.",
    )
    manifest.add_argument(
        "--http-url",
        metavar="URL",
        help="public base URL of the bot in HTTP mode (https://bot.example.com)",
    )
    manifest.set_defaults(handler=_manifest)

    emulator = commands.add_parser(
        "emulator",
        help="serve a local stand-in for the Browserbase API",
        description="Serve a stateful stand-in for the Browserbase API, to try "
        "and test the bot without a Browserbase account.",
    )
    emulator.add_argument("--port", type=int, default=8765, help="default: 8765")
    emulator.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    emulator.add_argument(
        "--scenario", default="empty", help="empty (default), demo or history"
    )
    emulator.add_argument("--project-id", default="proj_emulator")
    emulator.add_argument("--api-key", default="bb_emulator_key")
    emulator.set_defaults(handler=_emulator)
    return parser


def _settings() -> Settings | None:
    """Settings from the environment, or None after printing every problem."""
    try:
        return Settings.from_env(os.environ)
    except ConfigError as exc:
        print("bbslack cannot start; fix these settings:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  ✗ {problem}", file=sys.stderr)
        return None


def _logging(settings: Settings) -> None:
    configure_logging(
        settings.log_level, settings.log_format, secrets=settings_secrets(settings)
    )


def _run(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return EXIT_CONFIG
    _logging(settings)
    from bot.app import run

    return asyncio.run(run(settings))


def _check(args: argparse.Namespace) -> int:
    from bot.check import run_checks

    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"✗ settings: {problem}")
        return 1
    print("✓ settings: every variable is set and valid")
    return asyncio.run(run_checks(settings, out=sys.stdout))


def _poll(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return EXIT_CONFIG
    _logging(settings)
    from bot.oneshot import poll_once

    return asyncio.run(poll_once(settings, dry_run=args.dry_run, out=sys.stdout))


def _manifest(args: argparse.Namespace) -> int:
    from bot.manifest import manifest_json

    try:
        print(manifest_json(args.http_url))
    except ValueError as exc:
        print(f"bbslack manifest: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


def _emulator(args: argparse.Namespace) -> int:
    from bot.emulator import run_emulator

    try:
        return run_emulator(
            args.host, args.port, args.scenario, args.project_id, args.api_key
        )
    except ValueError as exc:
        print(f"bbslack emulator: {exc}", file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
