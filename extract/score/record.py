"""One gold record against one predicted record: counts per field and the diffs behind them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from extract.model import TrialRecord
from extract.score.fields import FIELDS, FieldSpec, get
from extract.score.matching import exact_similarity, match_lists
from extract.score.metrics import Counts
from extract.score.text import is_empty, normalise_exact, similarity

DEFAULT_TEXT_THRESHOLD = 0.9

Status = Literal["ok", "wrong", "missing", "invented"]


class Diff(BaseModel):
    """One compared value: where, how it came out, gold and predicted (None where absent)."""

    model_config = ConfigDict(extra="forbid")

    field: str  # the scored field name ("arms[].type")
    path: str  # the concrete place ("arms[1].type"; list items: "arms[1]" gold index, or "arms[+0]" invented)
    status: Status
    gold: Any = None
    predicted: Any = None
    similarity: float | None = None


class RecordScore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: dict[str, Counts] = Field(default_factory=dict)
    diffs: list[Diff] = Field(default_factory=list)

    def count(self, name: str, status: Status, n: int = 1) -> None:
        counts = self.fields.setdefault(name, Counts())
        key = "tp" if status == "ok" else status
        setattr(counts, key, getattr(counts, key) + n)


def _dump(record: TrialRecord | None) -> dict[str, Any] | None:
    return None if record is None else record.model_dump(mode="json")


def score_record(
    gold: TrialRecord, predicted: TrialRecord | None, threshold: float = DEFAULT_TEXT_THRESHOLD
) -> RecordScore:
    """Compare every scored field. A failed extraction (None) makes every gold value missing."""
    score = RecordScore()
    gold_data = _dump(gold) or {}
    pred_data = _dump(predicted) or {}
    for spec in FIELDS:
        _compare(score, spec, spec.name, get(gold_data, spec.where), get(pred_data, spec.where), threshold)
    return score


def _compare(score: RecordScore, spec: FieldSpec, path: str, gold: Any, pred: Any, threshold: float) -> None:
    if spec.kind == "list":
        _compare_list(score, spec, path, gold or [], pred or [], threshold)
        return
    if is_empty(gold) and is_empty(pred):
        return
    if is_empty(pred):
        score.count(spec.name, "missing")
        score.diffs.append(Diff(field=spec.name, path=path, status="missing", gold=gold))
        return
    if is_empty(gold):
        score.count(spec.name, "invented")
        score.diffs.append(Diff(field=spec.name, path=path, status="invented", predicted=pred))
        return
    if spec.kind == "text":
        sim = round(similarity(str(gold), str(pred)), 4)
        status: Status = "ok" if sim >= threshold else "wrong"
    else:
        sim = None
        status = "ok" if normalise_exact(gold) == normalise_exact(pred) else "wrong"
    score.count(spec.name, status)
    score.diffs.append(Diff(field=spec.name, path=path, status=status, gold=gold, predicted=pred, similarity=sim))


def _compare_list(
    score: RecordScore, spec: FieldSpec, path: str, gold: list[Any], pred: list[Any], threshold: float
) -> None:
    if spec.item == "exact":
        found = match_lists(
            [normalise_exact(g) for g in gold], [normalise_exact(p) for p in pred], exact_similarity, 1.0
        )
    elif spec.item == "text":
        found = match_lists([str(g) for g in gold], [str(p) for p in pred], similarity, threshold)
    else:
        key = spec.key or str
        tie = spec.tie_break
        found = match_lists(
            gold,
            pred,
            lambda g, p: similarity(key(g), key(p)),
            threshold,
            tie_break=(lambda g, p: similarity(tie(g), tie(p))) if tie else None,
        )
    for g_index, p_index, sim in found.pairs:
        score.count(spec.name, "ok")
        score.diffs.append(
            Diff(
                field=spec.name,
                path=f"{path}[{g_index}]",
                status="ok",
                gold=_shown(gold[g_index]),
                predicted=_shown(pred[p_index]),
                similarity=sim,
            )
        )
        for sub in spec.subs:
            _compare(
                score,
                sub,
                f"{path}[{g_index}].{sub.where}",
                get(gold[g_index], sub.where),
                get(pred[p_index], sub.where),
                threshold,
            )
    for g_index in found.missing:
        score.count(spec.name, "missing")
        score.diffs.append(
            Diff(field=spec.name, path=f"{path}[{g_index}]", status="missing", gold=_shown(gold[g_index]))
        )
    for n, p_index in enumerate(found.invented):
        score.count(spec.name, "invented")
        score.diffs.append(
            Diff(field=spec.name, path=f"{path}[+{n}]", status="invented", predicted=_shown(pred[p_index]))
        )


def _shown(item: Any) -> Any:
    """A list item as the report shows it: without its span."""
    if isinstance(item, dict):
        return {k: v for k, v in item.items() if k != "span"}
    return item
