"""Counts and the precision / recall / F1 they give, as pydantic models.

One comparison outcome is one of: tp (gold value found), wrong (a scalar filled in both but
different: counted as a false positive and a false negative), missing (gold filled, prediction
empty: false negative), invented (gold empty, prediction filled: false positive). Missing and
invented are kept apart because they call for different fixes.

F1 = 2·TP / (2·TP + FP + FN): defined whenever there is anything to count, and equal to the
harmonic mean of precision and recall whenever both are defined.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, computed_field


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


class _Rates(BaseModel):
    """Precision, recall and F1 from a subclass's `tp`, `fp` and `fn` (fields in one, properties in the other)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


class Counts(_Rates):
    model_config = ConfigDict(extra="forbid")

    tp: int = 0
    wrong: int = 0
    missing: int = 0
    invented: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            tp=self.tp + other.tp,
            wrong=self.wrong + other.wrong,
            missing=self.missing + other.missing,
            invented=self.invented + other.invented,
        )

    @property
    def fp(self) -> int:
        return self.wrong + self.invented

    @property
    def fn(self) -> int:
        return self.wrong + self.missing

    @computed_field  # type: ignore[prop-decorator]
    @property
    def support(self) -> int:
        """Gold values: what recall is out of."""
        return self.tp + self.fn

    @property
    def empty(self) -> bool:
        return self.tp + self.fp + self.fn == 0


def total(counts: list[Counts]) -> Counts:
    out = Counts()
    for c in counts:
        out = out + c
    return out


def mean(values: list[float | None]) -> float | None:
    """Mean of the defined values (macro averages skip fields / records with nothing to count)."""
    defined = [v for v in values if v is not None]
    return round(sum(defined) / len(defined), 4) if defined else None


class CheckCounts(_Rates):
    """Checker outcomes for one rule: tp (a must-raise found), fp (a must-not-raise fired), fn (a must-raise
    not found), tn (a must-not-raise that stayed silent: not in P/R/F1, shown so silence is visible as judged)."""

    model_config = ConfigDict(extra="forbid")

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def __add__(self, other: CheckCounts) -> CheckCounts:
        return CheckCounts(tp=self.tp + other.tp, fp=self.fp + other.fp, fn=self.fn + other.fn, tn=self.tn + other.tn)
