"""Where a fetch into a file stands, in a small JSON file beside it, so a crashed run resumes.

Saved (atomically) after each page's studies are written and flushed to disk: the next page token
and the output's length at that point. A resumed run cuts the output back to that length (a page
half-written when the run died is dropped) and asks for the next page, so every study is written
exactly once across any number of crashes.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

from extract.errors import TrialQAError


class StateMismatch(TrialQAError):
    """The output file belongs to another fetch (another query or server), or has no state to resume from."""


def state_path(output: Path) -> Path:
    return output.with_name(output.name + ".fetch-state.json")


@dataclass
class FetchState:
    base_url: str
    query: dict[str, str]
    next_page_token: str | None = None
    complete: bool = False
    output_bytes: int = 0
    studies: int = 0
    pages: int = 0
    total_count: int | None = None

    def advance(self, studies: int, next_page_token: str | None, total_count: int | None) -> None:
        """One more page written: its studies counted, the cursor moved, the total kept once known."""
        self.studies += studies
        self.pages += 1
        self.next_page_token = next_page_token
        self.complete = next_page_token is None
        if total_count is not None:
            self.total_count = total_count

    @classmethod
    def load(cls, path: Path) -> FetchState | None:
        if not path.exists():
            return None
        try:
            data = orjson.loads(path.read_bytes())
            return cls(**data)
        except (orjson.JSONDecodeError, TypeError) as exc:
            raise StateMismatch(f"{path} is not a fetch state file ({exc}); remove it or use --restart") from None

    def save(self, path: Path) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)

    def same_fetch(self, base_url: str, query: dict[str, str]) -> bool:
        return self.base_url == base_url and self.query == query
