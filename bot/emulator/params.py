"""Reading JSON request bodies, with Fastify-style messages when a field is wrong."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any


class ParamError(ValueError):
    """A request field is missing or wrong; the message names it."""


class Params:
    """Typed access to the fields of one JSON object."""

    def __init__(self, data: object, where: str = "body") -> None:
        if not isinstance(data, Mapping):
            raise ParamError(f"{where} must be object")
        self.data: Mapping[str, Any] = data
        self.where = where

    def __contains__(self, name: str) -> bool:
        return self.data.get(name) is not None

    def _fail(self, name: str, problem: str) -> ParamError:
        return ParamError(f"{self.where}/{name} {problem}")

    def number(
        self, name: str, low: float = 0, high: float = float("inf")
    ) -> float | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(name, "must be number")
        if not low <= value <= high:
            raise self._fail(name, f"must be between {low:g} and {high:g}")
        return float(value)

    def integer(self, name: str, low: int = 0, high: int = 2**53) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(name, "must be integer")
        if value < low:
            raise self._fail(name, f"must be >= {low}")
        if value > high:
            raise self._fail(name, f"must be <= {high}")
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._fail(name, "must be boolean")
        return value

    def string(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise self._fail(name, "must be a non-empty string")
        return value

    def choice(self, name: str, choices: Collection[str]) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        if value not in choices:
            raise self._fail(name, "must be equal to one of the allowed values")
        return str(value)

    def mapping(self, name: str) -> dict[str, Any] | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self._fail(name, "must be object")
        return dict(value)

    def nested(self, name: str) -> Params:
        """The object under ``name`` (empty when absent), for nested fields."""
        return Params(self.mapping(name) or {}, f"{self.where}/{name}")
