"""Every error trialqa reports, in one place.

Each class is one kind of bad input or failure; its name is what an error row's
`error.type` says, so users can filter on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

if TYPE_CHECKING:
    from extract.model.provenance import CallStats


class TrialQAError(Exception):
    """Base of every error that becomes an error row rather than a crash."""

    @property
    def type_name(self) -> str:
        return type(self).__name__


class EmptyInput(TrialQAError):
    """The input has no bytes, or only whitespace."""


class BinaryInput(TrialQAError):
    """The input is binary (NUL bytes, control characters), not text, JSON or XML."""


class NotUtf8(TrialQAError):
    """The input's bytes are not valid UTF-8 text."""


class InputTooLarge(TrialQAError):
    """The input is larger than the configured limit."""


class InvalidJSON(TrialQAError):
    """The input looks like JSON but does not parse (invalid or truncated)."""


class InvalidXML(TrialQAError):
    """The input looks like XML but does not parse."""


class UnsafeXML(TrialQAError):
    """The XML declares a DTD with entities (entity bombs, external entities): refused unparsed."""


class NotAStudy(TrialQAError):
    """Valid JSON or XML that is not a clinical-trial study record."""


class MappingError(TrialQAError):
    """A structured field holds a value the mapping cannot translate (e.g. an unknown enum spelling)."""


class RecordInvalid(TrialQAError):
    """The mapped or extracted record fails the record model's validation."""


class UnreadableInput(TrialQAError):
    """The input path cannot be read (permissions, vanished file, I/O error)."""


class SymlinkLoop(TrialQAError):
    """A folder reached again while walking the inputs (a symlink loop, or a second link to a
    folder already read): skipped, so the walk ends and nothing is read twice."""


def field_path(loc: tuple[int | str, ...]) -> str:
    """pydantic's loc ('arms', 0, 'type') -> 'arms[0].type'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "<record>"


def describe_validation_error(exc: ValidationError) -> str:
    """One line per failing field: 'path: message (got value)'."""
    lines = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        got = err.get("input")
        shown = repr(got) if isinstance(got, str | int | float) else type(got).__name__
        lines.append(f"{field_path(loc)}: {err['msg']} (got {shown[:80]})")
    return "; ".join(lines)


class LLMError(TrialQAError):
    """Base of failures talking to a model endpoint. `stats`: what the failed question cost (the
    requests it sent and their tokens), set by the client when it knows; None when nothing was sent."""

    def __init__(self, message: str = "", *, stats: CallStats | None = None) -> None:
        super().__init__(message)
        self.stats = stats


class LLMTransportError(LLMError):
    """The endpoint kept failing (timeout, connection reset, 429, 5xx) after every retry."""


class LLMRequestRefused(LLMTransportError):
    """The endpoint refused the request itself (400, 401, 404: bad key, unknown model, too long):
    sending it again would be refused again, so it is not retried, now or on resume."""


class LLMInvalidAnswer(LLMError):
    """The model's answer still failed the answer schema after every re-ask."""


class CacheMiss(LLMError):
    """--replay is on and the response cache holds no answer for this exact request."""


class RequestDeferred(LLMError):
    """`trialqa batch prepare`: the question's answer is not in the response cache yet; its request was
    written to a batch file instead of being sent. `body` is the exact chat-completion request."""

    def __init__(self, message: str, body: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.body = body or {}


class ModelSetupError(LLMError):
    """The embedded model or server could not be assembled or started (or crashed on its first answer)."""


class ModelServerDied(LLMTransportError):
    """The embedded model server process died during the run (a crash, a signal, out of memory).

    Records it was answering, and every record after it, get this error without another request
    being sent; a re-run retries them (with a new server)."""


class BadArchive(TrialQAError):
    """A zip or gzip input (or one of its members) is corrupt, encrypted or truncated."""


class UnsafeArchive(TrialQAError):
    """A zip member expands far beyond its compressed size (a likely zip bomb): refused unread."""


# Error types a re-run should try again (the input may well be fine); the rest are final.
RETRYABLE_ERRORS = frozenset({"LLMTransportError", "CacheMiss", "ModelSetupError", "ModelServerDied", "InternalError"})
