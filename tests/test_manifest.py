"""The Slack app manifest: one paste creates a working app, in either mode."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.manifest import build_manifest, manifest_json

EVENTS_URL = "https://bbslack.example.com/slack/events"

# What Slack's manifest schema (v1) allows in the parts we use: keys and text limits.
ALLOWED_KEYS: dict[str, set[str]] = {
    "": {"display_information", "features", "oauth_config", "settings", "_metadata"},
    "display_information": {
        "name",
        "description",
        "long_description",
        "background_color",
    },
    "features": {"bot_user", "app_home", "slash_commands", "shortcuts"},
    "features.bot_user": {"display_name", "always_online"},
    "features.app_home": {
        "home_tab_enabled",
        "messages_tab_enabled",
        "messages_tab_read_only_enabled",
    },
    "oauth_config": {"scopes", "redirect_urls"},
    "oauth_config.scopes": {"bot", "user"},
    "settings": {
        "interactivity",
        "event_subscriptions",
        "org_deploy_enabled",
        "socket_mode_enabled",
        "token_rotation_enabled",
    },
    "settings.interactivity": {"is_enabled", "request_url"},
    "settings.event_subscriptions": {"request_url", "bot_events", "user_events"},
}
COMMAND_KEYS = {"command", "description", "usage_hint", "url", "should_escape"}
TEXT_LIMITS = {
    # path: (min, max) characters
    "display_information.name": (1, 35),
    "display_information.description": (1, 140),
    "display_information.long_description": (175, 4000),
    "features.bot_user.display_name": (1, 80),
}


def manifest_problems(manifest: dict[str, Any]) -> list[str]:
    """What Slack would reject in ``manifest``, among the rules checkable offline."""
    problems = []
    for path, allowed in ALLOWED_KEYS.items():
        part = _at(manifest, path)
        if not isinstance(part, dict):
            problems.append(f"{path or 'manifest'} is missing or not an object")
            continue
        problems += [f"unknown key {path}.{key}" for key in set(part) - allowed]
    for path, (low, high) in TEXT_LIMITS.items():
        text = _at(manifest, path)
        if not isinstance(text, str) or not low <= len(text) <= high:
            problems.append(f"{path} must be {low} to {high} characters")
    color = manifest["display_information"].get("background_color", "#fff")
    if not re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", color):
        problems.append(f"background_color {color!r} is not a hex color")
    for command in _at(manifest, "features.slash_commands") or [None]:
        problems += _command_problems(command)
    for path in ("settings.interactivity", "settings.event_subscriptions"):
        url = (_at(manifest, path) or {}).get("request_url", "https://")
        if not re.match(r"https?://", url):
            problems.append(f"{path}.request_url must be an http(s) URL")
    for path in ("oauth_config.scopes.bot", "settings.event_subscriptions.bot_events"):
        items = _at(manifest, path) or []
        if len(set(items)) != len(items):
            problems.append(f"{path} has duplicates")
    return problems


def _command_problems(command: Any) -> list[str]:
    if not isinstance(command, dict):
        return ["features.slash_commands needs at least one command"]
    problems = [f"unknown command key {key}" for key in set(command) - COMMAND_KEYS]
    if not re.fullmatch(r"/\S{1,31}", command.get("command", "")):
        problems.append("command must start with / and have at most 32 characters")
    if not 1 <= len(command.get("description", "")) <= 2000:
        problems.append("command description must be 1 to 2000 characters")
    if not 1 <= len(command.get("usage_hint", "x")) <= 1000:
        problems.append("usage_hint must be 1 to 1000 characters")
    if not re.match(r"https?://", command.get("url", "https://")):
        problems.append("command url must be an http(s) URL")
    return problems


def _at(manifest: dict[str, Any], path: str) -> Any:
    part: Any = manifest
    for key in filter(None, path.split(".")):
        part = part.get(key) if isinstance(part, dict) else None
    return part


@pytest.mark.parametrize("http_url", [None, "https://bbslack.example.com"])
def test_manifest_passes_slack_rules_in_both_modes(http_url: str | None) -> None:
    """Both manifests break none of Slack's rules that can be checked offline."""
    assert [] == manifest_problems(build_manifest(http_url))


def test_manifest_problems_reports_a_rule_broken() -> None:
    """The offline checker itself catches a long description below Slack's minimum."""
    manifest = build_manifest()
    manifest["display_information"]["long_description"] = "too short"

    problems = manifest_problems(manifest)

    assert ["display_information.long_description must be 175 to 4000 characters"] == (
        problems
    )


def test_manifest_socket_mode_has_no_request_urls() -> None:
    """Without a URL the app uses Socket Mode and names no request URL anywhere."""
    manifest = build_manifest()

    assert True is manifest["settings"]["socket_mode_enabled"]
    assert "request_url" not in manifest["settings"]["interactivity"]
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert "slack/events" not in manifest_json()


def test_manifest_http_mode_points_every_request_url_at_slack_events() -> None:
    """With a URL, the command, interactivity and events all go to /slack/events."""
    manifest = build_manifest("https://bbslack.example.com")
    settings = manifest["settings"]

    assert False is settings["socket_mode_enabled"]
    assert EVENTS_URL == manifest["features"]["slash_commands"][0]["url"]
    assert EVENTS_URL == settings["interactivity"]["request_url"]
    assert EVENTS_URL == settings["event_subscriptions"]["request_url"]


def test_manifest_asks_for_exactly_the_scopes_and_events_the_bot_uses() -> None:
    """The bot asks for the five scopes it needs, no more, and the Home tab event."""
    manifest = build_manifest()

    assert [
        "commands",
        "chat:write",
        "chat:write.public",
        "files:write",
        "usergroups:read",
    ] == manifest["oauth_config"]["scopes"]["bot"]
    assert ["app_home_opened"] == manifest["settings"]["event_subscriptions"][
        "bot_events"
    ]
    assert True is manifest["settings"]["interactivity"]["is_enabled"]


def test_manifest_declares_the_browserbase_command_and_home_tab() -> None:
    """/browserbase arrives unescaped, hints every subcommand; Home tab on, DMs off."""
    manifest = build_manifest()
    command = manifest["features"]["slash_commands"][0]
    home = manifest["features"]["app_home"]

    assert "/browserbase" == command["command"]
    assert False is command["should_escape"]
    for word in ("sessions", "session ID", "usage", "keepalive", "alerts", "help"):
        assert word in command["usage_hint"]
    assert (True, False) == (home["home_tab_enabled"], home["messages_tab_enabled"])
    assert True is manifest["features"]["bot_user"]["always_online"]
    assert False is manifest["settings"]["org_deploy_enabled"]
    assert False is manifest["settings"]["token_rotation_enabled"]


@pytest.mark.parametrize(
    "http_url",
    [
        "https://bbslack.example.com",
        "https://bbslack.example.com/",
        "https://bbslack.example.com/slack/events",
        "https://bbslack.example.com/slack/events/",
        "  https://bbslack.example.com  ",
    ],
)
def test_manifest_http_url_accepts_base_or_full_events_url(http_url: str) -> None:
    """A trailing slash or an already-present /slack/events is not doubled."""
    manifest = build_manifest(http_url)

    assert EVENTS_URL == manifest["settings"]["interactivity"]["request_url"]


@pytest.mark.parametrize(
    ("http_url", "expected"),
    [
        ("https://example.com/bbslack/", "https://example.com/bbslack/slack/events"),
        ("https://example.com:8443", "https://example.com:8443/slack/events"),
        ("http://localhost:3000", "http://localhost:3000/slack/events"),
        ("http://127.0.0.1:3000/", "http://127.0.0.1:3000/slack/events"),
    ],
)
def test_manifest_http_url_keeps_prefix_port_and_local_http(
    http_url: str, expected: str
) -> None:
    """A path prefix and a port survive; plain http is accepted for localhost."""
    manifest = build_manifest(http_url)

    assert expected == manifest["features"]["slash_commands"][0]["url"]


@pytest.mark.parametrize(
    "http_url",
    [
        "http://bbslack.example.com",
        "ftp://bbslack.example.com",
        "bbslack.example.com",
        "https://",
        "",
        "https://bbslack.example.com?token=1",
        "https://bbslack.example.com/#top",
        "https://bbslack.example.com:99999",
        "https://bbs lack.example.com",
    ],
)
def test_manifest_bad_http_url_raises_value_error_naming_https(http_url: str) -> None:
    """A URL Slack could not call is refused with a message asking for https."""
    with pytest.raises(ValueError, match=r"https URL, such as https://"):
        build_manifest(http_url)


def test_manifest_url_with_credentials_is_refused_without_echoing_them() -> None:
    """A URL carrying a password is refused, and the message does not repeat it."""
    with pytest.raises(ValueError) as caught:
        build_manifest("https://admin:hunter22@bbslack.example.com")

    assert "hunter22" not in str(caught.value)


def test_manifest_name_sets_app_and_bot_names() -> None:
    """A custom name shows as the app's name and the bot user's."""
    manifest = build_manifest(name="bb-staging")

    assert "bb-staging" == manifest["display_information"]["name"]
    assert "bb-staging" == manifest["features"]["bot_user"]["display_name"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 36])
def test_manifest_name_beyond_slack_limits_raises(name: str) -> None:
    """An empty name or one over 35 characters is refused before Slack sees it."""
    with pytest.raises(ValueError, match="1 to 35 characters"):
        build_manifest(name=name)


def test_manifest_json_is_indented_json_of_the_manifest() -> None:
    """The printed form parses back to the same manifest and is indented for humans."""
    text = manifest_json("https://bbslack.example.com")

    assert build_manifest("https://bbslack.example.com") == json.loads(text)
    assert text.startswith('{\n  "display_information"')
