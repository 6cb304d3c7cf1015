"""Questions sent out in batch files and not answered yet, kept beside the response cache.

`batch prepare` writes one small JSON file per request (`batch-pending/ab/abcdef….json` under the
cache folder); `batch ingest` reads it to check and store the answer, then removes it. Written
atomically, like the cache, so concurrent rounds never see half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from extract.batchfiles.capture import PendingQuestion

PENDING_DIR = "batch-pending"


class PendingStore:
    def __init__(self, cache_dir: Path) -> None:
        self.root = Path(cache_dir) / PENDING_DIR

    def path_for(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def put(self, pending: PendingQuestion) -> None:
        path = self.path_for(pending.key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{pending.key[:12]}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(pending.to_json(), handle, sort_keys=True, ensure_ascii=False)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)

    def get(self, key: str) -> PendingQuestion | None:
        """The pending question, or None (never prepared with this cache, already ingested, or damaged)."""
        if not _is_key(key):
            return None
        try:
            return PendingQuestion.from_json(json.loads(self.path_for(key).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def remove(self, key: str) -> None:
        if _is_key(key):
            self.path_for(key).unlink(missing_ok=True)


def _is_key(key: str) -> bool:
    """A sha256 hex digest: a custom_id from a results file is untrusted and must not become a path."""
    return len(key) == 64 and all(c in "0123456789abcdef" for c in key)
