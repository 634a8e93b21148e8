"""Block Kit as Slack checks and stores it.

Slack refuses blocks over its limits with ``invalid_blocks`` and a list of errors that
point into the payload; the stand-in does the same for the limits the bot can hit, so
an oversized view fails in a test rather than in a customer's workspace. Slack also
gives every block without a ``block_id`` one of its own, which a click then carries.
"""

from __future__ import annotations

import copy
import hashlib
import string
from collections.abc import Iterator
from typing import Any

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100

# Per element type: field path -> maximum characters.
_TEXT_LIMITS: dict[str, dict[tuple[str, ...], int]] = {
    "button": {("text", "text"): 75, ("value",): 2000, ("url",): 3000},
    "section": {("text", "text"): 3000},
    "header": {("text", "text"): 150},
}
_CONFIRM_LIMITS = {"title": 100, "text": 300, "confirm": 30, "deny": 30}
_MAX_ELEMENTS = {"actions": 25, "context": 10}
_ID_MAX = 255
_INTERACTIVE = frozenset(
    {
        "button",
        "overflow",
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "datepicker",
        "timepicker",
        "checkboxes",
        "radio_buttons",
    }
)


def block_errors(blocks: Any, *, max_blocks: int) -> list[str]:
    """Slack's complaints about ``blocks``, empty when it would accept them."""
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"no more than {max_blocks} items allowed [json-pointer:/blocks]")
    seen_block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        pointer = f"/blocks/{index}"
        if not isinstance(block, dict) or "type" not in block:
            errors.append(f"missing required field: type [json-pointer:{pointer}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in seen_block_ids:
                errors.append(f"duplicate block_id [json-pointer:{pointer}/block_id]")
            seen_block_ids.add(block_id)
        errors.extend(_block_errors(block, pointer))
    return errors


def _block_errors(block: dict[str, Any], pointer: str) -> list[str]:
    kind = block["type"]
    errors = _length_errors(block, pointer)
    if kind == "section":
        if "text" not in block and "fields" not in block:
            errors.append(
                f"must provide either text or fields [json-pointer:{pointer}]"
            )
        fields = block.get("fields", [])
        if len(fields) > 10:
            errors.append(
                f"no more than 10 items allowed [json-pointer:{pointer}/fields]"
            )
        for i, item in enumerate(fields):
            if len(item.get("text", "")) > 2000:
                errors.append(_too_long(2000, f"{pointer}/fields/{i}/text"))
        if isinstance(block.get("accessory"), dict):
            errors.extend(_element_errors(block["accessory"], f"{pointer}/accessory"))
    if kind == "header" and block.get("text", {}).get("type") != "plain_text":
        errors.append(f"must be plain_text [json-pointer:{pointer}/text/type]")
    elements = block.get("elements", [])
    limit = _MAX_ELEMENTS.get(kind)
    if limit is not None and len(elements) > limit:
        errors.append(f"no more than {limit} items allowed [json-pointer:{pointer}]")
    if kind == "actions":
        errors.extend(_actions_errors(elements, pointer))
    return errors


def _actions_errors(elements: list[Any], pointer: str) -> list[str]:
    errors: list[str] = []
    seen: set[str] = set()
    for i, element in enumerate(elements):
        where = f"{pointer}/elements/{i}"
        action_id = element.get("action_id")
        if action_id is not None and action_id in seen:
            errors.append(f"duplicate action_id [json-pointer:{where}/action_id]")
        seen.add(action_id)
        errors.extend(_element_errors(element, where))
    return errors


def _element_errors(element: dict[str, Any], pointer: str) -> list[str]:
    errors = _length_errors(element, pointer)
    if element.get("type") == "button":
        text = element.get("text", {})
        if text.get("type") != "plain_text":
            errors.append(f"must be plain_text [json-pointer:{pointer}/text/type]")
    confirm = element.get("confirm")
    if isinstance(confirm, dict):
        for key, limit in _CONFIRM_LIMITS.items():
            if len(confirm.get(key, {}).get("text", "")) > limit:
                errors.append(_too_long(limit, f"{pointer}/confirm/{key}/text"))
    return errors


def _length_errors(item: dict[str, Any], pointer: str) -> list[str]:
    errors: list[str] = []
    limits = dict(_TEXT_LIMITS.get(item.get("type", ""), {}))
    limits.update({("action_id",): _ID_MAX, ("block_id",): _ID_MAX})
    for path, limit in limits.items():
        value: Any = item
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str) and len(value) > limit:
            errors.append(_too_long(limit, f"{pointer}/{'/'.join(path)}"))
    return errors


def _too_long(limit: int, pointer: str) -> str:
    return f"must be less than {limit + 1} characters [json-pointer:{pointer}]"


def with_ids(blocks: list[dict[str, Any]], seed: str) -> list[dict[str, Any]]:
    """A copy of ``blocks`` with the ``block_id`` and ``action_id`` Slack fills in."""
    stored = copy.deepcopy(blocks)
    for index, block in enumerate(stored):
        block.setdefault("block_id", _generated_id(f"{seed}/{index}"))
        for position, element in enumerate(_elements(block)):
            if element.get("type") in _INTERACTIVE:
                element.setdefault(
                    "action_id", _generated_id(f"{seed}/{index}/{position}")
                )
    return stored


def _generated_id(seed: str) -> str:
    # Slack's generated ids are a few random characters; ours derive from the message
    # and the position, so a failing test prints the same ids on every run.
    alphabet = string.ascii_letters + string.digits
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    chars = []
    for _ in range(4):
        number, rest = divmod(number, len(alphabet))
        chars.append(alphabet[rest])
    return "".join(chars)


def _elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    found = [e for e in block.get("elements", []) if isinstance(e, dict)]
    if isinstance(block.get("accessory"), dict):
        found.append(block["accessory"])
    return found


def interactive_elements(
    blocks: list[dict[str, Any]],
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (block, element) pair a user can click: actions elements, accessories."""
    for block in blocks:
        for element in _elements(block):
            if element.get("type") in _INTERACTIVE:
                yield block, element
