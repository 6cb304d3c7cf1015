"""Source text cut into segments: marks over evidence (overlapping too), anchors for fields."""

from __future__ import annotations

from extract.highlight import Mark, segments


def _plain(parts: list) -> list[tuple[str, str | None, list[str]]]:
    return [(s.text, s.severity, s.anchors) for s in parts]


def test_overlapping_marks_take_the_most_severe() -> None:
    text = "0123456789"
    marks = [Mark(2, 6, "r1", severity="warning", anchor="a"), Mark(4, 8, "r2", severity="error", anchor="b")]
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
    parts = segments(
        text,
        [Mark(2, 9, "r", severity="error", anchor="bad"), Mark(5, 1, "r", severity="error", anchor="neg")],
        {"end": 3, "far": 10},
    )
    assert _plain(parts) == [("abc", None, []), ("", None, ["end"])]


def test_empty_span_is_an_anchor_only() -> None:
    parts = segments("abcd", [Mark(2, 2, "r", severity="info", anchor="e")], {})
    assert _plain(parts) == [("ab", None, []), ("cd", None, ["e"])]
