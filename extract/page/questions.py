"""The small, focused questions the sectioned strategy asks, each with a closed answer schema.

Answers point into the text (a line number from the offered list) or are checked against it
(condition names must be substrings of the line), so text is copied by code, never retyped.
A schema violation is a validation error, which instructor sends back for a re-ask.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, Field, create_model, field_validator

from extract.errors import LLMError
from extract.llm.prompts import load_prompt
from extract.model.provenance import CallStats
from extract.model.vocab import ArmType, InterventionType
from extract.page.draft import Ledger

T = TypeVar("T", bound=BaseModel)


class Asker(Protocol):
    """What the questions need from an LLM client (extract.llm.client.LLM provides it)."""

    async def ask(
        self,
        *,
        question: str,
        messages: list[dict[str, str]],
        response_model: type[T],
        prompt_hash: str,
        max_tokens: int = 512,
    ) -> tuple[T, CallStats]: ...


async def ask(llm: Asker, ledger: Ledger, name: str, model: type[T], max_tokens: int, **variables: Any) -> T:
    """Ask one question; its cost goes into `ledger` whether it is answered or fails."""
    prompt = load_prompt(name)
    try:
        answer, stats = await llm.ask(
            question=name,
            messages=prompt.messages(**variables),
            response_model=model,
            prompt_hash=prompt.hash,
            max_tokens=max_tokens,
        )
    except LLMError as exc:
        if exc.stats is not None:
            ledger.add(name, prompt.hash, exc.stats)
        raise
    ledger.add(name, prompt.hash, stats)
    return answer


async def title_line(llm: Asker, ledger: Ledger, candidates: list[tuple[int, str]]) -> int:
    """Which of the numbered candidate lines is the title; the schema allows only those numbers."""
    allowed = tuple(number for number, _ in candidates)
    answer_model = create_model("TitleLine", line=(Literal[allowed], Field(description="number of the title line")))
    lines = [{"number": number, "text": text} for number, text in candidates]
    answer = await ask(llm, ledger, "title_line", answer_model, 16, lines=lines)
    return int(answer.line)  # type: ignore[attr-defined]


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


async def conditions_split(llm: Asker, ledger: Ledger, title: str, line: str) -> list[str]:
    """Condition names run together on one line -> the names, each verified as a substring."""
    haystack = _normalised(line)

    class ConditionsAnswer(BaseModel):
        conditions: list[str] = Field(min_length=1, max_length=20)

        @field_validator("conditions")
        @classmethod
        def _in_line(cls, names: list[str]) -> list[str]:
            missing = [n for n in names if _normalised(n) not in haystack or not n.strip()]
            if missing:
                raise ValueError(f"these are not in the line, copy names exactly: {missing}")
            return names

    answer = await ask(llm, ledger, "conditions_split", ConditionsAnswer, 128, title=title, line=line)
    return answer.conditions


async def primary_outcomes(llm: Asker, ledger: Ledger, objectives: str, outcomes: list[str]) -> set[int]:
    """Which of the numbered (1-based) unlabelled outcomes are primary; one call for the whole list."""
    allowed = tuple(range(1, len(outcomes) + 1))
    answer_model = create_model(
        "PrimaryOutcomes", primary=(list[Literal[allowed]], Field(min_length=1, max_length=len(outcomes)))
    )
    answer = await ask(llm, ledger, "primary_outcomes", answer_model, 32, objectives=objectives, outcomes=outcomes)
    return set(answer.primary)  # type: ignore[attr-defined]


class ArmTypeAnswer(BaseModel):
    type: ArmType


async def arm_type(llm: Asker, ledger: Ledger, title: str, label: str, description: str) -> ArmType:
    answer = await ask(llm, ledger, "arm_type", ArmTypeAnswer, 24, title=title, label=label, description=description)
    return answer.type


class InterventionTypeAnswer(BaseModel):
    type: InterventionType


async def intervention_type(llm: Asker, ledger: Ledger, name: str, description: str) -> InterventionType:
    answer = await ask(llm, ledger, "intervention_type", InterventionTypeAnswer, 24, name=name, description=description)
    return answer.type
