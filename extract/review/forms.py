"""Reading a POSTed HTML form (application/x-www-form-urlencoded) with a size limit.

The pages' forms are plain urlencoded forms; nothing else is accepted, so no multipart parser
is needed."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request

MAX_FORM_BYTES = 1_000_000
MAX_FIELDS = 50


async def read_form(request: Request) -> dict[str, str]:
    """The form's fields (first value of each). 415 for another content type, 413 when too large."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise HTTPException(415, "forms must be sent as application/x-www-form-urlencoded")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, f"the form is over {MAX_FORM_BYTES:,} bytes")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise HTTPException(400, f"the form could not be read: {exc}") from None
    out: dict[str, str] = {}
    for key, value in pairs:
        out.setdefault(key, value)
    return out
