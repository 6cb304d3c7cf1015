"""The page strategies by name, as `--strategy` takes them, apart from the strategies themselves: every
command parses the option, and only the commands that extract pages load the strategies' code."""

from __future__ import annotations

from enum import StrEnum


class StrategyName(StrEnum):
    """`--strategy` as extract and eval take it; auto = sectioned for the embedded model, whole for endpoints."""

    auto = "auto"
    sectioned = "sectioned"
    whole = "whole"


def default_timeout(requested: str) -> float:
    """Seconds per model request: a whole record takes minutes at ~10 tokens/s on the embedded model."""
    return 1800.0 if requested == StrategyName.whole else 120.0
