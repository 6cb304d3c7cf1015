"""The rule catalogue, one module per family; importing this package registers every rule."""

from extract.check.rules import arms, dates, design, eligibility, interventions, outcomes, status

__all__ = ["arms", "dates", "design", "eligibility", "interventions", "outcomes", "status"]
