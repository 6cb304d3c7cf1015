"""The embedded model server: llama-cpp-python's OpenAI-compatible server as a child process.

Started on a free loopback port, polled until GET /v1/models answers, then proven by one tiny
completion (a server can list its models and still crash on its first answer, e.g. a native build
using CPU instructions this machine cannot run), stopped at the end: on normal exit, on errors and
on Ctrl-C (context manager), and at interpreter exit (atexit) as a backstop.
Stopping is terminate, wait, then kill, and is idempotent so any of those paths may run it. The
server's own output goes to a log file in the cache folder, never to the user's terminal; when it
fails to come up, the error carries the tail of that log.

Invariant: once the child has exited on its own, `death()` says how (status or signal, log path,
log tail) and never returns None again; the client asks it before every request and after every
failed one, so no request is sent to a dead server and no retry waits on one.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from extract.errors import ModelServerDied, ModelSetupError

from .local_model import INSTALL_HINT

log = logging.getLogger("extract.llm.server")


@dataclass(frozen=True)
class ServerSettings:
    """Settings for a 2-core CPU machine: the whole context our prompts need, one thread per core."""

    # 16k tokens: a whole page plus its JSON answer fits (--strategy whole); the KV cache of the
    # 1.5B model costs about 28 KB per token, under 0.5 GB at this size.
    n_ctx: int = 16384
    n_threads: int = 2
    n_threads_batch: int = 2
    n_batch: int = 512
    # llama-cpp-python's server defaults to logits for every prompt token (needed only for logprobs, which
    # we never ask for): a 4096 x 151936 float array (2.5 GB) and a vocabulary projection per prompt token.
    logits_all: bool = False
    # A RAM cache of prompt states (llama-cpp-python `--cache`): pays when question types alternate, since
    # the server otherwise keeps only the last prompt's prefix; costs a state copy per call and RAM.
    prompt_cache: bool = False
    prompt_cache_bytes: int = 2 << 30
    ready_timeout_s: float = 180.0
    # One-token completion after /v1/models answers: seconds on any CPU that runs the build at all.
    probe_timeout_s: float = 120.0
    heartbeat_s: float = 10.0  # how often a slow start is reported ("still starting, 20 s")
    stop_timeout_s: float = 10.0
    model_alias: str | None = None


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the OS picks it when binding port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    """In the child, before exec: have the kernel send SIGKILL when the parent dies, however it dies.

    atexit and context managers cover normal exits, Ctrl-C and SIGTERM; a SIGKILLed or crashed
    parent runs neither, and the server would otherwise keep a core busy on an unanswerable request.
    """
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def llama_cpp_installed() -> bool:
    """Whether the `[local]` extra's server package is importable."""
    return importlib.util.find_spec("llama_cpp") is not None


def server_command(model_file: Path, port: int, settings: ServerSettings) -> list[str]:
    """The child's argv (flags as `python -m llama_cpp.server --help` lists them)."""
    if not llama_cpp_installed():
        raise ModelSetupError(f"llama-cpp-python is not installed; run {INSTALL_HINT}")
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model_file),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(settings.n_ctx),
        "--n_threads", str(settings.n_threads),
        "--n_threads_batch", str(settings.n_threads_batch),
        "--n_batch", str(settings.n_batch),
        "--use_mlock", "false",  # locking 1.1 GB fails under default memlock limits for non-root users
        "--logits_all", str(settings.logits_all).lower(),
    ]  # fmt: skip
    if settings.prompt_cache:
        command += ["--cache", "true", "--cache_type", "ram", "--cache_size", str(settings.prompt_cache_bytes)]
    if settings.model_alias:
        command += ["--model_alias", settings.model_alias]
    return command


def server_log_path(folder: Path, keep: int = 10) -> Path:
    """A log file of its own for this process's server (parallel runs must not share one), pruning old ones."""
    folder.mkdir(parents=True, exist_ok=True)
    old = sorted(folder.glob("llama-server-*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in old[keep - 1 :]:
        with contextlib.suppress(OSError):
            stale.unlink()
    return folder / f"llama-server-{os.getpid()}-{time.strftime('%Y%m%d-%H%M%S')}.log"


def log_tail(path: Path, max_chars: int = 2000) -> str:
    """The end of a log file, for error messages."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - max_chars))
            return handle.read().decode("utf-8", errors="replace").strip()
    except OSError:
        return "(no server log)"


def describe_exit(returncode: int) -> str:
    """'killed by SIGSEGV (signal 11)' / 'exited with code 1': how a child ended, in words."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        said = f"killed by {name} (signal {-returncode})"
        if -returncode == signal.SIGILL:
            # install.sh builds llama.cpp for the instructions of the CPU it runs on; a .venv or
            # wheelhouse carried to a CPU without them stops here, on its first such instruction
            said += f": llama.cpp was built for a CPU with instructions this one lacks; `{INSTALL_HINT}` rebuilds it"
        return said
    return f"exited with code {returncode}"


PROBE_REQUEST = {
    "messages": [{"role": "user", "content": "Reply with the word OK."}],
    "max_tokens": 1,
    "temperature": 0.0,
}


class EmbeddedServer:
    """One llama-cpp-python server child process; `with EmbeddedServer(...) as server: server.base_url`."""

    def __init__(self, model_file: Path, log_path: Path, settings: ServerSettings | None = None) -> None:
        self.model_file = Path(model_file)
        self.log_path = Path(log_path)
        self.settings = settings or ServerSettings()
        self.port: int | None = None
        self.startup_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._started_at = 0.0
        self._death: str | None = None

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("the embedded server is not started")
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def spawn(self) -> None:
        """Start the child (returns at once; `wait_ready` blocks until it answers)."""
        if self._process is not None:
            raise RuntimeError("the embedded server is already started")
        self.port = free_port()
        command = server_command(self.model_file, self.port, self.settings)  # raises if llama_cpp is missing
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self._started_at = time.monotonic()
        self._process = subprocess.Popen(
            command,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        atexit.register(self.stop)

    def wait_ready(self) -> None:
        """Poll GET /v1/models until it answers 200, then `probe`; fail fast if the child exits, or at
        the deadline."""
        import httpx  # here, not at the top: commands that never start a server do not load it

        deadline = self._started_at + self.settings.ready_timeout_s
        next_heartbeat = self._started_at + self.settings.heartbeat_s
        with httpx.Client(timeout=2.0) as http:
            while True:
                process = self._process
                if process is None:  # stop() ran meanwhile (Ctrl-C while the model loads)
                    raise ModelSetupError("the embedded model server was stopped while starting")
                code = process.poll()
                if code is not None:
                    self.stop()
                    raise ModelSetupError(
                        f"the embedded model server {describe_exit(code)} while starting "
                        f"(log: {self.log_path}):\n{log_tail(self.log_path)}"
                    )
                try:
                    if http.get(f"{self.base_url}/models").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                now = time.monotonic()
                if now > deadline:
                    self.stop()
                    raise ModelSetupError(
                        f"the embedded model server did not answer within {self.settings.ready_timeout_s:.0f} s "
                        f"(log: {self.log_path}):\n{log_tail(self.log_path)}"
                    )
                if now >= next_heartbeat:
                    log.info("embedded model server still loading the model (%.0f s)", now - self._started_at)
                    next_heartbeat = now + self.settings.heartbeat_s
                time.sleep(0.25)
        self.probe()
        self.startup_seconds = time.monotonic() - self._started_at

    def probe(self) -> None:
        """One tiny completion: proof that the server can answer, not only list its models.

        A build whose CPU code this machine cannot run (an AMX path, an instruction set it lacks)
        starts and serves /v1/models, then dies on the first matrix multiply; here that costs
        seconds and names the crash, instead of a batch of connection errors.
        """
        import httpx

        started = time.monotonic()
        try:
            with httpx.Client(timeout=self.settings.probe_timeout_s) as http:
                response = http.post(f"{self.base_url}/chat/completions", json=PROBE_REQUEST)
            response.raise_for_status()
            if not response.json()["choices"]:  # a well-formed completion, not only a 200
                raise ValueError("no choices in the completion")
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            death = self._await_death(grace_s=3.0)
            self.stop()
            if death is not None:
                raise ModelSetupError(
                    f"the embedded model server crashed on its first completion: {death}. "
                    "This usually means a llama-cpp-python build for another CPU: reinstall with "
                    "`bash scripts/install.sh` (a portable build)."
                ) from None
            raise ModelSetupError(
                f"the embedded model server could not answer a one-token test completion "
                f"({type(exc).__name__}: {str(exc)[:200]}) (log: {self.log_path}):\n{log_tail(self.log_path)}"
            ) from None
        log.info("embedded model server answered its test completion in %.1f s", time.monotonic() - started)

    def death(self) -> str | None:
        """None while the child runs (or was stopped by us); once it has exited on its own, one line
        saying how it died (status or signal) and where its log is. The first call that sees the
        death also logs it at ERROR with the log's last lines, so the user hears of it at once."""
        if self._death is not None:
            return self._death
        process = self._process
        if process is None:
            return None
        code = process.poll()
        if code is None:
            return None
        self._death = f"the embedded model server {describe_exit(code)} (log: {self.log_path})"
        log.error("%s; its last lines:\n%s", self._death, log_tail(self.log_path, max_chars=800))
        return self._death

    def _await_death(self, grace_s: float) -> str | None:
        """`death()`, giving a child that is going down (its socket already closed) `grace_s` to exit."""
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=grace_s)
        return self.death()

    def raise_if_dead(self, grace_s: float = 0.0) -> None:
        """ModelServerDied when the child has exited on its own (after up to `grace_s` for one going down)."""
        death = self._await_death(grace_s) if grace_s > 0 else self.death()
        if death is not None:
            raise ModelServerDied(f"{death}; no further requests were sent to it")

    def start(self) -> str:
        """spawn + wait_ready (which probes); the base URL."""
        self.spawn()
        self.wait_ready()
        return self.base_url

    def stop(self) -> None:
        """terminate, wait, kill; safe to call twice, from atexit, or after the child died by itself."""
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError, OSError):
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(timeout=self.settings.stop_timeout_s)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait(timeout=self.settings.stop_timeout_s)
        if self._log is not None:
            with contextlib.suppress(OSError):
                self._log.close()
            self._log = None
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextlib.contextmanager
def embedded_server(model_file: Path, log_path: Path, settings: ServerSettings | None = None) -> Iterator[str]:
    """Run the server for the duration of the block; yields its base URL."""
    server = EmbeddedServer(model_file, log_path, settings)
    try:
        yield server.start()
    finally:
        server.stop()
