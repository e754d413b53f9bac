"""Why a rule refused a statement."""

from dataclasses import dataclass

from domain.refusal_rules import RefusalRule


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """A refusal: the rule's name and a message naming the offending part."""

    rule: RefusalRule
    message: str
