"""A real `bbslack run` process for end-to-end tests, and ways to wait on it."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

READY = re.compile(r"bbslack ready mode=(\w+) url=(\S+)")
SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"


def bot_env(
    *,
    slack_api_url: str,
    browserbase_url: str,
    project_id: str,
    api_key: str,
    db_path: Path,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The contract's variables for a bot pointed at the stand-ins, and nothing else."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api_url,
        "BROWSERBASE_API_KEY": api_key,
        "BROWSERBASE_PROJECT_ID": project_id,
        "BROWSERBASE_BASE_URL": browserbase_url,
        "BBSLACK_DB": str(db_path),
        "BBSLACK_HOST": "127.0.0.1",
        "BBSLACK_PORT": "0",
        "BBSLACK_POLL_INTERVAL": "1",
        "BBSLACK_LOG_LEVEL": "INFO",
    }
    env.update(extra or {})
    return env


class BotProcess:
    """`python -m bot.cli run` with the given environment, until stopped."""

    def __init__(self, env: Mapping[str, str], *, command: str = "run") -> None:
        self.env = dict(env)
        self.command = command
        self.lines: list[str] = []
        self.url = ""
        self.mode = ""
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Condition()

    async def start(self, *, timeout: float = 30) -> BotProcess:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            self.command,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())
        line = await self.wait_for_log(READY.search, timeout=timeout)
        found = READY.search(line)
        assert found is not None
        self.mode, self.url = found.group(1), found.group(2)
        return self

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    @property
    def returncode(self) -> int | None:
        return None if self._proc is None else self._proc.returncode

    async def _read(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        async for raw in self._proc.stderr:
            async with self._changed:
                self.lines.append(raw.decode(errors="replace").rstrip())
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    def log(self) -> str:
        return "\n".join(self.lines)

    async def wait_for_log(
        self, match: Callable[[str], object], *, timeout: float = 15, start: int = 0
    ) -> str:
        """The first log line (from index ``start``) that ``match`` accepts."""

        def found() -> str | None:
            for line in self.lines[start:]:
                if match(line):
                    return line
            return None

        async def until() -> str:
            async with self._changed:
                while (line := found()) is None:
                    if self._reader is not None and self._reader.done():
                        raise AssertionError(f"bbslack exited; its log:\n{self.log()}")
                    await self._changed.wait()
                return line

        try:
            return await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"no such log line in {timeout} s; the log:\n{self.log()}"
            ) from None

    async def stop(self, *, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        """Send ``sig`` and wait for the exit code."""
        if self._proc is None:
            return 0
        if self._proc.returncode is None:
            self._proc.send_signal(sig)
        try:
            code = await asyncio.wait_for(self._proc.wait(), timeout)
        finally:
            if self._proc.returncode is None:
                self._proc.kill()
                await self._proc.wait()
            if self._reader is not None:
                await self._reader
        return code

    async def kill(self) -> None:
        await self.stop(sig=signal.SIGKILL)


async def eventually(
    check: Callable[[], object], *, timeout: float = 15, interval: float = 0.05
) -> object:
    """Await until ``check()`` is truthy (it is re-evaluated, not slept on blindly)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met in {timeout} s: {check}")
        await asyncio.sleep(interval)
