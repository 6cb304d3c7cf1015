"""Embedded server lifecycle, with a stand-in child (fake_openai.py as a program) instead of the real model."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from extract.errors import CacheMiss, ModelSetupError
from extract.llm import EmbeddedServer, EndpointConfig, EndpointKind, ServerSettings, open_llm
from extract.llm import client as client_module
from extract.llm import server as server_module
from extract.llm.server import server_command, server_log_path

FAKE_PROGRAM = Path(__file__).with_name("fake_openai.py")


class Ok(BaseModel):
    ok: bool


def use_command(monkeypatch: pytest.MonkeyPatch, make: Callable[[int], list[str]]) -> None:
    monkeypatch.setattr(server_module, "server_command", lambda model_file, port, settings: make(port))


def stand_in(port: int) -> list[str]:
    return [sys.executable, str(FAKE_PROGRAM), str(port), "me"]


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command is built the same whether or not llama-cpp-python is installed here (CI has no model)."""
    monkeypatch.setattr(server_module, "llama_cpp_installed", lambda: True)


def test_command_refuses_without_llama_cpp(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(server_module, "llama_cpp_installed", lambda: False)
    with pytest.raises(ModelSetupError, match=r"scripts/install\.sh"):
        server_command(Path("/m.gguf"), 4321, ServerSettings())


@pytest.mark.usefixtures("installed")
def test_command_has_the_cpu_settings():
    command = server_command(Path("/m.gguf"), 4321, ServerSettings(model_alias="qwen"))
    assert command[:3] == [sys.executable, "-m", "llama_cpp.server"]
    flags = dict(zip(command[3::2], command[4::2], strict=True))
    assert flags == {
        "--model": "/m.gguf",
        "--host": "127.0.0.1",
        "--port": "4321",
        "--n_ctx": "16384",
        "--n_threads": "2",
        "--n_threads_batch": "2",
        "--n_batch": "512",
        "--use_mlock": "false",
        "--logits_all": "false",
        "--model_alias": "qwen",
    }
    cached = server_command(Path("/m.gguf"), 4321, ServerSettings(prompt_cache=True, prompt_cache_bytes=1024))
    assert cached[-6:] == ["--cache", "true", "--cache_type", "ram", "--cache_size", "1024"]


def test_starts_answers_and_stops(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    use_command(monkeypatch, stand_in)
    server = EmbeddedServer(tmp_path / "m.gguf", tmp_path / "server.log", ServerSettings(ready_timeout_s=30))
    base_url = server.start()
    assert base_url == f"http://127.0.0.1:{server.port}/v1" and server.running
    assert httpx.get(f"{base_url}/models").json()["data"][0]["owned_by"] == "me"
    server.stop()
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/models", timeout=2)
    server.stop()  # idempotent
    assert "fake model server" in (tmp_path / "server.log").read_text(encoding="utf-8")  # output went to the log


def test_child_that_exits_fails_fast_with_its_log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    use_command(
        monkeypatch, lambda port: [sys.executable, "-c", "print('gguf_init: invalid magic'); raise SystemExit(3)"]
    )
    server = EmbeddedServer(tmp_path / "m.gguf", tmp_path / "server.log", ServerSettings(ready_timeout_s=60))
    with pytest.raises(ModelSetupError, match=r"exited with code 3[\s\S]*invalid magic"):
        server.start()
    assert not server.running


def test_child_that_never_answers_is_killed_at_the_deadline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    use_command(
        monkeypatch, lambda port: [sys.executable, "-c", "import time; print('loading', flush=True); time.sleep(60)"]
    )
    server = EmbeddedServer(tmp_path / "m.gguf", tmp_path / "server.log", ServerSettings(ready_timeout_s=0.8))
    with pytest.raises(ModelSetupError, match=r"did not answer within[\s\S]*loading"):
        server.start()
    assert not server.running


def test_stop_kills_a_child_that_ignores_terminate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"
    use_command(monkeypatch, lambda port: [sys.executable, "-c", code])
    server = EmbeddedServer(tmp_path / "m.gguf", tmp_path / "server.log", ServerSettings(stop_timeout_s=0.5))
    server.spawn()
    process = server._process
    assert process is not None
    for _ in range(100):  # wait until the handler is installed
        if "up" in (tmp_path / "server.log").read_text(encoding="utf-8"):
            break
        asyncio.run(asyncio.sleep(0.05))
    server.stop()
    assert process.returncode == -signal.SIGKILL


def test_ctrl_c_inside_the_block_stops_the_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    use_command(monkeypatch, stand_in)
    with pytest.raises(KeyboardInterrupt), EmbeddedServer(tmp_path / "m.gguf", tmp_path / "s.log") as server:
        process = server._process
        raise KeyboardInterrupt
    assert process is not None and process.poll() is not None


def test_log_files_are_per_process_and_pruned(tmp_path: Path):
    for n in range(12):
        (tmp_path / f"llama-server-{n}-x.log").write_text("old", encoding="utf-8")
    path = server_log_path(tmp_path, keep=5)
    assert len(list(tmp_path.glob("llama-server-*.log"))) == 4 and not path.exists()


def embedded_config(tmp_path: Path, **overrides: Any) -> EndpointConfig:
    return EndpointConfig(
        cache_dir=tmp_path / "responses", timeout_s=5, server=ServerSettings(ready_timeout_s=30), **overrides
    )


def test_open_llm_runs_the_embedded_server_for_the_block(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    use_command(monkeypatch, stand_in)
    monkeypatch.setenv("TRIALQA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(client_module, "resolve_model_file", lambda local_model, **_: tmp_path / "m.gguf")

    async def run() -> str:
        async with open_llm(embedded_config(tmp_path, api_key="sk-user-key")) as llm:
            assert llm.kind is EndpointKind.EMBEDDED and llm.model_id == "qwen2.5-coder-1.5b-instruct-q4"
            assert llm.provenance()["mode"] == "json_schema" and llm.provenance()["base_url"] is None
            assert llm.config.api_key is None  # the user's key is not sent to our local server
            value, stats = await llm.ask(
                question="q", messages=[{"role": "user", "content": "hi"}], response_model=Ok, prompt_hash="p"
            )
            assert value.ok and stats.attempts == 1
            assert llm.config.base_url is not None
            return llm.config.base_url

    base_url = asyncio.run(run())
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/models", timeout=2)
    assert list((tmp_path / "cache" / "logs").glob("llama-server-*.log"))


def test_replay_with_the_embedded_model_starts_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(
        client_module, "resolve_model_file", lambda local_model, **_: pytest.fail("assembled the model")
    )
    monkeypatch.setattr(EmbeddedServer, "spawn", lambda self: pytest.fail("started the server"))

    async def run() -> None:
        async with open_llm(embedded_config(tmp_path, replay=True)) as llm:
            await llm.ask(
                question="arm_type", messages=[{"role": "user", "content": "hi"}], response_model=Ok, prompt_hash="p"
            )

    with pytest.raises(CacheMiss, match="arm_type"):
        asyncio.run(run())


def test_config_flags_win_over_environment():
    env = {"OPENAI_BASE_URL": "http://env:8000/v1", "OPENAI_API_KEY": "sk-env"}
    config = EndpointConfig.from_options(base_url="http://flag:9000/v1", api_key="sk-flag", environ=env)
    assert (config.base_url, config.api_key) == ("http://flag:9000/v1", "sk-flag")
    config = EndpointConfig.from_options(environ=env)
    assert (config.base_url, config.api_key, config.embedded) == ("http://env:8000/v1", "sk-env", False)
    config = EndpointConfig.from_options(environ={})
    assert config.embedded and config.api_key is None
    assert "sk-flag" not in repr(EndpointConfig.from_options(api_key="sk-flag", environ={}))
    with pytest.raises(ValueError, match="local-model"):
        EndpointConfig(base_url="http://x/v1", local_model="m.gguf")


@pytest.mark.skipif(sys.platform != "linux", reason="parent-death signal is Linux-only")
def test_server_child_dies_when_its_parent_is_killed(tmp_path: Path):
    """A SIGKILLed trialqa runs no cleanup; the kernel must still stop its model server."""
    import subprocess
    import textwrap
    import time

    pid_file = tmp_path / "child.pid"
    parent = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from extract.llm import server as server_module
        from extract.llm.server import EmbeddedServer
        server_module.llama_cpp_installed = lambda: True
        server_module.server_command = lambda model_file, port, settings: [
            sys.executable, "-c", "import time; time.sleep(120)"]
        server = EmbeddedServer(Path("/m.gguf"), Path({str(tmp_path / "log")!r}))
        server.spawn()
        Path({str(pid_file)!r}).write_text(str(server._process.pid))
        time.sleep(120)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", parent], cwd=Path(__file__).resolve().parents[2])
    deadline = time.monotonic() + 20
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(pid_file.read_text())
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(child, signal.SIGKILL)
    raise AssertionError("the server child outlived its killed parent")


# A stand-in for a native llama.cpp build on a CPU it cannot run: it lists its models, then dies on the
# first completion (the real one: a general protection fault in the AMX matrix multiply).
CRASH_ON_FIRST_COMPLETION = """
import os, signal, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"object": "list", "data": [{"id": "m", "object": "model", "owned_by": "me"}]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        print("amx repack tensor", flush=True)
        os.kill(os.getpid(), signal.SIGSEGV)

HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def test_a_server_that_crashes_on_its_first_completion_fails_fast_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    use_command(monkeypatch, lambda port: [sys.executable, "-c", CRASH_ON_FIRST_COMPLETION, str(port)])
    server = EmbeddedServer(tmp_path / "m.gguf", tmp_path / "server.log", ServerSettings(ready_timeout_s=30))
    with pytest.raises(ModelSetupError) as caught:
        server.start()
    message = str(caught.value)
    assert "crashed on its first completion" in message and "SIGSEGV" in message
    assert str(tmp_path / "server.log") in message and "scripts/install.sh" in message
    assert not server.running


def test_a_server_that_dies_mid_run_gets_no_more_requests(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """After the child is killed, the next question fails at once with ModelServerDied naming the signal
    and the log; nothing is sent and no backoff is waited out (the retry policy would take 15 s)."""
    import time

    from extract.errors import ModelServerDied

    use_command(monkeypatch, stand_in)
    monkeypatch.setenv("TRIALQA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(client_module, "resolve_model_file", lambda local_model, **_: tmp_path / "m.gguf")
    config = embedded_config(tmp_path, backoff_base_s=1.0, max_transport_retries=4)
    spawned: list[EmbeddedServer] = []
    original_spawn = EmbeddedServer.spawn

    def spawn(self: EmbeddedServer) -> None:
        spawned.append(self)
        original_spawn(self)

    monkeypatch.setattr(EmbeddedServer, "spawn", spawn)

    def ask(llm: Any, n: int) -> Any:
        return llm.ask(
            question=f"q{n}", messages=[{"role": "user", "content": f"hi {n}"}], response_model=Ok, prompt_hash="p"
        )

    async def run() -> float:
        async with open_llm(config) as llm:
            value, _ = await ask(llm, 1)
            assert value.ok
            process = spawned[0]._process
            assert process is not None
            process.kill()
            process.wait()
            started = time.monotonic()
            for n in (2, 3):
                with pytest.raises(ModelServerDied, match=r"killed by SIGKILL .*llama-server-.*\.log"):
                    await ask(llm, n)
            return time.monotonic() - started

    assert asyncio.run(run()) < 1.0


def test_a_build_for_another_cpu_says_to_rebuild(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A llama.cpp build carried to a CPU without its instructions dies of SIGILL while loading: the
    error says so and names the command that rebuilds it for this CPU."""
    use_command(
        monkeypatch, lambda port: [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGILL)"]
    )
    server = EmbeddedServer(tmp_path / "m.gguf", tmp_path / "server.log", ServerSettings(ready_timeout_s=30))
    with pytest.raises(ModelSetupError) as caught:
        server.start()
    message = str(caught.value)
    assert "SIGILL" in message and "instructions this one lacks" in message and "scripts/install.sh" in message
    assert not server.running
