"""Why a rule refused a statement."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """A refusal: the rule's name and a message naming the offending part."""

    rule: str
    message: str
