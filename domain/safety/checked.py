"""The outcome of a passed safety check, handed on to the access policy and the database."""

from dataclasses import dataclass, field

from sqlglot import exp

from domain.safety.input_bounds import InputBounds


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyConfig:
    """What the operator allows beyond the built-in read-only rules."""

    allowed_statements: frozenset[str] = frozenset({"SELECT"})
    extra_allowed_functions: frozenset[str] = frozenset()
    allow_system_catalogs: bool = False
    input_bounds: InputBounds = field(default_factory=InputBounds)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckedSql:
    """A statement that passed the safety policy: its text and its parsed tree."""

    sql: str
    tree: exp.Expression
    kind: str = "SELECT"
