"""Signed button values.

A button's value travels to Slack and back inside the click payload; a user with the
right tools can edit it. Values that name a session carry an HMAC, so an edited value is
recognised and rejected before anything else looks at it.
"""

from __future__ import annotations

import hashlib
import hmac

_SEPARATOR = "."
_SIGNATURE_CHARS = 32


class ButtonSigner:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a button signing key needs at least 16 bytes")
        self._key = key

    def sign(self, session_id: str) -> str:
        """``session_id`` with its signature appended."""
        return f"{session_id}{_SEPARATOR}{self._digest(session_id)}"

    def verify(self, value: str) -> str | None:
        """The session id inside a value we signed, or None when it was altered."""
        session_id, separator, signature = value.rpartition(_SEPARATOR)
        if not separator or not session_id:
            return None
        if not hmac.compare_digest(signature, self._digest(session_id)):
            return None
        return session_id

    def _digest(self, session_id: str) -> str:
        mac = hmac.new(self._key, session_id.encode(), hashlib.sha256)
        return mac.hexdigest()[:_SIGNATURE_CHARS]
