"""Where and how to ask a model: the endpoint configuration every command builds from its options.

Kept apart from the client so that building one (every `trialqa` command does) imports neither
instructor nor the openai SDK: commands that never call a model start in a fraction of the time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .local_model import user_cache_dir
from .server import ServerSettings

if TYPE_CHECKING:
    from .transport import RetryPolicy

ModeName = Literal["auto", "tools", "json_schema", "json", "md_json"]
MODE_NAMES: tuple[str, ...] = ("auto", "tools", "json_schema", "json", "md_json")


@dataclass
class EndpointConfig:
    """Where and how to ask. `base_url=None` means the embedded model. The key never appears in repr()."""

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    mode: str = "auto"
    max_reasks: int = 2
    timeout_s: float = 120.0
    max_transport_retries: int = 4
    temperature: float = 0.0
    seed: int = 0
    cache_dir: Path | None = None
    replay: bool = False
    local_model: str | None = None  # --local-model: a user GGUF for the embedded server
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 30.0
    server: ServerSettings = field(default_factory=ServerSettings)

    def __post_init__(self) -> None:
        if self.mode not in MODE_NAMES:
            raise ValueError(f"mode must be one of {', '.join(MODE_NAMES)}, not {self.mode!r}")
        if self.max_reasks < 0 or self.max_transport_retries < 0:
            raise ValueError("max_reasks and max_transport_retries must be >= 0")
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be > 0")
        if self.base_url is not None and self.local_model is not None:
            raise ValueError("--local-model runs the embedded server; it cannot be combined with --base-url")

    @classmethod
    def from_options(
        cls,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        api_key_file: Path | None = None,
        environ: Mapping[str, str] | None = None,
        **options: Any,
    ) -> EndpointConfig:
        """CLI flags first (--api-key, then --api-key-file), then the standard OPENAI_BASE_URL /
        OPENAI_API_KEY; neither -> embedded. A bad key file raises ValueError (a usage error)."""
        env = os.environ if environ is None else environ
        if api_key is None and api_key_file is not None:
            api_key = read_key_file(api_key_file)
        return cls(
            base_url=base_url or env.get("OPENAI_BASE_URL") or None,
            api_key=api_key or env.get("OPENAI_API_KEY") or None,
            **options,
        )

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    @property
    def responses_dir(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else user_cache_dir() / "responses"

    def retry_policy(self) -> RetryPolicy:
        from .transport import RetryPolicy  # imports the openai SDK: only when a model is asked

        return RetryPolicy(max_retries=self.max_transport_retries, base_s=self.backoff_base_s, cap_s=self.backoff_cap_s)


def read_key_file(path: Path) -> str:
    """The API key held in `path` (surrounding whitespace and a trailing newline dropped). A file
    keeps the key out of `ps` and shell history, where --api-key would show it."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise ValueError(f"--api-key-file {path}: cannot read it ({reason})") from None
    if not key or len(key.splitlines()) != 1:
        raise ValueError(f"--api-key-file {path}: expected the key alone on one line")
    return key
