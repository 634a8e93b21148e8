"""Settings from the environment: every variable read once, every problem named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import Settings

BASE = {
    "SLACK_BOT_TOKEN": "xoxb-1-secret",
    "SLACK_SIGNING_SECRET": "signing-secret-value",
    "BROWSERBASE_API_KEY": "bb_live_secret",
    "BROWSERBASE_PROJECT_ID": "proj_1",
}


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    return caught.value.problems


def test_defaults_follow_the_contract() -> None:
    """With only the required variables, every default is the documented one."""
    settings = Settings.from_env(BASE)

    assert "https://slack.com/api/" == settings.slack_api_url
    assert "https://api.browserbase.com" == settings.browserbase_base_url
    assert Path("bbslack.db") == settings.db_path
    assert ("0.0.0.0", 3000) == (settings.host, settings.port)
    assert settings.alert_channel is None
    assert 60.0 == settings.poll_interval
    assert frozenset() == settings.admins
    assert 30.0 == settings.keepalive_alert_after_minutes
    assert ("INFO", "text") == (settings.log_level, settings.log_format)
    assert settings.socket_mode is False


def test_every_variable_is_read() -> None:
    """Each contract variable changes the setting it names."""
    settings = Settings.from_env(
        {
            **BASE,
            "SLACK_APP_TOKEN": "xapp-1-secret",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "BROWSERBASE_BASE_URL": "http://127.0.0.1:8/",
            "BBSLACK_DB": "/tmp/x.db",
            "BBSLACK_HOST": "127.0.0.1",
            "BBSLACK_PORT": "0",
            "BBSLACK_ALERT_CHANNEL": "C0ALERTS",
            "BBSLACK_POLL_INTERVAL": "15",
            "BBSLACK_ADMINS": "U0ALICE, S0ADMINS",
            "BBSLACK_KEEPALIVE_ALERT_AFTER": "45",
            "BBSLACK_LOG_LEVEL": "debug",
            "BBSLACK_LOG_FORMAT": "JSON",
        }
    )

    assert settings.socket_mode is True
    assert "http://127.0.0.1:9/api/" == settings.slack_api_url
    assert "http://127.0.0.1:8" == settings.browserbase_base_url
    assert Path("/tmp/x.db") == settings.db_path
    assert ("127.0.0.1", 0) == (settings.host, settings.port)
    assert "C0ALERTS" == settings.alert_channel
    assert 15.0 == settings.poll_interval
    assert frozenset({"U0ALICE", "S0ADMINS"}) == settings.admins
    assert 45.0 == settings.keepalive_alert_after_minutes
    assert ("DEBUG", "json") == (settings.log_level, settings.log_format)


def test_every_problem_is_reported_at_once_with_its_fix() -> None:
    """All missing and invalid values are listed together, each naming its variable."""
    found = problems(
        {
            "SLACK_BOT_TOKEN": "xoxp-user-token",
            "BBSLACK_PORT": "70000",
            "BBSLACK_ALERT_CHANNEL": "#alerts",
            "BBSLACK_LOG_FORMAT": "xml",
        }
    )

    named = [line.split(" ", 1)[0] for line in found]
    assert [
        "SLACK_BOT_TOKEN",
        "BROWSERBASE_API_KEY",
        "BROWSERBASE_PROJECT_ID",
        "SLACK_SIGNING_SECRET",
        "BBSLACK_PORT",
        "BBSLACK_ALERT_CHANNEL",
        "BBSLACK_LOG_FORMAT",
    ] == named
    assert any("Basic Information" in line for line in found)


def test_problems_never_repeat_a_secret() -> None:
    """A token pasted into the wrong variable is not echoed back."""
    found = problems({**BASE, "SLACK_BOT_TOKEN": "xapp-1-pasted-secret"})

    assert not any("pasted-secret" in line for line in found)


def test_socket_mode_needs_no_signing_secret() -> None:
    """With an app token, the signing secret is optional."""
    env = {**BASE, "SLACK_APP_TOKEN": "xapp-1-x"}
    del env["SLACK_SIGNING_SECRET"]

    assert Settings.from_env(env).slack_signing_secret is None


def test_settings_repr_hides_secrets() -> None:
    """Printing settings (in a traceback, say) shows no token or key."""
    text = repr(Settings.from_env(BASE))

    for secret in ("xoxb-1-secret", "signing-secret-value", "bb_live_secret"):
        assert secret not in text
