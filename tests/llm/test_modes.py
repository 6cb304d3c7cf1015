"""What each instructor mode really sends (captured at the fake server), and the auto choice per endpoint kind."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from instructor import Mode

from extract.llm import AUTO_MODES, LLM, EndpointConfig, EndpointKind, kind_from_models, kind_from_url, open_llm
from extract.llm.modes import adapt_request, resolve_mode

from .fake_openai import FakeOpenAI, answer
from .models import GOOD, MESSAGES, CriterionSide


def sent_body(fake: FakeOpenAI, config: EndpointConfig, kind: EndpointKind | None = None) -> dict[str, Any]:
    """Ask once through open_llm (or an LLM of a given kind) and return the one request body sent."""
    fake.script(answer(GOOD))

    async def run() -> None:
        if kind is None:
            async with open_llm(config) as llm:
                await llm.ask(question="q", messages=MESSAGES, response_model=CriterionSide, prompt_hash="p")
            return
        llm = LLM(config, model_id="fake-model", kind=kind)
        try:
            await llm.ask(question="q", messages=MESSAGES, response_model=CriterionSide, prompt_hash="p")
        finally:
            await llm.aclose()

    asyncio.run(run())
    assert len(fake.chat_requests) == 1
    return fake.chat_requests[0]


def test_tools_mode_sends_a_forced_tool_call(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    body = sent_body(fake_openai, llm_config(mode="tools"))
    assert body["tool_choice"] == {"type": "function", "function": {"name": "CriterionSide"}}
    [tool] = body["tools"]
    assert tool["type"] == "function" and tool["function"]["name"] == "CriterionSide"
    assert tool["function"]["parameters"]["required"] == ["side"]
    assert "response_format" not in body
    assert body["messages"] == MESSAGES  # the schema travels in the tool, not in the prompt


def test_json_schema_mode_sends_response_format_json_schema(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    body = sent_body(fake_openai, llm_config(mode="json_schema"))
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "CriterionSide"
    assert body["response_format"]["json_schema"]["schema"] == CriterionSide.model_json_schema()
    assert "tools" not in body and "tool_choice" not in body


def test_json_mode_sends_json_object_without_schema(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    body = sent_body(fake_openai, llm_config(mode="json"))
    assert body["response_format"] == {"type": "json_object"}  # no "schema": only the prompt carries it
    assert "json_schema" in body["messages"][0]["content"] and "tools" not in body


def test_md_json_mode_sends_only_a_prompt(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    body = sent_body(fake_openai, llm_config(mode="md_json"))
    assert "response_format" not in body and "tools" not in body
    assert "json_schema" in body["messages"][0]["content"]
    assert "```json" in body["messages"][-1]["content"]


@pytest.mark.parametrize(
    ("owned_by", "kind", "mode"),
    [
        ("vllm", EndpointKind.VLLM, "tools"),
        ("llamacpp", EndpointKind.LLAMA_CPP, "json_schema"),
        ("me", EndpointKind.LLAMA_CPP_PYTHON, "json_object"),
        ("someone-else", EndpointKind.UNKNOWN, "md_json"),
    ],
)
def test_auto_mode_detects_the_server_from_models_owned_by(
    fake_openai: FakeOpenAI, llm_config: Callable[..., Any], owned_by: str, kind: EndpointKind, mode: str
):
    fake_openai.owned_by = owned_by
    body = sent_body(fake_openai, llm_config(mode="auto"))
    assert fake_openai.models_requests == 1  # detection asks once
    expected = {
        "tools": "tools",
        "json_schema": "response_format",
        "json_object": "response_format",
        "md_json": "messages",
    }
    assert expected[mode] in body
    if mode == "tools":
        assert body["tool_choice"]["function"]["name"] == "CriterionSide"
    if mode == "json_schema":
        assert body["response_format"]["type"] == "json_schema"
    if mode == "json_object":  # llama-cpp-python: JSON_SCHEMA, in the form it accepts
        assert body["response_format"] == {"type": "json_object", "schema": CriterionSide.model_json_schema()}
    if mode == "md_json":
        assert "tools" not in body and "response_format" not in body
    assert resolve_mode("auto", kind) is resolve_mode(
        "json_schema" if mode == "json_object" else mode, EndpointKind.UNKNOWN
    )


def test_auto_mode_falls_back_when_models_fails(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.models_status = 404
    body = sent_body(fake_openai, llm_config(mode="auto"))
    assert "tools" not in body and "response_format" not in body  # md_json: nothing a server could refuse


def test_ollama_gets_json_schema_and_openai_gets_tools_with_max_completion_tokens(
    fake_openai: FakeOpenAI, llm_config: Callable[..., Any]
):
    body = sent_body(fake_openai, llm_config(mode="auto"), kind=EndpointKind.OLLAMA)
    assert body["response_format"]["type"] == "json_schema"
    fake_openai.chat_requests.clear()
    body = sent_body(fake_openai, llm_config(mode="auto"), kind=EndpointKind.OPENAI)
    assert body["tool_choice"]["function"]["name"] == "CriterionSide"
    assert body["max_completion_tokens"] == 512 and "max_tokens" not in body


def test_embedded_server_gets_the_schema_as_a_grammar_not_in_the_prompt(
    fake_openai: FakeOpenAI, llm_config: Callable[..., Any]
):
    """llama-cpp-python refuses response_format json_schema (HTTP 500) and prints tool schemas into the
    prompt; the json_object form with a schema is compiled into the same grammar and costs no prompt."""
    assert resolve_mode("auto", EndpointKind.EMBEDDED) is Mode.JSON_SCHEMA
    assert AUTO_MODES[EndpointKind.LLAMA_CPP_PYTHON] is Mode.JSON_SCHEMA
    body = sent_body(fake_openai, llm_config(mode="auto"), kind=EndpointKind.EMBEDDED)
    assert body["response_format"] == {"type": "json_object", "schema": CriterionSide.model_json_schema()}
    assert "tools" not in body and "tool_choice" not in body
    assert body["messages"] == MESSAGES  # nothing added to the prompt


def test_json_schema_reaches_other_servers_unchanged():
    sent = {
        "messages": MESSAGES,
        "response_format": {"type": "json_schema", "json_schema": {"name": "A", "schema": {}}},
    }
    for kind in (EndpointKind.LLAMA_CPP, EndpointKind.OLLAMA, EndpointKind.VLLM, EndpointKind.OPENAI, None):
        assert adapt_request(kind, sent) is sent
    tools = {"messages": MESSAGES, "tools": [], "tool_choice": {"type": "function"}}
    assert adapt_request(EndpointKind.EMBEDDED, tools) is tools  # --mode tools on the embedded server


def test_explicit_mode_overrides_auto_and_skips_detection(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.owned_by = "vllm"
    body = sent_body(fake_openai, llm_config(mode="json"))
    assert body["response_format"] == {"type": "json_object"}
    assert fake_openai.models_requests == 0


def test_model_name_comes_from_models_when_not_given(fake_openai: FakeOpenAI, llm_config: Callable[..., Any]):
    fake_openai.models = ("only-model",)
    body = sent_body(fake_openai, llm_config(model=None, mode="tools"))
    assert body["model"] == "only-model"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://api.openai.com/v1", EndpointKind.OPENAI),
        ("http://localhost:11434/v1", EndpointKind.OLLAMA),
        ("http://gpu-box:8080/ollama/v1", EndpointKind.OLLAMA),
        ("http://localhost:8000/v1", None),
        ("http://localhost:8080/v1", None),
    ],
)
def test_kind_from_url(url: str, kind: EndpointKind | None):
    assert kind_from_url(url) is kind


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ({"data": [{"id": "m", "owned_by": "vllm"}]}, EndpointKind.VLLM),
        ({"data": [{"id": "m", "owned_by": "llamacpp"}]}, EndpointKind.LLAMA_CPP),
        ({"data": [{"id": "m", "owned_by": "me"}]}, EndpointKind.LLAMA_CPP_PYTHON),
        ({"data": [{"id": "m", "owned_by": "openai"}]}, EndpointKind.UNKNOWN),
        ({"data": []}, EndpointKind.UNKNOWN),
        ("not a dict", EndpointKind.UNKNOWN),
        (None, EndpointKind.UNKNOWN),
    ],
)
def test_kind_from_models(payload: Any, kind: EndpointKind):
    assert kind_from_models(payload) is kind


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode"):
        EndpointConfig(mode="xml")
