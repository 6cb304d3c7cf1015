"""Content-addressed on-disk cache of validated model answers.

Key: sha256 of the canonical JSON of everything that decides the answer: model id, instructor mode,
messages, the answer's JSON schema, temperature, seed, max_tokens and the prompt template's hash.
Never the API key or the endpoint URL (the same model behind another URL gives the same answer).
One JSON file per key under a two-character shard (`ab/abcdef….json`), written to a temp file and
renamed, with sorted keys and no timestamps, so a committed cache diffs cleanly and `--replay`
re-runs are byte-for-byte reproducible.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_FORMAT = 1


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 kept: one text per value, the same on every machine."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def cache_key(
    *,
    model_id: str,
    mode: str,
    messages: list[dict[str, str]],
    schema: dict[str, Any],
    temperature: float,
    seed: int,
    max_tokens: int,
    prompt_hash: str,
) -> str:
    """The hex sha256 naming one request's answer."""
    material = {
        "format": CACHE_FORMAT,
        "model_id": model_id,
        "mode": mode,
        "messages": messages,
        "schema": schema,
        "temperature": temperature,
        "seed": seed,
        "max_tokens": max_tokens,
        "prompt_hash": prompt_hash,
    }
    return hashlib.sha256(canonical_json(material).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedAnswer:
    """One stored answer: the validated JSON, what it cost when it was made, and where it came from."""

    answer: Any
    attempts: int
    prompt_tokens: int
    completion_tokens: int
    question: str
    prompt_hash: str
    model_id: str
    mode: str

    def to_json(self, key: str) -> dict[str, Any]:
        return {
            "format": CACHE_FORMAT,
            "key": key,
            "answer": self.answer,
            "attempts": self.attempts,
            "usage": {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens},
            "request": {
                "question": self.question,
                "prompt_hash": self.prompt_hash,
                "model_id": self.model_id,
                "mode": self.mode,
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CachedAnswer:
        request = data["request"]
        usage = data["usage"]
        return cls(
            answer=data["answer"],
            attempts=int(data["attempts"]),
            prompt_tokens=int(usage["prompt_tokens"]),
            completion_tokens=int(usage["completion_tokens"]),
            question=str(request["question"]),
            prompt_hash=str(request["prompt_hash"]),
            model_id=str(request["model_id"]),
            mode=str(request["mode"]),
        )


class ResponseCache:
    """The folder of cached answers; safe for concurrent writers (atomic rename, same content per key)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedAnswer | None:
        """The stored answer, or None when absent or unreadable (a damaged entry is a miss, not a crash)."""
        try:
            data = json.loads(self.path_for(key).read_text(encoding="utf-8"))
            if data.get("format") != CACHE_FORMAT or data.get("key") != key:
                return None
            return CachedAnswer.from_json(data)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, entry: CachedAnswer) -> Path:
        """Write atomically: readers see the old file or the whole new one, never half of it."""
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(entry.to_json(key), sort_keys=True, indent=1, ensure_ascii=False) + "\n"
        fd, tmp_name = tempfile.mkstemp(prefix=f".{key[:12]}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp_name, path)
        finally:
            Path(tmp_name).unlink(missing_ok=True)
        return path
