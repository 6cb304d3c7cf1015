"""A scripted fake OpenAI-compatible server for tests: a real HTTP server on 127.0.0.1 in a thread.

It serves POST /v1/chat/completions and GET /v1/models, records every chat request body (so tests can
assert exactly what the client sent), and answers each chat request with the next scripted step.

Scripting API
-------------
    fake = FakeOpenAI(owned_by="vllm", models=("fake-model",)).start()   # or the `fake_openai` fixture
    fake.script(
        answer({"side": "INCLUSION"}),             # a valid answer, shaped like the request (below)
        raw("not json at all"),                    # this text where the answer goes
        status(429, retry_after=0),                # HTTP error with OpenAI's error envelope
        status(500, "upstream exploded"),
        sleep(1.0),                                # stall past the client timeout, then a 500
        truncated('{"side": "INCL'),              # finish_reason "length"
        garbage(),                                 # 200 with a body that is not JSON
    )
    fake.responder = lambda body: answer({...})    # used when the script is empty (e.g. for batches)
    fake.responder = EverySecondFails(copying_answers)  # every second request fails; the rest answered
    fake.base_url                                  # "http://127.0.0.1:PORT/v1"
    fake.chat_requests                             # JSON bodies received, in order
    fake.chat_headers                              # their headers (lower-case names)
    fake.models_status = 404                       # make GET /v1/models fail
    fake.stop()

Shaping: when the request carries `tools`, the answer is a tool call to the requested function
(`tool_choice.function.name`, else the first tool) with the JSON as its arguments; when it carries
`response_format`, the JSON is the message content; otherwise (instructor's MD_JSON) the JSON comes in
a ```json fence. Each answer reports usage (prompt_tokens / completion_tokens, settable per step).
With the script empty and no responder, the server answers HTTP 400 "fake_openai: script exhausted"
(not retried by the client, so a test that asks once too often fails fast and visibly).

Run as a program (`python fake_openai.py PORT [OWNED_BY]`) it serves until killed, answering every
request with `{"ok": true}`: tests/llm/test_server.py uses that as a stand-in model server process.
"""

from __future__ import annotations

import collections
import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Step:
    """One scripted reaction to one chat request."""

    kind: str  # "answer" | "raw" | "status" | "sleep" | "truncated" | "garbage"
    payload: Any = None
    status_code: int = 200
    message: str = ""
    retry_after: float | None = None
    seconds: float = 0.0
    prompt_tokens: int = 10
    completion_tokens: int = 5
    extra: dict[str, Any] = field(default_factory=dict)


def answer(obj: Any, *, prompt_tokens: int = 10, completion_tokens: int = 5) -> Step:
    """A valid-looking answer carrying `obj` as JSON."""
    return Step("answer", obj, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)


def raw(text: str, *, prompt_tokens: int = 10, completion_tokens: int = 5) -> Step:
    """`text` verbatim where the answer goes (tool arguments or content): invalid JSON, prose, ..."""
    return Step("raw", text, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)


def status(code: int, message: str = "fake failure", *, retry_after: float | None = None) -> Step:
    """An HTTP error response, with a Retry-After header when given."""
    return Step("status", status_code=code, message=message, retry_after=retry_after)


def sleep(seconds: float) -> Step:
    """Stall `seconds` before answering 500 (the client should have timed out by then)."""
    return Step("sleep", seconds=seconds)


def truncated(text: str) -> Step:
    """An answer cut off by max_tokens (finish_reason "length")."""
    return Step("truncated", text)


def garbage() -> Step:
    """Status 200 with a body that is not JSON (a proxy's error page)."""
    return Step("garbage", "<html>502 Bad Gateway</html>")


def _tool_name(body: dict[str, Any]) -> str:
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        return str(choice["function"].get("name"))
    return str(body["tools"][0]["function"]["name"])


def _completion(body: dict[str, Any], text: str, step: Step, finish: str, n: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": None}
    if body.get("tools"):
        message["tool_calls"] = [
            {"id": f"call_{n}", "type": "function", "function": {"name": _tool_name(body), "arguments": text}}
        ]
        finish = "tool_calls" if finish == "stop" else finish
    elif body.get("response_format") or step.kind != "answer":
        message["content"] = text
    else:
        message["content"] = f"```json\n{text}\n```"
    return {
        "id": f"chatcmpl-fake-{n}",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake-model"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": step.prompt_tokens,
            "completion_tokens": step.completion_tokens,
            "total_tokens": step.prompt_tokens + step.completion_tokens,
        },
    }


class FakeOpenAI:
    """The server object: script it, point a client at `base_url`, read what was sent."""

    def __init__(self, *, owned_by: str = "fake", models: tuple[str, ...] = ("fake-model",), port: int = 0) -> None:
        self.owned_by = owned_by
        self.models = models
        self.models_status = 200
        self.responder: Callable[[dict[str, Any]], Step] | None = None
        self.chat_requests: list[dict[str, Any]] = []
        self.chat_headers: list[dict[str, str]] = []
        self.models_requests = 0
        self._queue: collections.deque[Step] = collections.deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting -------------------------------------------------------------------------------
    def script(self, *steps: Step) -> FakeOpenAI:
        with self._lock:
            self._queue.extend(steps)
        return self

    @property
    def pending(self) -> int:
        """Scripted steps not consumed yet."""
        with self._lock:
            return len(self._queue)

    def all_request_text(self) -> str:
        """Every chat body received, as one string (for 'never sent' assertions)."""
        with self._lock:
            return "\n".join(json.dumps(body, ensure_ascii=False) for body in self.chat_requests)

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "start() first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wake sleeping handlers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving ---------------------------------------------------------------------------------
    def _next_step(self, body: dict[str, Any]) -> tuple[Step, int]:
        with self._lock:
            self.chat_requests.append(body)
            n = len(self.chat_requests)
            if self._queue:
                return self._queue.popleft(), n
        if self.responder is not None:
            return self.responder(body), n
        return status(400, "fake_openai: script exhausted"), n

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                pass

            def _send(self, code: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def _json(self, code: int, obj: Any, headers: dict[str, str] | None = None) -> None:
                self._send(code, json.dumps(obj).encode("utf-8"), headers)

            def do_GET(self) -> None:
                if self.path.rstrip("/") != "/v1/models":
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                    return
                fake.models_requests += 1
                if fake.models_status != 200:
                    self._json(fake.models_status, {"error": {"message": "no models", "type": "server_error"}})
                    return
                data = [{"id": m, "object": "model", "created": 0, "owned_by": fake.owned_by} for m in fake.models]
                self._json(200, {"object": "list", "data": data})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw_body = self.rfile.read(length)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                    return
                body = json.loads(raw_body or b"{}")
                with fake._lock:
                    fake.chat_headers.append({k.lower(): v for k, v in self.headers.items()})
                step, n = fake._next_step(body)
                self._react(step, body, n)

            def _react(self, step: Step, body: dict[str, Any], n: int) -> None:
                if step.kind == "sleep":
                    fake._stopping.wait(step.seconds)
                    self._json(500, {"error": {"message": "slept", "type": "server_error"}})
                elif step.kind == "status":
                    headers = {} if step.retry_after is None else {"Retry-After": f"{step.retry_after:g}"}
                    error = {"message": step.message, "type": "server_error", "param": None, "code": None}
                    self._json(step.status_code, {"error": error}, headers)
                elif step.kind == "garbage":
                    self._send(200, str(step.payload).encode("utf-8"))
                elif step.kind == "truncated":
                    self._json(200, _completion(body, str(step.payload), step, "length", n))
                elif step.kind == "raw":
                    self._json(200, _completion(body, str(step.payload), step, "stop", n))
                else:
                    text = json.dumps(step.payload, ensure_ascii=False)
                    self._json(200, _completion(body, text, step, "stop", n))

        return Handler


def copying_answers(body: dict[str, Any]) -> Step:
    """A right answer to each question the sectioned strategy asks, taken from the request itself:
    the first candidate title line, the whole conditions line as one name, outcome 1 as primary."""
    name = _tool_name(body)
    if name == "TitleLine":
        return answer({"line": 1})
    if name == "ConditionsAnswer":
        line = body["messages"][-1]["content"].split("<<<")[1].split(">>>")[0]
        return answer({"conditions": [line]})
    if name == "PrimaryOutcomes":
        return answer({"primary": [1]})
    raise AssertionError(f"copying_answers: no answer for question {name}")


class EverySecondFails:
    """A responder: chat requests 2, 4, 6, ... fail (in turn an HTTP 500, a 429, a 200 whose body is
    not JSON, and a stall of `stall_s` seconds, past a short client timeout); the others are
    answered by `answer_with`. `count` is every chat request it saw."""

    def __init__(self, answer_with: Callable[[dict[str, Any]], Step], *, stall_s: float = 2.0) -> None:
        self.answer_with = answer_with
        self.count = 0
        self._lock = threading.Lock()
        self._faults: tuple[Callable[[], Step], ...] = (
            lambda: status(500),
            lambda: status(429, retry_after=0),
            garbage,
            lambda: sleep(stall_s),
        )

    def __call__(self, body: dict[str, Any]) -> Step:
        with self._lock:
            self.count += 1
            n = self.count
        if n % 2 == 0:
            return self._faults[(n // 2 - 1) % len(self._faults)]()
        return self.answer_with(body)


def main(argv: list[str]) -> None:
    """Serve on the given port until killed, answering every chat request with {"ok": true}."""
    port = int(argv[1])
    owned_by = argv[2] if len(argv) > 2 else "me"
    fake = FakeOpenAI(owned_by=owned_by, port=port)
    fake.responder = lambda body: answer({"ok": True})
    fake.start()
    print(f"fake model server on {fake.base_url}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(sys.argv)
