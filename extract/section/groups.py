"""Arms (study groups) and interventions on registry pages.

Two conventions cover the registries seen so far, and both are read by code:
- ClinicalTrials.gov's "Type: Label" lines ("Experimental: QL1206", "Drug: Xgeva"), arms and
  their interventions sharing one table row;
- heading blocks with a type line ("Group Type EXPERIMENTAL", "Intervention Type DRUG") under a
  "Study Groups" / "Interventions" heading; a block's heading is its last short line before
  (or right above) the type line, and its description the long lines around it.
Headings with no type line at all are returned as `untyped` for the model to classify.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.section.lines import Line, Located, locate_within

ARM_TYPE_WORDS = r"Experimental|Active Comparator|Placebo Comparator|Sham Comparator|No Intervention|Other"
INTERVENTION_TYPE_WORDS = (
    r"Drug|Device|Biological|Biologic|Procedure|Radiation|Behavioral|Genetic|Dietary Supplement|"
    r"Combination Product|Diagnostic Test|Other"
)
# "Experimental: Label" / "- Drug: Name" (a list bullet or a table pipe may lead)
ARM_LINE = re.compile(rf"^(?:\||[-*•]\s)?\s*(?P<type>{ARM_TYPE_WORDS})\s*:\s*(?P<label>.+?)\s*\|?\s*$")
INTERVENTION_LINE = re.compile(rf"^(?:\||[-*•]\s)?\s*(?P<type>{INTERVENTION_TYPE_WORDS})\s*:\s*(?P<name>.+?)\s*\|?\s*$")
_ARM_INTERVENTIONS = re.compile(r"^Interventions?\s*:\s*(?P<refs>.+)$", re.IGNORECASE)
_OTHER_NAME = re.compile(r"^Other Names?\s*:\s*(?P<names>.*?)\s*\|?\s*$", re.IGNORECASE)
_GROUP_TYPE = re.compile(r"^(?:Group|Arm)\s+Type\s*:?\s*(?P<type>[A-Za-z_ ]+?)\s*$", re.IGNORECASE)
_INTERVENTION_TYPE = re.compile(r"^Intervention\s+Type\s*:?\s*(?P<type>[A-Za-z_ ]+?)\s*$", re.IGNORECASE)


@dataclass
class InterventionBlock:
    name: Located
    stated_type: Located | None  # the type the page states ("Drug"), where it stands
    description: list[Located] = field(default_factory=list)
    other_names: list[Located] = field(default_factory=list)


@dataclass
class ArmBlock:
    label: Located
    stated_type: Located | None  # the type the page states ("Drug"), where it stands
    description: list[Located] = field(default_factory=list)
    interventions: list[InterventionBlock] = field(default_factory=list)


@dataclass
class Groups:
    arms: list[ArmBlock] = field(default_factory=list)
    interventions: list[InterventionBlock] = field(default_factory=list)  # from an "Interventions" section
    untyped: list[Located] = field(default_factory=list)


def _stated(line: Line, text: str, value: str | None) -> Located | None:
    """A type stated on `line` (a part of its text), where it stands; None when none is stated."""
    return locate_within(line, value, text) if value else None


def is_heading_like(line: Line) -> bool:
    """Short, title-like: no sentence end, few words."""
    words = line.text.split()
    return 0 < len(words) <= 12 and not line.text.endswith((".", ";", ":")) and len(line.text) <= 100


def parse_type_label_rows(lines: list[Line], text: str) -> list[ArmBlock]:
    """ClinicalTrials.gov table rows: "Experimental: X" / description / "|" / "Drug: Y" / ..."""
    arms: list[ArmBlock] = []
    current_arm: ArmBlock | None = None
    current_int: InterventionBlock | None = None
    in_intervention_cell = False
    for line in lines:
        if line.blank:
            continue
        if line.text == "|":
            in_intervention_cell = True
            current_int = None
            continue
        arm_match = ARM_LINE.match(line.text)
        int_match = INTERVENTION_LINE.match(line.text)
        other_match = _OTHER_NAME.match(line.text)
        if other_match and current_int is not None:
            for name in re.split(r"\s*;\s*", other_match["names"]):
                if name:
                    current_int.other_names.append(locate_within(line, name, text))
            continue
        refs = _ARM_INTERVENTIONS.match(line.text)
        if refs and current_arm is not None:  # "Interventions: Drug: A; Device: B" under an arm
            for ref in re.split(r"\s*;\s*", refs["refs"]):
                ref_match = INTERVENTION_LINE.match(ref)
                if ref_match:
                    current_arm.interventions.append(
                        InterventionBlock(
                            name=locate_within(line, ref_match["name"], text),
                            stated_type=_stated(line, text, ref_match["type"]),
                        )
                    )
            continue
        if arm_match and not (in_intervention_cell and int_match):
            current_arm = ArmBlock(
                label=locate_within(line, arm_match["label"], text),
                stated_type=_stated(line, text, arm_match["type"]),
            )
            arms.append(current_arm)
            current_int, in_intervention_cell = None, False
            continue
        if int_match and current_arm is not None:
            current_int = InterventionBlock(
                name=locate_within(line, int_match["name"], text),
                stated_type=_stated(line, text, int_match["type"]),
            )
            current_arm.interventions.append(current_int)
            in_intervention_cell = True
            continue
        body = line.text.rstrip("|").strip()
        if not body:
            continue
        target = (
            current_int.description if current_int is not None else (current_arm.description if current_arm else None)
        )
        if target is not None:
            target.append(locate_within(line, body, text))
    return arms


def parse_type_label_list(lines: list[Line], text: str) -> list[InterventionBlock]:
    """An interventions list: "- Drug: Name" items, each followed by its description lines."""
    blocks: list[InterventionBlock] = []
    for line in lines:
        if line.blank:
            continue
        match = INTERVENTION_LINE.match(line.text)
        other = _OTHER_NAME.match(line.text)
        if match:
            blocks.append(
                InterventionBlock(
                    name=locate_within(line, match["name"], text),
                    stated_type=_stated(line, text, match["type"]),
                )
            )
        elif other and blocks:
            for name in re.split(r"\s*;\s*", other["names"]):
                if name:
                    blocks[-1].other_names.append(locate_within(line, name, text))
        elif blocks:
            blocks[-1].description.append(Located(line.text, line.start, line.end))
    return blocks


def parse_type_line_blocks(
    lines: list[Line], text: str
) -> tuple[list[ArmBlock], list[InterventionBlock], list[Located]]:
    """Heading blocks closed by "Group Type X" / "Intervention Type X" lines.

    Returns arms (with the interventions listed under them), free interventions (blocks that
    follow no arm, as in an "Interventions" section), and headings with no type line.
    """
    arms: list[ArmBlock] = []
    free: list[InterventionBlock] = []
    pending: list[Line] = []  # lines since the last type line
    last_block: ArmBlock | InterventionBlock | None = None
    in_arm: ArmBlock | None = None

    def take_heading() -> tuple[Line | None, list[Line], list[Line]]:
        """Split pending into (lines before heading, heading, lines after heading)."""
        heading_pos = next((i for i in range(len(pending) - 1, -1, -1) if is_heading_like(pending[i])), None)
        if heading_pos is None:
            return None, pending[:], []
        return pending[heading_pos], pending[:heading_pos], pending[heading_pos + 1 :]

    for line in lines:
        if line.blank:
            continue
        group = _GROUP_TYPE.match(line.text)
        kind = _INTERVENTION_TYPE.match(line.text)
        if not group and not kind:
            pending.append(line)
            continue
        heading, before, after = take_heading()
        if last_block is not None:
            last_block.description.extend(Located(b.text, b.start, b.end) for b in before)
        pending = []
        if heading is None:
            continue
        label = Located(heading.text, heading.start, heading.end)
        described = [Located(a.text, a.start, a.end) for a in after]
        if group:
            arm = ArmBlock(
                label=label,
                stated_type=_stated(line, text, group["type"].strip()),
                description=described,
            )
            arms.append(arm)
            in_arm, last_block = arm, arm
        else:
            intervention = InterventionBlock(
                name=label,
                stated_type=_stated(line, text, kind["type"].strip()) if kind else None,
            )
            intervention.description.extend(described)
            (in_arm.interventions if in_arm is not None else free).append(intervention)
            last_block = intervention
    untyped: list[Located] = []
    if last_block is not None:
        last_block.description.extend(Located(p.text, p.start, p.end) for p in pending)
    else:
        untyped = [Located(p.text, p.start, p.end) for p in pending if is_heading_like(p)]
    return arms, free, untyped
