"""Grounding: every extracted value must be found in the source text.

A free-text value is checked at its recorded span first, then searched for exactly, then with
whitespace and case normalised. A coded value (a status, a date, a count, an age) keeps the span of
the text it was read from, which must read as it again (`reads_as`: with the reader that read it,
else `shows`). A value that fails is removed from the record and listed in `ungrounded` with what
the extractor said: never kept silently, never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from extract.errors import MappingError
from extract.model import Span, parse_age
from extract.model.paths import find, put
from extract.model.text_fields import text_fields
from extract.normalize import month_number

# Reads a coded value from the text at its span ("Completed" -> COMPLETED); MappingError when it cannot.
Reader = Callable[[str], Any]


@dataclass(frozen=True)
class _ItemList:
    """A list of items with grounded text: the key (not found -> the item is removed), the other
    text fields (not found -> emptied), and lists of strings inside the item."""

    path: str
    key: str
    texts: tuple[str, ...]
    lists: tuple[str, ...]


def _tables() -> tuple[tuple[str, ...], tuple[str, ...], tuple[_ItemList, ...], tuple[str, ...]]:
    """What grounding checks, read off the record model's `SourceText` marks, grouped by shape:
    (single strings, lists of strings, item lists, criteria lists whose items carry their own span)."""
    grounded = [f for f in text_fields() if f.mark.grounded]
    scalars = tuple(f.path for f in grounded if not f.items and not f.is_list)
    string_lists = tuple(f.path for f in grounded if not f.items and f.is_list)
    containers = dict.fromkeys(f.container for f in grounded if f.items and not f.item_span)
    item_lists = tuple(
        _ItemList(
            container,
            next((f.name for f in grounded if f.container == container and f.mark.key), ""),
            tuple(f.name for f in grounded if f.container == container and not f.mark.key and not f.is_list),
            tuple(f.name for f in grounded if f.container == container and f.is_list),
        )
        for container in containers
    )
    criteria = tuple(dict.fromkeys(f.container for f in grounded if f.items and f.item_span))
    return scalars, string_lists, item_lists, criteria


_SCALARS, _STRING_LISTS, _ITEM_LISTS, _CRITERIA = _tables()
# Spans of these lists point into items that grounding may drop or renumber: they are rebuilt, not kept.
_LIST_SPAN = re.compile(
    r"^(?:" + "|".join(re.escape(p) for p in (*_STRING_LISTS, *(i.path for i in _ITEM_LISTS))) + r")\["
)


def normalise(text: str) -> str:
    return " ".join(text.split()).lower()


_WHITESPACE = re.compile(r"\s+")


def _normalised_text(text: str, chunk: int = 1 << 18) -> str:
    """`normalise` for a whole page, a chunk at a time: re.sub over 30 MB at once would hold a
    list of millions of small strings. Chunks end after a whole whitespace run, so no run is split."""
    parts: list[str] = []
    start, size = len(text) - len(text.lstrip()), len(text)
    while start < size:
        end = min(size, start + chunk)
        run = _WHITESPACE.match(text, end)
        if run is not None:
            end = run.end()
        parts.append(_WHITESPACE.sub(" ", text[start:end]).lower())
        start = end
    return "".join(parts)


@dataclass
class Grounder:
    """Finds values in one source text. Memory stays a small multiple of the text: the
    normalised copy is made only when a value is not found as it stands, and no per-character
    index is kept (a 30 MB page once cost 3.5 GB of Python lists): the span in the original text
    comes from a whitespace- and case-tolerant search instead."""

    text: str
    _norm: str | None = field(default=None, init=False, repr=False)

    @property
    def norm(self) -> str:
        """The text with whitespace runs as one space, no leading space, lower-cased (as `normalise`)."""
        if self._norm is None:
            self._norm = _normalised_text(self.text)
        return self._norm

    def locate(self, value: str, hint: Span | None = None) -> Span | None:
        if not value or not value.strip():
            return None
        if hint is not None and normalise(self.text[hint.start : hint.end]) == normalise(value):
            return hint
        exact = self.text.find(value)
        if exact >= 0:
            return Span(start=exact, end=exact + len(value))
        found = self.norm.find(normalise(value))
        if found < 0:
            return None
        # The value is there up to whitespace and case; find the same words in the original text.
        # Normalising only shortens text, so the first original match starts at or after `found`.
        words = re.compile(r"\s+".join(re.escape(word) for word in value.split()), re.IGNORECASE)
        match = words.search(self.text, found) or words.search(self.text)
        return Span(start=match.start(), end=match.end()) if match else None


@dataclass
class _Pass:
    """One grounding pass over a draft: its spans and readers in; the spans kept (at the paths the values
    end up at) and the removals out."""

    finder: Grounder
    spans: dict[str, Span]
    readers: Mapping[str, Reader]
    out_spans: dict[str, Span] = field(default_factory=dict)
    removed: list[dict[str, Any]] = field(default_factory=list)

    def coded(self, path: str, new_path: str, value: Any) -> bool:
        """Whether the coded value at draft `path` stays: it has no span, or its span reads as it
        (`reads_as`; the span is then kept at `new_path`). A value that does not is listed in `removed`."""
        span = self.spans.get(path)
        if span is None:
            return True
        shown = _shown(self.finder.text, span)
        if reads_as(value, shown, self.readers.get(path)):
            self.out_spans[new_path] = span
            return True
        self.removed.append({"path": path, "value": value, "reason": f"its span does not show it: {shown[:80]!r}"})
        return False


@dataclass
class Grounded:
    data: dict[str, Any]
    spans: dict[str, Span]
    ungrounded: list[dict[str, Any]]


def ground(
    data: dict[str, Any], spans: dict[str, Span], text: str, readers: Mapping[str, Reader] | None = None
) -> Grounded:
    """Check every value of `data` that has text or a span against `text`; return kept data, spans, removals.

    Removals are listed record-level values first, then item lists, then values inside objects
    ("sponsor.lead"), then criteria, then coded values. A coded value with a reader in `readers` (by
    its draft path) is kept only if reading its span's text again gives it (`reads_as`); one without
    is checked with `shows`."""
    grounding = _Pass(Grounder(text), spans, readers or {})
    finder, out_spans, removed = grounding.finder, grounding.out_spans, grounding.removed

    def check(path: str, value: Any) -> bool:
        if not isinstance(value, str):
            return True
        span = finder.locate(value, spans.get(path))
        if span is None:
            removed.append({"path": path, "value": value, "reason": "not found in the source text"})
            return False
        out_spans[path] = span
        return True

    def check_scalar(path: str) -> None:
        value = find(data, path)
        if value is not None and not check(path, value):
            put(data, path, None)

    def check_strings(path: str) -> None:
        kept: list[Any] = []
        for value in find(data, path) or []:
            if check(f"{path}[{len(kept)}]", value):
                kept.append(value)
        _replace(data, path, kept)

    for path in _SCALARS:
        if "." not in path:
            check_scalar(path)
    for path in _STRING_LISTS:
        if "." not in path:
            check_strings(path)
    for item_list in _ITEM_LISTS:
        _ground_items(data, item_list, grounding)
    for path in _SCALARS:
        if "." in path:
            check_scalar(path)
    for path in _STRING_LISTS:
        if "." in path:
            check_strings(path)
    _ground_criteria(data, grounding)
    # Spans of coded values (status, dates, counts, ages...) point at the raw text they were read from.
    for path in spans:
        if _LIST_SPAN.match(path) or path in out_spans:
            continue
        value = find(data, path)
        if value is not None and value != [] and not grounding.coded(path, path, value):
            put(data, path, [] if isinstance(value, list) else None)
    return Grounded(data=data, spans=dict(sorted(out_spans.items())), ungrounded=removed)


_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_WORD = re.compile(r"[A-Za-z]+")


def reads_as(value: Any, shown: str, reader: Reader | None) -> bool:
    """Whether `shown`, the text at a coded value's span, gives `value`: read again by the reader that
    read it (an alias table, the layout map's recorded answer, a date parser), or, without one, `shows`.

    Bad: a status read through the alias table whose span sits on another field's words still passes
    as evidence because the text is not blank::

        overall_status = "COMPLETED"   span text "Recruiting"

    Checked instead: `reader("Recruiting")` gives RECRUITING, not COMPLETED, so the value is removed.
    """
    if reader is None:
        return shows(value, shown)
    if not shown.strip():
        return False
    try:
        again = reader(shown)
    except (MappingError, ValueError, KeyError):
        return False
    return bool(again == value)


def shows(value: Any, shown: str) -> bool:
    """Whether `shown`, the source text at a coded value's span, can be where `value` was read.

    Bad: a span that drifted off its value (a merge or renumbering bug) still passes as evidence::

        start_date.date = "2014-08"   span text "Recruiting"

    Checked instead: the span is non-blank text of the source, and a date shows its year (and its
    month as a number or a name, and its day), a count its digits, an age its number. This is the
    check for values that came with no reader (`reads_as` re-reads the rest): enum and yes/no values
    pass here on a non-blank span (e.g. an arm type the model judged from the arm's description).
    """
    if not shown.strip():
        return False
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        digits = re.sub(r"(?<=\d)[,.\s\u00a0'](?=\d{3}(?!\d))", "", shown)
        return re.search(rf"(?<!\d){value}(?!\d)", digits) is not None
    if not isinstance(value, str):
        return True
    date = _ISO_DATE.match(value)
    if date:
        return _shows_date(shown, int(date[1]), int(date[2]) if date[2] else None, int(date[3]) if date[3] else None)
    try:
        age = parse_age(value)
    except ValueError:
        return True  # an enum value
    return re.search(rf"(?<!\d){re.escape(str(age['value']))}(?:\.0+)?(?!\d)", shown) is not None


def _shows_date(shown: str, year: int, month: int | None, day: int | None) -> bool:
    numbers = {int(n) for n in re.findall(r"\d+", shown)}
    if year not in numbers:
        return False
    month_shown = (
        month is None or month in numbers - {year} or any(month_number(word) == month for word in _WORD.findall(shown))
    )
    return month_shown and (day is None or day in numbers)


def _replace(data: dict[str, Any], path: str, value: Any) -> None:
    """Set `path` to `value` only where its key is already there (a list the draft did not give stays absent)."""
    parent_path, _, leaf = path.rpartition(".")
    parent = find(data, parent_path) if parent_path else data
    if isinstance(parent, dict) and leaf in parent:
        parent[leaf] = value


def _ground_items(data: dict[str, Any], item_list: _ItemList, grounding: _Pass) -> None:
    items = find(data, item_list.path)
    if not items:
        return
    finder, spans, out_spans, removed = grounding.finder, grounding.spans, grounding.out_spans, grounding.removed
    kept_items = []
    for original_index, item in enumerate(items):
        new_path = f"{item_list.path}[{len(kept_items)}]"
        old_path = f"{item_list.path}[{original_index}]"
        if item_list.key:
            span = finder.locate(item.get(item_list.key, ""), spans.get(f"{old_path}.{item_list.key}"))
            if span is None:
                removed.append(
                    {"path": old_path, "value": item, "reason": f"{item_list.key} not found in the source text"}
                )
                continue
            out_spans[f"{new_path}.{item_list.key}"] = span
        for text_field in item_list.texts:
            value = item.get(text_field)
            if isinstance(value, str):
                span = finder.locate(value, spans.get(f"{old_path}.{text_field}"))
                if span is None:
                    removed.append(
                        {"path": f"{old_path}.{text_field}", "value": value, "reason": "not found in the source text"}
                    )
                    item[text_field] = None
                else:
                    out_spans[f"{new_path}.{text_field}"] = span
        for nested in item_list.lists:
            kept_names = []
            for value in item.get(nested) or []:
                span = finder.locate(value)
                if span is None:
                    removed.append(
                        {"path": f"{old_path}.{nested}", "value": value, "reason": "not found in the source text"}
                    )
                else:
                    out_spans[f"{new_path}.{nested}[{len(kept_names)}]"] = span
                    kept_names.append(value)
            if nested in item:
                item[nested] = kept_names
        _ground_coded_fields(item, item_list, old_path, new_path, grounding)
        kept_items.append(item)
    put(data, item_list.path, kept_items)


def _ground_coded_fields(
    item: dict[str, Any], item_list: _ItemList, old_path: str, new_path: str, grounding: _Pass
) -> None:
    """An item's coded values (an arm's type, an intervention's arm labels): each one with a span is
    checked at it (`_Pass.coded`), and its span moves with the item when items are renumbered."""
    for name, value in item.items():
        if name == item_list.key or name in item_list.texts or name in item_list.lists or value in (None, []):
            continue
        if isinstance(value, list):
            kept: list[Any] = []
            for index, element in enumerate(value):
                if grounding.coded(f"{old_path}.{name}[{index}]", f"{new_path}.{name}[{len(kept)}]", element):
                    kept.append(element)
            item[name] = kept
        elif not grounding.coded(f"{old_path}.{name}", f"{new_path}.{name}", value):
            item[name] = None


def _shown(text: str, span: Span) -> str:
    """The source text at `span` ("" for a span outside the text)."""
    return text[span.start : span.end] if 0 <= span.start < span.end <= len(text) else ""


def _ground_criteria(data: dict[str, Any], grounding: _Pass) -> None:
    """Criteria keep their span on the item (`CriterionItem.span`), not in the record's spans."""
    finder, removed = grounding.finder, grounding.removed
    for path in _CRITERIA:
        items = find(data, path) or []
        kept = []
        for index, item in enumerate(items):
            as_dict = item if isinstance(item, dict) else item.model_dump()
            text = as_dict.get("text", "")
            hint = as_dict.get("span")
            hint_span = Span.model_validate(hint) if isinstance(hint, dict) else hint
            span = finder.locate(text, hint_span)
            if span is None:
                removed.append({"path": f"{path}[{index}]", "value": text, "reason": "not found in the source text"})
                continue
            as_dict["span"] = span
            kept.append(as_dict)
        _replace(data, path, kept)
