"""Dotted field paths into a record's JSON: `arms[1].type`, `eligibility.minimum_age`, `conditions[0]`.

The same spelling the checker's evidence and `record.spans` use. `set_value` works on a deep copy
and never on the caller's data; the caller validates the result against the record model.
"""

from __future__ import annotations

import copy
import re
from typing import Any

_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


class PathError(ValueError):
    """A path that is malformed or names nothing in the record."""


def parse(path: str) -> list[str | int]:
    """'arms[1].type' -> ['arms', 1, 'type']."""
    text = path.strip()
    if not text:
        raise PathError("the field path is empty")
    parts: list[str | int] = []
    position = 0
    while position < len(text):
        if parts and text[position] == "." and not text.startswith("[", position + 1):
            position += 1
        match = _PART.match(text, position)
        if match is None or (match.group(1) and parts and text[position - 1] != "."):
            raise PathError(f"field path {path!r} is not written like arms[1].type or eligibility.minimum_age")
        parts.append(match.group(1) if match.group(1) else int(match.group(2)))
        position = match.end()
    if text.endswith("."):
        raise PathError(f"field path {path!r} ends with a dot")
    if not isinstance(parts[0], str):
        raise PathError(f"field path {path!r} must start with a field name")
    return parts


def render(parts: list[str | int]) -> str:
    """['arms', 1, 'type'] -> 'arms[1].type'."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


_MISSING = object()


def get_value(data: Any, path: str) -> Any:
    """The value at `path`; raises PathError when a step is missing (a null leaf is returned as None)."""
    node = data
    for part in parse(path):
        node = _step(node, part, path)
        if node is _MISSING:
            raise PathError(f"the record has no field {path!r}")
    return node


def _step(node: Any, part: str | int, path: str) -> Any:
    if isinstance(part, int):
        return node[part] if isinstance(node, list) and part < len(node) else _MISSING
    return node.get(part, _MISSING) if isinstance(node, dict) else _MISSING


def set_value(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `data` with `path` set to `value`.

    A missing or null parent object is created (`enrollment.count` on a record without
    enrollment); a list index may be one past the end (append). Anything else that does not
    exist is a PathError; unknown field names are left for model validation to reject.
    """
    parts = parse(path)
    out = copy.deepcopy(data)
    node: Any = out
    for index, part in enumerate(parts[:-1]):
        following = parts[index + 1]
        child = _step(node, part, path)
        if child is _MISSING or child is None:
            if isinstance(following, int) or isinstance(part, int):
                raise PathError(f"the record has no field {render(parts[: index + 1])!r}")
            child = {}
            node[part] = child
        if not isinstance(child, dict | list):
            raise PathError(f"{render(parts[: index + 1])!r} is a value, not an object or list")
        node = child
    leaf = parts[-1]
    if isinstance(leaf, int):
        if not isinstance(node, list):
            raise PathError(f"{render(parts[:-1])!r} is not a list")
        if leaf < len(node):
            node[leaf] = value
        elif leaf == len(node):
            node.append(value)
        else:
            raise PathError(f"{path!r}: index {leaf} is past the end of a list of {len(node)}")
    else:
        if not isinstance(node, dict):
            raise PathError(f"{render(parts[:-1])!r} is not an object")
        node[leaf] = value
    return out


def covers(outer: str, inner: str) -> bool:
    """True when `inner` is `outer` or lies inside it: covers('arms[1]', 'arms[1].type')."""
    return inner == outer or inner.startswith(outer + ".") or inner.startswith(outer + "[")
