"""The curators' web page (Starlette + jinja2, no JavaScript): the queue list, one item beside
its source text, and the forms that store decisions.

Everything the pages show comes from the queue file; record text is untrusted and printed only
through jinja2's autoescape (no `|safe` on anything from a record). See `security` for the CSRF,
origin, host and header defences.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from extract.model.paths import PathError, get_value
from extract.review import actions
from extract.review.actions import Action, ActionError, Conflict, Kind
from extract.review.correct import ValueMode
from extract.review.forms import read_form
from extract.review.queries import STATUSES, ListFilter, item_view, list_items, rule_counts
from extract.review.security import (
    MIN_TOKEN_LENGTH,
    SecurityHeaders,
    TokenGate,
    allowed_hosts,
    check_post,
    check_token,
    csrf_token,
    is_loopback,
    local_path,
    session_mark,
)
from extract.review.store import connect

HERE = Path(__file__).parent
SESSION_COOKIE = "trialqa_review"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its name: record text is untrusted
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["json"] = lambda value: orjson.dumps(value).decode()
    return env


class ReviewApp:
    """The routes, bound to one queue file."""

    def __init__(self, db: Path, token: str | None = None) -> None:
        self.db = db
        self.token = token
        self.templates = Jinja2Templates(env=_environment())

    @contextmanager
    def conn(self) -> Iterator[sqlite3.Connection]:
        with closing(connect(self.db, migrate=False)) as conn:
            yield conn

    def render(self, request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
        base = {"curator": request.session.get("curator", ""), "csrf": csrf_token(request), "here": _here(request)}
        return self.templates.TemplateResponse(request, name, {**base, **context}, status_code=status)

    # --- pages ---------------------------------------------------------------------------------

    def index(self, request: Request) -> Response:
        query = request.query_params
        status = query.get("status", "open")
        flt = ListFilter(
            rule=query.get("rule", "")[:200],
            status=status if status in STATUSES else "open",
            text=query.get("q", "")[:200],
            page=_int(query.get("page"), 1),
        )
        with self.conn() as conn:
            listing = list_items(conn, flt)
            rules = rule_counts(conn)

        def page_link(page: int) -> str:
            return "/?" + urlencode({"status": flt.status, "rule": flt.rule, "q": flt.text, "page": page})

        return self.render(
            request,
            "list.html",
            {"flt": flt, "listing": listing, "rules": rules, "statuses": STATUSES, "page_link": page_link},
        )

    def item(self, request: Request) -> Response:
        item_id = _item_id(request)
        with self.conn() as conn:
            view = item_view(conn, item_id)
        if view is None:
            raise HTTPException(404, f"There is no item {item_id} in this queue.")
        saved = _int(request.query_params.get("saved"), 0)
        prefill = _prefill(view.record, request.query_params.get("path", ""))
        return self.render(
            request,
            "item.html",
            {"view": view, "saved": next((d for d in view.decisions if d["id"] == saved), None), "prefill": prefill},
        )

    # --- forms ---------------------------------------------------------------------------------

    async def set_curator(self, request: Request) -> Response:
        form = await read_form(request)
        check_post(request, form)
        name = " ".join(form.get("curator", "").split())[: actions.MAX_CURATOR]
        if name:
            request.session["curator"] = name
        else:
            request.session.pop("curator", None)
        return RedirectResponse(local_path(form.get("next", "/")), status_code=303)

    async def act(self, request: Request) -> Response:
        item_id = _item_id(request)
        form = await read_form(request)
        check_post(request, form)
        try:
            action = Action(
                kind=Kind(form.get("kind", "")),
                item_id=item_id,
                version=_row_int(form.get("version", "")),
                curator=str(request.session.get("curator", "")),
                finding_id=_row_int(form["finding"]) if form.get("finding") else None,
                reason=form.get("reason", ""),
                path=form.get("path", ""),
                value=form.get("value", ""),
                mode=ValueMode(form.get("mode", ValueMode.TEXT.value)),
                record_id=_row_int(form["record"]) if form.get("record") else None,
            )
        except ValueError:
            raise HTTPException(400, "The form is incomplete or was changed: reload the item and try again.") from None
        try:
            decision_id = await run_in_threadpool(self._apply, action)
        except Conflict as conflict:
            return self.render(request, "conflict.html", {"conflict": conflict, "form": form, "action": action}, 409)
        except ActionError as exc:
            return self.render(request, "refused.html", {"message": str(exc), "form": form, "action": action}, 400)
        return RedirectResponse(f"/items/{item_id}?saved={decision_id}", status_code=303)

    def _apply(self, action: Action) -> int:
        with self.conn() as conn:
            return actions.apply(conn, action)

    def login_page(self, request: Request) -> Response:
        return self.render(
            request, "login.html", {"next": local_path(request.query_params.get("next", "/")), "message": ""}
        )

    async def login(self, request: Request) -> Response:
        form = await read_form(request)
        check_post(request, form)
        target = local_path(form.get("next", "/"))
        if self.token is None or not check_token(form.get("token", ""), self.token):
            return self.render(request, "login.html", {"next": target, "message": "That is not the access token."}, 403)
        request.session["auth"] = session_mark(self.token)
        return RedirectResponse(target, status_code=303)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return self.render(request, "error.html", {"status": exc.status_code, "message": exc.detail}, exc.status_code)


SQLITE_MAX_INT = 2**63 - 1  # larger ints do not fit SQLite's INTEGER: OverflowError, not "no such row"


def _is_row_id(value: int) -> bool:
    return 0 <= value <= SQLITE_MAX_INT


def _row_int(text: str) -> int:
    """A form's id or version field; ValueError (a 400) when it is not one SQLite can hold."""
    if len(text) > 20:  # int() of a huge digit string is itself slow (and limited to 4300 digits)
        raise ValueError("number too long")
    value = int(text)
    if not _is_row_id(value):
        raise ValueError("number out of range")
    return value


def _item_id(request: Request) -> int:
    """The item id in the path; 404 for anything but a row id (digits that fit SQLite's INTEGER)."""
    text = request.path_params["item_id"]
    try:
        if not text.isascii() or not text.isdigit():
            raise ValueError(text)
        return _row_int(text)
    except ValueError:
        raise HTTPException(404, "There is no such item in this queue.") from None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None and len(value) <= 20 else default
    except ValueError:
        return default


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _prefill(record: dict[str, Any] | None, path: str) -> dict[str, str]:
    """The correction form's initial path, value and mode (from a field's "correct" link)."""
    if record is None or not path:
        return {"path": path, "value": "", "mode": "text"}
    try:
        value = get_value(record, path)
    except PathError:
        return {"path": path, "value": "", "mode": "text"}
    if isinstance(value, dict) and {"text", "value", "unit"} == set(value):  # an age: "18 Years"
        return {"path": path, "value": str(value["text"]), "mode": "text"}
    if isinstance(value, dict | list | bool) or (value is None and path.endswith("]")):
        return {"path": path, "value": orjson.dumps(value, option=orjson.OPT_INDENT_2).decode(), "mode": "json"}
    return {"path": path, "value": "" if value is None else str(value), "mode": "text"}


def create_app(
    db: str | Path,
    *,
    host: str = "127.0.0.1",
    secret: str | None = None,
    token: str | None = None,
    extra_hosts: Sequence[str] = (),
) -> Starlette:
    """The app for one queue file (created and migrated if needed). `secret` signs the session
    cookie; by default a new one per start (curators reload their page after a restart).
    `token`: the access token curators sign in with; required when `host` is not loopback
    (ValueError otherwise), since the page has no other login."""
    if token is None and not is_loopback(host):
        raise ValueError(f"serving on {host} (beyond this machine) needs an access token")
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise ValueError(f"the access token must be at least {MIN_TOKEN_LENGTH} characters")
    db = Path(db)
    with closing(connect(db)):  # create / migrate once, before serving
        pass
    review = ReviewApp(db, token)
    routes = [
        Route("/", review.index, methods=["GET"]),
        Route("/items/{item_id}", review.item, methods=["GET"]),  # parsed by _item_id: 404 unless a row id
        Route("/items/{item_id}", review.act, methods=["POST"]),
        Route("/curator", review.set_curator, methods=["POST"]),
        Route("/login", review.login_page, methods=["GET"]),
        Route("/login", review.login, methods=["POST"]),
        Route("/healthz", lambda request: PlainTextResponse("ok"), methods=["GET"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(host, extra_hosts)),
        Middleware(
            SessionMiddleware,
            secret_key=secret or secrets.token_urlsafe(32),
            session_cookie=SESSION_COOKIE,
            max_age=12 * 3600,
            same_site="strict",
            https_only=False,
        ),
    ]
    if token is not None:
        middleware.append(Middleware(TokenGate, token=token))
    return Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: review.http_error})
