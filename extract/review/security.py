"""The page's defences: response headers (a CSP with no script at all), cross-site request checks
(per-session token + Origin/Referer host), and which Host headers are served.

- Every POST must carry the session's CSRF token (the session is a signed cookie, SameSite=Strict)
  and come from this server's own origin: its Origin header, or else its Referer, must name the
  host the request was sent to. A request with neither is refused.
- Content-Security-Policy: default-src 'none'; only the package's own stylesheet loads; forms post
  only to this server; no frames. The page uses no JavaScript, so none is allowed.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import secrets
import socket
from collections.abc import Iterable
from urllib.parse import urlencode, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
log = logging.getLogger("extract.review")
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response, a server error's too.

    Starlette's own 500 page is sent by its outermost middleware, outside this one, so it would go
    out bare: an error that escapes the app is answered here instead (and logged)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name for name, _ in HEADERS}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + HEADERS
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception:
            if started:
                raise  # the response is already on its way; nothing more can be sent
            log.exception("review page: internal error on %s %s", scope.get("method"), scope.get("path"))
            await PlainTextResponse("Internal error: the request could not be completed.", 500)(
                scope, receive, with_headers
            )


WILDCARD_BINDS = ("0.0.0.0", "::", "")
MIN_TOKEN_LENGTH = 16


def is_loopback(bind_host: str) -> bool:
    return bind_host in LOOPBACK_HOSTS


def allowed_hosts(bind_host: str, extra: Iterable[str] = ()) -> list[str]:
    """Host headers served: loopback names, the bound host, and `extra` (--allowed-host). Bound to
    all interfaces, the machine's own names and addresses stand for the bound host: a page on
    another site whose name was re-pointed at this machine (DNS rebinding) is not served."""
    names = {*LOOPBACK_HOSTS, *extra}
    if bind_host in WILDCARD_BINDS:
        names |= machine_names()
    else:
        names.add(bind_host)
    return sorted(names)


def machine_names() -> set[str]:
    """This machine's host name, full name and the addresses they resolve to."""
    names = {socket.gethostname(), socket.getfqdn()}
    for name in list(names):
        with contextlib.suppress(OSError):
            names |= {str(info[4][0]) for info in socket.getaddrinfo(name, None)}
    return {name for name in names if name}


class TokenGate:
    """ASGI middleware (inside the session middleware): with an access token set, every page
    needs a signed-in session (POST /login with the token) or an `Authorization: Bearer` header.
    /login, /healthz and the stylesheet stay open."""

    OPEN = ("/login", "/healthz")

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    def signed_in(self, request: Request) -> bool:
        given = request.headers.get("authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), self.token.encode()):
            return True
        return request.session.get("auth") == session_mark(self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in self.OPEN or path.startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if self.signed_in(request):
            await self.app(scope, receive, send)
            return
        if request.method in ("GET", "HEAD"):
            target = "/login?" + urlencode({"next": path + (f"?{request.url.query}" if request.url.query else "")})
            response: Response = RedirectResponse(target, status_code=303)
        else:
            response = PlainTextResponse("Sign in first: this queue needs its access token.", status_code=401)
        await response(scope, receive, send)


def session_mark(token: str) -> str:
    """What a signed-in session holds: a digest of the token, so a new token signs everyone out."""
    return hashlib.sha256(b"trialqa-review-login\0" + token.encode()).hexdigest()


def check_token(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


def csrf_token(request: Request) -> str:
    """This session's token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_post(request: Request, form: dict[str, str]) -> None:
    """Refuse (403) a POST from another origin or without this session's token."""
    host = request.headers.get("host", "")
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    if origin is not None:
        sent_from = urlsplit(origin).netloc if origin != "null" else "null"
    elif referer:
        sent_from = urlsplit(referer).netloc
    else:
        raise HTTPException(403, "The request did not say which page sent it (no Origin or Referer header).")
    if not host or not hmac.compare_digest(sent_from.lower(), host.lower()):
        raise HTTPException(403, "The form was sent from another site, so it was refused.")
    expected = request.session.get("csrf")
    given = form.get("csrf", "")
    if not isinstance(expected, str) or not given or not hmac.compare_digest(given, expected):
        raise HTTPException(
            403,
            "The form's security token is missing or stale (the server may have restarted): reload the page and try again.",
        )


def local_path(target: str, default: str = "/") -> str:
    """`target` when it is a path on this server ('/items/3'), else `default` (no open redirects)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
