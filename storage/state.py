"""Small named values the bot keeps between runs (poll watermark, last poll, keys)."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database


def get(db: Database, key: str, default: Any = None) -> Any:
    row = db.execute("SELECT value FROM state WHERE key = ?", [key]).fetchone()
    return default if row is None else json.loads(row[0])


def put(db: Database, key: str, value: Any) -> None:
    db.execute(
        "INSERT INTO state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, json.dumps(value)],
    )
