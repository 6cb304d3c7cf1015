"""`trialqa batch ingest`: OpenAI Batch output lines -> answers in the response cache.

A line is `{id, custom_id, response: {status_code, request_id, body}, error}` (OpenAI's Batch API and
`vllm run-batch` both write this). Each answer is read out of the completion the way instructor reads
it in the question's mode (tool-call arguments, JSON content, a ```json fence), checked against the
question's JSON schema, and stored under its cache key, so `extract --replay` (or the next `prepare`)
finds it as if a live run had asked. Every line that cannot be stored says why; the rest go on.

Not re-checked here: validators the schema cannot express (e.g. "each condition is in the line").
The cache read in `extract` runs them; an answer that fails them counts as missing, so the next
`prepare` asks that question again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import instructor
import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaViolation
from openai.types.chat import ChatCompletion
from pydantic import ConfigDict, ValidationError, create_model

from extract.batchfiles.capture import PendingQuestion
from extract.batchfiles.pending import PendingStore
from extract.llm.cache import CachedAnswer, ResponseCache
from extract.llm.modes import EndpointKind, resolve_mode


@dataclass(frozen=True)
class LineOutcome:
    line_number: int
    custom_id: str
    stored: bool
    problem: str | None = None


@dataclass
class IngestReport:
    stored: int = 0
    already_cached: int = 0
    failed: list[LineOutcome] = field(default_factory=list)


class LineRejected(Exception):  # one line's reason: reported, never raised out of ingest
    pass


def ingest(results: Path, cache_dir: Path) -> IngestReport:
    """Store every good answer of one results file; report the others per line."""
    report = IngestReport()
    for outcome in iter_ingest(results, cache_dir):
        if outcome.stored:
            report.stored += 1
        elif outcome.problem is None:
            report.already_cached += 1
        else:
            report.failed.append(outcome)
    return report


def iter_ingest(results: Path, cache_dir: Path) -> Iterator[LineOutcome]:
    cache = ResponseCache(cache_dir)
    pending = PendingStore(cache_dir)
    with open(results, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            custom_id = ""
            try:
                item = orjson.loads(line)
                if not isinstance(item, dict):
                    raise LineRejected("not a JSON object")
                custom_id = str(item.get("custom_id") or "")
                question = pending.get(custom_id)
                if question is None:
                    if cache.get(custom_id) is not None:
                        yield LineOutcome(number, custom_id, stored=False)  # ingested before
                        continue
                    raise LineRejected(
                        "unknown custom_id: no question was prepared under this key with this --cache-dir"
                    )
                entry = cached_answer(item, question)
            except orjson.JSONDecodeError as exc:
                yield LineOutcome(number, custom_id, stored=False, problem=f"not JSON: {exc}")
                continue
            except LineRejected as exc:
                yield LineOutcome(number, custom_id, stored=False, problem=str(exc))
                continue
            cache.put(question.key, entry)
            pending.remove(question.key)
            yield LineOutcome(number, custom_id, stored=True)


def cached_answer(item: dict[str, Any], question: PendingQuestion) -> CachedAnswer:
    """The cache entry for one output line, or LineRejected saying what is wrong with it."""
    error = item.get("error")
    if error:
        detail = error if not isinstance(error, dict) else f"{error.get('code') or ''} {error.get('message') or ''}"
        raise LineRejected(f"the batch service reports an error: {str(detail).strip()[:300]}")
    response = item.get("response")
    if not isinstance(response, dict):
        raise LineRejected("no response in the line")
    body = response.get("body")
    status = response.get("status_code")
    if status != 200:
        message = body.get("error", {}).get("message") if isinstance(body, dict) else None
        raise LineRejected(f"HTTP {status}" + (f": {str(message)[:300]}" if message else ""))
    try:
        completion = ChatCompletion.model_validate(body)
    except ValidationError as exc:
        raise LineRejected(f"the response body is not a chat completion ({exc.error_count()} problems)") from None
    answer = parse_answer(completion, question)
    usage = completion.usage
    return CachedAnswer(
        answer=answer,
        attempts=1,
        prompt_tokens=int(usage.prompt_tokens) if usage else 0,
        completion_tokens=int(usage.completion_tokens) if usage else 0,
        question=question.question,
        prompt_hash=question.prompt_hash,
        model_id=question.model_id,
        mode=question.mode,
    )


def parse_answer(completion: ChatCompletion, question: PendingQuestion) -> Any:
    """The answer JSON as instructor extracts it in this mode, checked against the question's schema."""
    # A model named like the answer model (the tool name instructor checks) that keeps every field:
    # instructor does the mode-specific extraction, the JSON schema does the checking.
    title = str(question.schema.get("title") or "Answer")
    stand_in = instructor.openai_schema(create_model(title, __config__=ConfigDict(extra="allow")))
    mode = resolve_mode(question.mode, EndpointKind.UNKNOWN)
    try:
        value = stand_in.from_response(completion, mode=mode, strict=False)
    except Exception as exc:  # instructor raises many kinds (assertions, JSON, incomplete output)
        raise LineRejected(f"no {question.mode} answer in the completion: {type(exc).__name__}: {exc}"[:400]) from None
    answer = value.model_dump(mode="json")
    problems = sorted(Draft202012Validator(question.schema).iter_errors(answer), key=lambda e: list(e.path))
    if problems:
        shown = "; ".join(f"{'/'.join(map(str, p.path)) or '<answer>'}: {_explain(p)}" for p in problems[:5])
        raise LineRejected(f"the answer fails the {question.question} schema: {shown[:400]}")
    return answer


def _explain(error: SchemaViolation) -> str:
    """The useful part of a schema error: for an optional value (anyOf [X, null]) the reason X failed,
    not "is not valid under any of the given schemas"."""
    useful = [e for e in error.context or () if not (e.validator == "type" and e.validator_value == "null")]
    return _explain(useful[0]) if useful else str(error.message)
