"""The embedded model server: llama-cpp-python's OpenAI-compatible server as a child process.

Started on a free loopback port, polled until GET /v1/models answers, stopped at the end: on normal
exit, on errors and on Ctrl-C (context manager), and at interpreter exit (atexit) as a backstop.
Stopping is terminate, wait, then kill, and is idempotent so any of those paths may run it. The
server's own output goes to a log file in the cache folder, never to the user's terminal; when it
fails to come up, the error carries the tail of that log.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
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

import httpx

from extract.errors import ModelSetupError

from .local_model import INSTALL_HINT


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
        """Poll GET /v1/models until it answers 200; fail fast if the child exits, or at the deadline."""
        deadline = self._started_at + self.settings.ready_timeout_s
        with httpx.Client(timeout=2.0) as http:
            while True:
                process = self._process
                if process is None:  # stop() ran meanwhile (Ctrl-C while the model loads)
                    raise ModelSetupError("the embedded model server was stopped while starting")
                code = process.poll()
                if code is not None:
                    self.stop()
                    raise ModelSetupError(
                        f"the embedded model server exited with code {code} while starting "
                        f"(log: {self.log_path}):\n{log_tail(self.log_path)}"
                    )
                try:
                    if http.get(f"{self.base_url}/models").status_code == 200:
                        self.startup_seconds = time.monotonic() - self._started_at
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise ModelSetupError(
                        f"the embedded model server did not answer within {self.settings.ready_timeout_s:.0f} s "
                        f"(log: {self.log_path}):\n{log_tail(self.log_path)}"
                    )
                time.sleep(0.25)

    def start(self) -> str:
        """spawn + wait_ready; the base URL."""
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
