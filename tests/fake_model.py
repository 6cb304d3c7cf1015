"""A deterministic stand-in model for the sectioned questions, shared by the live fake server and the
fake batch service, so a live run and a batch round trip get exactly the same answers.

Answers are valid but simple: the longest candidate line as the title, the whole conditions line as
one condition, the first unlabelled outcome as primary, the first vocabulary value as a type, "ignore"
for an unknown label, "none" for an unknown spelling, and an empty whole record.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.llm.fake_openai import Step, _completion, answer

_NUMBERED = re.compile(r"^\[(\d+)\] (.*)$", re.M)
_LINE = re.compile(r"<<<(.*)>>>", re.S)


def fake_answer(body: dict[str, Any]) -> dict[str, Any]:
    """The answer to one chat request in tools or json_schema mode, or llama-cpp-python's json_object form
    (the tool's or schema's name, or the schema's title, is the answer model's)."""
    if body.get("tools"):
        tool = body["tools"][0]["function"]
        name, schema = tool["name"], tool["parameters"]
    elif body["response_format"]["type"] == "json_object":  # llama-cpp-python's form: the schema alone
        schema = body["response_format"]["schema"]
        name = schema["title"]
    else:
        wanted = body["response_format"]["json_schema"]
        name, schema = wanted["name"], wanted["schema"]
    question = body["messages"][-1]["content"]
    if name == "TitleLine":
        candidates = {int(n): text for n, text in _NUMBERED.findall(question)}
        allowed = schema["properties"]["line"]["enum"]
        return {"line": max(allowed, key=lambda n: (len(candidates.get(n, "")), -n))}
    if name == "ConditionsAnswer":
        found = _LINE.search(question)
        assert found is not None, question
        return {"conditions": [found.group(1).strip()]}
    if name == "PrimaryOutcomes":
        return {"primary": [1]}
    if name in ("ArmTypeAnswer", "InterventionTypeAnswer"):
        enum = next(iter(schema["$defs"].values()))["enum"]
        return {"type": enum[0]}
    if name == "LabelFieldAnswer":
        return {"field": "ignore"}  # an unknown page label holds no record field
    if name == "SpellingAnswer":
        return {"value": "none"}  # an unknown spelling states no standard value (stays unmapped)
    if name == "WholeRecord":
        return {}  # every field is optional: a valid, empty record
    raise AssertionError(f"unexpected question {name}")


def fake_step(body: dict[str, Any]) -> Step:
    """For FakeOpenAI.responder: the live server's answer."""
    return answer(fake_answer(body))


def batch_output_line(request: dict[str, Any], n: int, *, fail: bool = False) -> dict[str, Any]:
    """What a batch service writes for one input line: the same completion the live fake server sends,
    or (fail=True) a request that failed at the service."""
    custom_id = request["custom_id"]
    if fail:
        return {
            "id": f"batch_req_{n}",
            "custom_id": custom_id,
            "response": {"status_code": 500, "request_id": f"req_{n}", "body": {"error": {"message": "overloaded"}}},
            "error": None,
        }
    body = request["body"]
    step = answer(fake_answer(body))
    completion = _completion(body, json.dumps(step.payload), step, "stop", n)
    return {
        "id": f"batch_req_{n}",
        "custom_id": custom_id,
        "response": {"status_code": 200, "request_id": f"req_{n}", "body": completion},
        "error": None,
    }
