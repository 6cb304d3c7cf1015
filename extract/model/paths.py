"""Field paths into a record's JSON: `arms[1].type`, `eligibility.minimum_age`, `conditions[0]`.

The one spelling of a place in a record: `record.spans` keys, the checker's evidence, grounding's
removals, scoring's field names, the review queue's corrections and validation messages all use it.

- `get_value` (strict: a missing step is a PathError) and `find` (lenient: None) read;
- `set_value` writes on a deep copy, never the caller's data (the caller validates the result);
- `put` writes in place, creating missing parent objects (for builders of a new record's data);
- `parse` / `render` convert between the string and its parts.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


class PathError(ValueError):
    """A path that is malformed or names nothing in the record."""


def parse(path: str) -> list[str | int]:
    """'arms[1].type' -> ['arms', 1, 'type']."""
    return list(_parts(path))


@functools.lru_cache(maxsize=4096)  # a few hundred distinct paths, read millions of times in a batch
def _parts(path: str) -> tuple[str | int, ...]:
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
    return tuple(parts)


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


def find(data: Any, path: str) -> Any:
    """The value at `path`, or None when any step is missing or not a container (never raises for a
    well-formed path): for reading optional fields of partial data."""
    node = data
    for part in _parts(path):
        node = _step(node, part, path)
        if node is _MISSING:
            return None
    return node


def put(data: dict[str, Any], path: str, value: Any) -> None:
    """Set `path` in `data` itself, creating missing parent objects: `put(d, "design.masking", v)`.

    For object paths (no list index): builders fill a new record's data this way."""
    parts = parse(path)
    node = data
    for part in parts[:-1]:
        if not isinstance(part, str):
            raise PathError(f"put writes object paths only, not {path!r}")
        node = node.setdefault(part, {})
    leaf = parts[-1]
    if not isinstance(leaf, str):
        raise PathError(f"put writes object paths only, not {path!r}")
    node[leaf] = value
