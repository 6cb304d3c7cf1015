"""Prompts: jinja2 templates in `prompts/` plus few-shot examples as data, rendered to messages.

Each question is one template with a `system` and a `user` block; its examples are rendered
through the same `user` block, with the example answer as the assistant's reply. The prompt
hash covers the template and its examples, so editing either changes exactly that question's
cache keys and shows up in provenance.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

_REPO_PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


def prompts_dir() -> Path:
    """The repository's prompts/ folder, or the installed copy."""
    if _REPO_PROMPTS.is_dir():
        return _REPO_PROMPTS
    return Path(str(resources.files("prompts")))


@cache
def _environment(root: str) -> jinja2.Environment:
    # Plain-text prompts: no HTML autoescape; StrictUndefined so a missing variable is an error,
    # not an empty string the model has to guess around.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(root),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


@dataclass(frozen=True)
class Prompt:
    name: str
    template: jinja2.Template
    examples: tuple[dict[str, Any], ...]
    hash: str

    def _block(self, block: str, variables: dict[str, Any]) -> str:
        context = self.template.new_context(variables)
        return "".join(self.template.blocks[block](context)).strip()

    def messages(self, **variables: Any) -> list[dict[str, str]]:
        """system, then each example as a user/assistant pair, then the question."""
        messages = [{"role": "system", "content": self._block("system", variables)}]
        for example in self.examples:
            messages.append({"role": "user", "content": self._block("user", example["input"])})
            messages.append({"role": "assistant", "content": json.dumps(example["answer"], ensure_ascii=False)})
        messages.append({"role": "user", "content": self._block("user", variables)})
        return messages


@cache
def load_prompt(name: str) -> Prompt:
    root = prompts_dir()
    template_path = root / f"{name}.j2"
    examples_path = root / "examples" / f"{name}.json"
    source = template_path.read_bytes()
    examples_bytes = examples_path.read_bytes() if examples_path.exists() else b"[]"
    digest = hashlib.sha256(source + b"\0" + examples_bytes).hexdigest()[:16]
    template = _environment(str(root)).get_template(f"{name}.j2")
    return Prompt(name=name, template=template, examples=tuple(json.loads(examples_bytes)), hash=digest)
