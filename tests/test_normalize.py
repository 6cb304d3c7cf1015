"""Human spellings of registry values map to ClinicalTrials.gov v2 enum values, in one table."""

from __future__ import annotations

from enum import StrEnum

import pytest

from extract.errors import MappingError
from extract.model.vocab import Allocation, DateType, InterventionType, Masking, OverallStatus
from extract.normalize import to_enum


@pytest.mark.parametrize(
    ("enum", "text", "expected"),
    [
        (InterventionType, "Biologic", InterventionType.BIOLOGICAL),
        (InterventionType, "Biological", InterventionType.BIOLOGICAL),
        (InterventionType, "Dietary Supplement", InterventionType.DIETARY_SUPPLEMENT),
        (Allocation, "Randomised", Allocation.RANDOMIZED),
        (DateType, "Anticipated", DateType.ESTIMATED),
        (Masking, "None (Open Label)", Masking.NONE),
        (OverallStatus, "Active, not recruiting", OverallStatus.ACTIVE_NOT_RECRUITING),
    ],
)
def test_spellings_map_to_v2_values(enum: type[StrEnum], text: str, expected: StrEnum) -> None:
    assert to_enum(enum, text, "field") is expected


def test_absent_values_are_none_and_unknown_ones_name_the_field() -> None:
    assert to_enum(InterventionType, "N/A", "interventions.type") is None
    assert to_enum(InterventionType, "  ", "interventions.type") is None
    with pytest.raises(MappingError, match=r"interventions\.type: 'Herbal' is not a known value"):
        to_enum(InterventionType, "Herbal", "interventions.type")
