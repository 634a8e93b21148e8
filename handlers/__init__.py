"""Slack listeners, thin: parse the request, call `bot` and `storage`, answer.

Each module exposes ``register(app, services)``; only `bot.app` imports them.
"""
