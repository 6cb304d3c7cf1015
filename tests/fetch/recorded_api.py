"""A local stand-in for the ClinicalTrials.gov API v2 `/studies` endpoint, on a real loopback socket.

It serves recorded pages in the API's response shape (`studies`, `nextPageToken`, `totalCount` on the
first page when countTotal=true) built from the shared v2 study records, remembers every request, and
fails on demand (a status with an optional Retry-After for chosen request numbers or pages).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class Fault:
    status: int
    retry_after: str | None = None
    times: int = 1  # how many requests for this page fail before it is served


@dataclass
class RecordedApi:
    studies: list[dict[str, Any]]
    faults: dict[int, Fault] = field(default_factory=dict)  # page index -> fault
    requests: list[tuple[float, dict[str, str]]] = field(default_factory=list)

    def token(self, page: int) -> str:
        return f"tok-{page}-{len(self.studies)}"  # opaque to the client, as the real API's are

    def page_of(self, token: str | None) -> int | None:
        if token is None:
            return 0
        for page in range(1, len(self.studies) + 1):
            if self.token(page) == token:
                return page
        return None

    async def studies_endpoint(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.requests.append((time.monotonic(), params))
        page = self.page_of(params.get("pageToken"))
        if page is None:
            return JSONResponse({"message": "bad pageToken"}, status_code=400)
        fault = self.faults.get(page)
        if fault is not None and fault.times > 0:
            fault.times -= 1
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            return JSONResponse({"message": "try later"}, status_code=fault.status, headers=headers)
        size = int(params.get("pageSize", "10"))
        chunk = self.studies[page * size : (page + 1) * size]
        body: dict[str, Any] = {"studies": chunk}
        if (page + 1) * size < len(self.studies):
            body["nextPageToken"] = self.token(page + 1)
        if page == 0 and params.get("countTotal") == "true":
            body["totalCount"] = len(self.studies)
        return Response(orjson.dumps(body), media_type="application/json")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/api/v2/studies", self.studies_endpoint)])


def recorded_studies(v2_dir: Path) -> list[dict[str, Any]]:
    return [orjson.loads(path.read_bytes()) for path in sorted(v2_dir.glob("*.json"))]


@contextmanager
def serving(api: RecordedApi) -> Iterator[str]:
    """The API root URL (`http://127.0.0.1:PORT/api/v2`) of `api` served by uvicorn in a thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(api.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the recorded API server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/api/v2"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
