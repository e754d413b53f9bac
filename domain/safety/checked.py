"""The outcome of a passed safety check, handed on to the access policy and the database."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlglot import exp

from domain.models import Parameter
from domain.safety.input_bounds import InputBounds
from domain.safety.pg_names import NameRef, PgNames


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyConfig:
    """What the operator allows beyond the built-in read-only rules."""

    allowed_statements: frozenset[str] = frozenset({"SELECT"})
    extra_allowed_functions: frozenset[str] = frozenset()
    allow_system_catalogs: bool = False
    input_bounds: InputBounds = field(default_factory=InputBounds)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckedSql:
    """A statement that passed the safety policy: its text, sqlglot's tree, PostgreSQL's names.

    relations maps where each relation reference starts in the text sqlglot read to
    PostgreSQL's reading of it. runnable is the text to execute, every relation name
    schema-qualified, once the access policy has resolved them (else None: run `sql`).
    placeholders: the `$n` PostgreSQL reads, in text order; arguments: the value of each `$n`.
    """

    sql: str
    tree: exp.Expression
    kind: str = "SELECT"
    names: PgNames = field(default_factory=PgNames)
    relations: Mapping[int, NameRef] = field(default_factory=dict)
    runnable: str | None = None
    placeholders: tuple[int, ...] = ()
    arguments: tuple[Parameter, ...] = ()

    @property
    def to_run(self) -> str:
        """The text the database executes: names qualified when resolved, else as checked."""
        return self.runnable or self.sql
