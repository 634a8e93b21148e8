"""The ``q`` filter of ``GET /v1/sessions``, as Browserbase documents it.

A query is one or more clauses joined by ``AND``; each clause names a path into the
user metadata and a string it must equal::

    user_metadata['team']['name']:'checkout' AND user_metadata['env']:'prod'

Only string values match (a stored number never equals ``'5'``). A backslash escapes a
quote inside a key or a value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# A quoted string: anything but a bare quote, backslash escapes allowed.
_TEXT = r"'((?:[^'\\]|\\.)*)'"
_KEY = re.compile(r"\[" + _TEXT + r"\]")
_CLAUSE = re.compile(
    r"\s*user_metadata((?:\['(?:[^'\\]|\\.)*'\])+)\s*:\s*" + _TEXT + r"\s*"
)
_AND = re.compile(r"AND\b", re.IGNORECASE)
_ESCAPE = re.compile(r"\\(.)")


class QueryError(ValueError):
    """The ``q`` parameter is not a metadata query."""


@dataclass(frozen=True, slots=True)
class Clause:
    path: tuple[str, ...]
    value: str

    def matches(self, metadata: Mapping[str, Any] | None) -> bool:
        node: Any = metadata
        for key in self.path:
            if not isinstance(node, Mapping) or key not in node:
                return False
            node = node[key]
        return isinstance(node, str) and node == self.value


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def parse_query(text: str) -> tuple[Clause, ...]:
    """The clauses of ``text``; raises `QueryError` when it does not parse."""
    clauses: list[Clause] = []
    position = 0
    while True:
        match = _CLAUSE.match(text, position)
        if match is None:
            raise QueryError(f"not a metadata query at character {position}")
        path = tuple(_unescape(key) for key in _KEY.findall(match.group(1)))
        clauses.append(Clause(path, _unescape(match.group(2))))
        position = match.end()
        if position == len(text):
            return tuple(clauses)
        joiner = _AND.match(text, position)
        if joiner is None:
            raise QueryError(f"expected AND at character {position}")
        position = joiner.end()


def matches_all(
    clauses: tuple[Clause, ...], metadata: Mapping[str, Any] | None
) -> bool:
    return all(clause.matches(metadata) for clause in clauses)
