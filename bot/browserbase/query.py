"""Filtering sessions by user metadata: the ``q`` parameter of ``GET /v1/sessions``.

Browserbase documents one form of query, a string equality on a path into the
session's ``userMetadata``::

    user_metadata['team']['name']:'checkout'

It documents no way to combine two conditions and no escape for a quote inside the
quotes. So:

- a filter key is a path whose parts are split on dots (``team.name``);
- only the first condition, by key, is sent as ``q``, to narrow the answer; every
  condition is then checked on the sessions that come back, so the result is right
  whatever the server makes of the query;
- a key or value holding ``'``, a backslash or a control character is refused with
  ValueError, since it cannot be quoted without guessing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_UNQUOTABLE = re.compile(r"['\\\x00-\x1f\x7f]")


def metadata_query(metadata: Mapping[str, str]) -> str | None:
    """The ``q`` value for ``metadata``; None when there is nothing to filter on."""
    check_metadata(metadata)
    if not metadata:
        return None
    key = min(metadata)
    path = "".join(f"['{part}']" for part in key.split("."))
    return f"user_metadata{path}:'{metadata[key]}'"


def check_metadata(metadata: Mapping[str, str]) -> None:
    """Refuse, with ValueError, a filter that the query syntax cannot express."""
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValueError("Metadata filters compare text with text only.")
        if not key or any(not part for part in key.split(".")):
            raise ValueError(
                f"The metadata key {key!r} is empty or has an empty part: "
                "write nested keys as team.name."
            )
        for text in (key, value):
            if _UNQUOTABLE.search(text):
                raise ValueError(
                    f"The metadata filter {key}={value!r} cannot be sent to "
                    "Browserbase: its query syntax has no escape for quotes, "
                    "backslashes or control characters."
                )


def matches_metadata(user_metadata: object, metadata: Mapping[str, str]) -> bool:
    """Whether ``userMetadata`` holds every key and value of ``metadata``."""
    for key, expected in metadata.items():
        node: Any = user_metadata
        for part in key.split("."):
            if not isinstance(node, Mapping):
                return False
            node = node.get(part)
        if node != expected:
            return False
    return True
