"""The Dockerfile's promises, checked without Docker: layers, user, volume, health."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, no comments."""
    found: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        keyword, _, args = (pending + line).strip().partition(" ")
        found.append((keyword.upper(), " ".join(args.split())))
        pending = ""
    return found


def index_of(keyword: str, needle: str = "") -> int:
    """Position of the first ``keyword`` instruction whose arguments hold ``needle``."""
    for position, (found, args) in enumerate(instructions()):
        if found == keyword and needle in args:
            return position
    raise AssertionError(f"no {keyword} instruction containing {needle!r}")


def arguments(keyword: str) -> list[str]:
    return [args for found, args in instructions() if found == keyword]


def index_of_run(needle: str) -> int:
    runs = arguments("RUN")
    return next(i for i, args in enumerate(runs) if needle in args)


def test_dockerfile_builds_on_python_311_slim() -> None:
    """The image starts from the slim Python 3.11 image."""
    assert ["python:3.11-slim"] == arguments("FROM")


def test_dockerfile_installs_dependencies_before_copying_the_source() -> None:
    """Dependencies get their own layer, so a code change does not reinstall them."""
    manifest_copied = index_of("COPY", "pyproject.toml")
    dependencies = index_of("RUN", "pip install -r")
    source_copied = index_of("COPY", "bot")
    package = index_of("RUN", "pip install --no-deps .")

    assert manifest_copied < dependencies < source_copied < package
    assert "pyproject.toml ./" == instructions()[manifest_copied][1]


def test_dockerfile_dependency_list_matches_pyproject() -> None:
    """The one-liner that lists dependencies prints exactly pyproject's list."""
    run = arguments("RUN")[index_of_run("tomllib")]
    code = shlex.split(run.split(">", 1)[0])[2]

    printed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.splitlines()

    with (ROOT / "pyproject.toml").open("rb") as file:
        assert tomllib.load(file)["project"]["dependencies"] == printed


def test_dockerfile_copies_every_package() -> None:
    """Every package pyproject ships is copied into the image."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        packages = tomllib.load(file)["tool"]["setuptools"]["packages"]["find"]
    copied = " ".join(arguments("COPY"))

    for pattern in packages["include"]:
        package = pattern.rstrip("*")
        assert f"{package} ./{package}" in copied


def test_dockerfile_runs_as_a_non_root_user() -> None:
    """The last USER before CMD is a named, non-root account."""
    users = arguments("USER")

    assert users, "no USER instruction"
    assert users[-1] not in ("root", "0", "0:0")
    assert index_of("USER") < index_of("CMD")


def test_dockerfile_keeps_the_database_on_a_volume() -> None:
    """/data is a volume and BBSLACK_DB points into it; the bot listens on 3000."""
    assert ["/data"] == arguments("VOLUME")
    assert "BBSLACK_DB=/data/bbslack.db" in arguments("ENV")
    assert ["3000"] == arguments("EXPOSE")
    assert ["/app"] == arguments("WORKDIR")


def test_dockerfile_runs_the_bot() -> None:
    """The container's command is `bbslack run`, in exec form so signals reach it."""
    assert [["bbslack", "run"]] == [json.loads(args) for args in arguments("CMD")]


class Health:
    """A loopback /healthz that answers with the status set on it."""

    def __init__(self) -> None:
        self.status = 200
        health = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                code = health.status if self.path == "/healthz" else 404
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]


@pytest.fixture
def health() -> Iterator[Health]:
    """A /healthz stand-in served on a free loopback port for the test's length."""
    served = Health()
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    yield served
    served.server.shutdown()
    served.server.server_close()
    thread.join(timeout=10)


def run_healthcheck(port: int) -> int:
    """Exit code of the HEALTHCHECK command run by sh, with BBSLACK_PORT set."""
    (healthcheck,) = arguments("HEALTHCHECK")
    command = healthcheck.split(" CMD ", 1)[1]
    assert command.startswith("python ")
    command = shlex.quote(sys.executable) + command.removeprefix("python")

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "BBSLACK_PORT": str(port)}
    done = subprocess.run(
        ["sh", "-c", command], env=env, capture_output=True, timeout=30
    )
    return done.returncode


def test_healthcheck_passes_when_healthz_answers_200(health: Health) -> None:
    """A healthy /healthz on BBSLACK_PORT makes the container healthy."""
    assert 0 == run_healthcheck(health.port)


def test_healthcheck_fails_when_healthz_answers_503(health: Health) -> None:
    """A degraded bot (503) makes the container unhealthy."""
    health.status = 503

    assert 1 == run_healthcheck(health.port)


def test_healthcheck_fails_when_nothing_listens() -> None:
    """No server on the port makes the container unhealthy."""
    # Bound but not listening: the port refuses connections and nobody else gets it.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))

        assert 1 == run_healthcheck(taken.getsockname()[1])


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    """Virtualenvs, caches, databases, git history and tests stay out of the context."""
    ignored = set((ROOT / ".dockerignore").read_text().splitlines())

    for entry in (".git", ".venv", "*.db", "**/__pycache__", ".pytest_cache", "tests"):
        assert entry in ignored
