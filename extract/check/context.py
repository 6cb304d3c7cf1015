"""What a rule sees: the record, its source text when there is one, and derived views computed once.

Derived views (arm -> interventions, normalised names, the text criterion spans index) are
`cached_property`s, so a rule that does not need them costs nothing and rules that share them
compute them once per record.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from extract.check.finding import Evidence
from extract.check.text import first_clause, norm, sentences, strip_type_prefix
from extract.model import CriterionItem, Outcome, Span, TrialRecord


@dataclass(eq=False)
class Context:
    record: TrialRecord
    source_text: str | None = None
    record_id: str | None = None  # shown when the record has no NCT id (e.g. the input's name)

    @property
    def nct_id(self) -> str | None:
        return self.record.nct_id or self.record_id

    @cached_property
    def span_text(self) -> str | None:
        """The text criterion spans index: the page text for page inputs, else the criteria text."""
        return self.source_text if self.source_text is not None else self.record.eligibility.criteria_text

    # --- evidence -------------------------------------------------------------------------

    def field(self, path: str, text: str | None, span: Span | None = None, *, span_path: str | None = None) -> Evidence:
        """Evidence for a record field; its span comes from `record.spans` (at `span_path`, default
        `path`) when not given."""
        if span is None:
            span = self.record.spans.get(span_path or path)
        return Evidence(path=path, text=text or "", span=span)

    def arm(self, index: int) -> Evidence:
        """Evidence for arms[index]: its label and type; the span is the label's."""
        arm = self.record.arms[index]
        shown = f"{arm.label} ({arm.type.value})" if arm.type else arm.label
        return self.field(f"arms[{index}]", shown, span_path=f"arms[{index}].label")

    def intervention(self, index: int) -> Evidence:
        """Evidence for interventions[index]: its name; the span is the name's."""
        intervention = self.record.interventions[index]
        return self.field(f"interventions[{index}]", intervention.name, span_path=f"interventions[{index}].name")

    def item(self, kind: str, index: int) -> Evidence:
        """Evidence for eligibility.<kind>[index] (kind: inclusion | exclusion)."""
        item: CriterionItem = getattr(self.record.eligibility, kind)[index]
        shown = f"{item.label} {item.text}" if item.label else item.text
        return Evidence(path=f"eligibility.{kind}[{index}]", text=shown, span=item.span)

    def excerpt(self, path: str, value: str, start: int, end: int) -> Evidence:
        """Evidence for value[start:end], a part of a longer field. Its span is only given when the
        field's span covers exactly the field's value in the source text, so the offset is exact."""
        span = None
        whole = self.record.spans.get(path)
        if whole is not None and self.source_text is not None and self.source_text[whole.start : whole.end] == value:
            span = Span(start=whole.start + start, end=whole.start + end)
        return Evidence(path=path, text=" ".join(value[start:end].split()), span=span)

    # --- cheap shared views of the text -----------------------------------------------------

    @cached_property
    def titles_lower(self) -> str:
        """Both titles, lower case, one per line (for quick "is the word there at all" tests)."""
        return f"{self.record.official_title or ''}\n{self.record.brief_title or ''}".lower()

    def lower(self, path: str) -> str:
        """A top-level text field (brief_summary, detailed_description, ...) in lower case, cached."""
        cache = self.__dict__.setdefault("_lower", {})
        value = cache.get(path)
        if value is None:
            value = cache[path] = (getattr(self.record, path) or "").lower()
        return value

    def sentences(self, path: str) -> list[tuple[int, str]]:
        """(offset, sentence) pairs of a top-level text field, cached."""
        cache = self.__dict__.setdefault("_sentences", {})
        value = cache.get(path)
        if value is None:
            value = cache[path] = sentences(getattr(self.record, path) or "")
        return value

    def clauses(self, kind: str) -> list[tuple[int, CriterionItem, str, str]]:
        """(index, item, first clause, first clause lower-cased) of each top-level `kind` item, cached."""
        cache = self.__dict__.setdefault("_clauses", {})
        value = cache.get(kind)
        if value is None:
            value = cache[kind] = [
                (index, item, clause, clause.lower())
                for index, item in enumerate(getattr(self.record.eligibility, kind))
                if item.level == 0
                for clause in (first_clause(item.text),)
            ]
        return value

    def clauses_lower(self, kind: str) -> str:
        """Every top-level `kind` clause, lower-cased, one per line: to test whether a word occurs at all."""
        cache = self.__dict__.setdefault("_clauses_lower", {})
        value = cache.get(kind)
        if value is None:
            value = cache[kind] = "\n".join(c[3] for c in self.clauses(kind))
        return value

    def clauses_with(self, kind: str, words: tuple[str, ...] | list[str]) -> list[int]:
        """Positions (in `clauses(kind)`) of the clauses holding any of `words` (lower case, no newline),
        found by scanning the joined text once per word instead of testing every clause."""
        everything = self.clauses_lower(kind)
        starts = self.__dict__.setdefault("_clause_starts", {}).get(kind)
        if starts is None:
            starts, at = [], 0
            for clause in self.clauses(kind):
                starts.append(at)
                at += len(clause[3]) + 1
            self.__dict__["_clause_starts"][kind] = starts
        found: set[int] = set()
        for word in words:  # words hold no newline: a hit lies in one clause, and the next is looked for after it
            at = everything.find(word)
            while at != -1:
                position = bisect_right(starts, at) - 1
                found.add(position)
                if position + 1 == len(starts):
                    break
                at = everything.find(word, starts[position + 1])
        return sorted(found)

    # --- outcomes ---------------------------------------------------------------------------

    @cached_property
    def outcomes(self) -> list[tuple[str, Outcome]]:
        """(path, outcome) of every primary, secondary and other outcome, in that order."""
        outcomes = self.record.outcomes
        return [
            (f"outcomes.{group}[{index}]", outcome)
            for group, listed in (
                ("primary", outcomes.primary),
                ("secondary", outcomes.secondary),
                ("other", outcomes.other),
            )
            for index, outcome in enumerate(listed)
        ]

    # --- arms and interventions -------------------------------------------------------------

    @cached_property
    def intervention_keys(self) -> list[str]:
        """For each intervention, the normalised name arms refer to it by."""
        return [norm(intervention.name) for intervention in self.record.interventions]

    @cached_property
    def arm_keys(self) -> list[str]:
        return [norm(arm.label) for arm in self.record.arms]

    @cached_property
    def arm_interventions(self) -> list[list[int]]:
        """For each arm, the indices of the interventions it receives, by either cross-reference
        (the arm's "Type: Name" list, or the intervention's arm labels), in intervention order.
        Names are matched as written first, and normalised (case, punctuation) only when that fails."""
        record = self.record
        if not record.arms:
            return []
        by_name = _positions(intervention.name for intervention in record.interventions)
        by_label = _positions(arm.label for arm in record.arms)
        found: list[set[int]] = [set() for _ in record.arms]
        for arm_index, arm in enumerate(record.arms):
            for position, name in enumerate(arm.intervention_names):
                exact = by_name.get(strip_type_prefix(name)) or by_name.get(name)
                if exact:
                    found[arm_index].update(exact)
                    continue
                bare, whole = self.arm_reference_keys[arm_index][position]
                found[arm_index].update(self._by_name_key.get(bare, ()))
                found[arm_index].update(self._by_name_key.get(whole, ()))
        for index, intervention in enumerate(record.interventions):
            for position, label in enumerate(intervention.arm_labels):
                arms = by_label.get(label)
                if arms is None:
                    arms = self._by_label_key.get(self.intervention_label_keys[index][position], [])
                for arm_index in arms:
                    found[arm_index].add(index)
        return [sorted(given) for given in found]

    @cached_property
    def _by_name_key(self) -> dict[str, list[int]]:
        return _positions(self.intervention_keys)

    @cached_property
    def _by_label_key(self) -> dict[str, list[int]]:
        return _positions(self.arm_keys)

    @cached_property
    def arm_reference_keys(self) -> list[list[tuple[str, str]]]:
        """For each arm, each "Type: Name" reference normalised without and with its type prefix."""
        return [
            [(norm(strip_type_prefix(name)), norm(name)) for name in arm.intervention_names] for arm in self.record.arms
        ]

    @cached_property
    def intervention_label_keys(self) -> list[list[str]]:
        """For each intervention, its arm labels normalised."""
        return [[norm(label) for label in intervention.arm_labels] for intervention in self.record.interventions]


def _positions(keys: Iterable[str]) -> dict[str, list[int]]:
    """Each key -> the positions it stands at, in order (names and labels may repeat)."""
    positions: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        positions.setdefault(key, []).append(index)
    return positions
