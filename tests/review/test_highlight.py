"""Source text cut into segments: marks over evidence (overlapping too), anchors for fields."""

from __future__ import annotations

from extract.review.highlight import Mark, segments


def _plain(parts: list) -> list[tuple[str, str | None, list[str]]]:
    return [(s.text, s.severity, s.anchors) for s in parts]


def test_overlapping_marks_take_the_most_severe() -> None:
    text = "0123456789"
    marks = [Mark("a", 2, 6, "warning", "r1"), Mark("b", 4, 8, "error", "r2")]
    assert _plain(segments(text, marks, {"src-x": 0})) == [
        ("01", None, ["src-x"]),
        ("23", "warning", ["a"]),
        ("45", "error", ["b"]),
        ("67", "error", []),
        ("89", None, []),
    ]
    middle = segments(text, marks, {})[2]
    assert middle.titles == ["r1", "r2"]
    assert "".join(s.text for s in segments(text, marks, {})) == text


def test_spans_outside_the_text_are_ignored_and_end_anchors_kept() -> None:
    text = "abc"
    parts = segments(text, [Mark("bad", 2, 9, "error", "r"), Mark("neg", 5, 1, "error", "r")], {"end": 3, "far": 10})
    assert _plain(parts) == [("abc", None, []), ("", None, ["end"])]


def test_empty_span_is_an_anchor_only() -> None:
    parts = segments("abcd", [Mark("e", 2, 2, "info", "r")], {})
    assert _plain(parts) == [("ab", None, []), ("cd", None, ["e"])]
