"""Which rules run and at what severity: `[tool.trialqa.check]` in pyproject.toml, or a --config file.

Keys, as linters spell them:

    [tool.trialqa.check]
    select = ["eligibility", "arms.placebo_arm_gets_active_drug"]   # only these (ids or prefixes)
    disable = ["design.phase_vs_title"]                              # never these (ids or prefixes)
    severity = { "outcomes.vague_measure" = "info" }                 # override a default severity

A prefix is a dotted id's leading part: "design" selects every `design.*` rule. Unknown keys,
unknown rule ids and unknown severities are errors (`ConfigError`), so a typo never silently
turns a rule off.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.check.finding import Severity

_KEYS = {"select", "disable", "severity"}


class ConfigError(ValueError):
    """A configuration (file or option) names an unknown key, rule or severity."""


@dataclass(frozen=True)
class CheckConfig:
    select: tuple[str, ...] = ()  # empty: every rule
    disable: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    source: str | None = None  # where it was read from, for messages

    def enabled(self, rule_id: str) -> bool:
        if self.select and not any(matches(rule_id, p) for p in self.select):
            return False
        return not any(matches(rule_id, p) for p in self.disable)

    def severity_of(self, rule_id: str, default: Severity) -> Severity:
        return self.severity.get(rule_id, default)

    def merged(self, *, select: Iterable[str] = (), skip: Iterable[str] = ()) -> CheckConfig:
        """Command-line --rules / --skip on top of the file: --rules replaces select, --skip adds."""
        chosen = tuple(select)
        return CheckConfig(
            select=chosen or self.select,
            disable=self.disable + tuple(skip),
            severity=self.severity,
            source=self.source,
        )


def matches(rule_id: str, pattern: str) -> bool:
    """'design' and 'design.masking_vs_text' both match 'design.masking_vs_text'; 'des' does not."""
    return rule_id == pattern or rule_id.startswith(pattern + ".")


def validate_patterns(patterns: Iterable[str], known: Iterable[str], what: str) -> tuple[str, ...]:
    known_ids = sorted(known)
    out = []
    for pattern in patterns:
        pattern = pattern.strip()
        if not pattern:
            continue
        if not any(matches(rule_id, pattern) for rule_id in known_ids):
            raise ConfigError(f"{what}: {pattern!r} is not a rule id or prefix (see `trialqa rules`)")
        out.append(pattern)
    return tuple(out)


def from_mapping(table: Mapping[str, Any], known: Iterable[str], source: str) -> CheckConfig:
    known_ids = set(known)
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(_KEYS))})")
    lists = {}
    for key in ("select", "disable"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{source}: {key} must be a list of rule ids or prefixes")
        lists[key] = validate_patterns(value, known_ids, f"{source}: {key}")
    raw = table.get("severity", {})
    if not isinstance(raw, dict):
        raise ConfigError(f'{source}: severity must be a table of rule id = "error" | "warning" | "info"')
    severity: dict[str, Severity] = {}
    for rule_id, level in sorted(raw.items()):
        if rule_id not in known_ids:
            raise ConfigError(f"{source}: severity: {rule_id!r} is not a rule id (see `trialqa rules`)")
        try:
            severity[rule_id] = Severity(str(level).lower())
        except ValueError:
            raise ConfigError(f"{source}: severity of {rule_id!r} is {level!r}, not error | warning | info") from None
    return CheckConfig(select=lists["select"], disable=lists["disable"], severity=severity, source=source)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def _check_table(data: Mapping[str, Any]) -> Any:
    tool = data.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("trialqa"), dict):
        return tool["trialqa"].get("check")
    return None


def load_file(path: str | Path, known: Iterable[str]) -> CheckConfig:
    """An explicit --config FILE: a pyproject.toml-style file with [tool.trialqa.check], or a
    file whose top level holds the keys themselves."""
    path = Path(path)
    data = _read_toml(path)
    table = _check_table(data)
    if table is None:
        table = {k: v for k, v in data.items() if k != "tool"}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.trialqa.check] must be a table")
    return from_mapping(table, known, str(path))


def find_pyproject(start: str | Path | None = None) -> Path | None:
    """The nearest pyproject.toml, from `start` (default: the working directory) upwards, that
    has a [tool.trialqa.check] table."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _check_table(_read_toml(candidate)) is not None:
            return candidate
    return None


def discover(known: Iterable[str], start: str | Path | None = None) -> CheckConfig:
    """The configuration in effect when no --config is given (defaults when none is found)."""
    found = find_pyproject(start)
    return CheckConfig() if found is None else load_file(found, known)
