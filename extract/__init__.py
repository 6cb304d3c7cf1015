"""trialqa: clinical-trial records -> validated records, cross-checked, evaluated.

Stages, in the order data flows (no stage imports a later one):
load -> section -> structured | llm -> ground -> (model validates) -> check -> score / report / review.
"""

__version__ = "0.1.0"
