"""The database a question goes to, with what routing knew of it and of the other candidates."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from application.routing.routing import Routing
from application.schema.name_hints import missing_relation
from application.schema.prepared import PreparedSchema
from application.values.value_index import ValueIndex
from domain.errors import PgMcpError, SqlExecutionFailed
from domain.models import SchemaSnapshot
from domain.ports import Database

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Prepared:
    """A candidate ready for routing: its database, prepared schema and value index."""

    database: Database
    schema: PreparedSchema
    values: ValueIndex

    @property
    def visible(self) -> SchemaSnapshot:
        """What clients may see of the candidate's schema."""
        return self.schema.visible


@dataclass(frozen=True, slots=True, kw_only=True)
class Chosen:
    """The database a question goes to, its schema, why, and the other ready candidates."""

    database: Database
    schema: PreparedSchema
    routing: Routing
    others: tuple[Prepared, ...] = field(default=())

    def elsewhere(self, error: PgMcpError) -> "Chosen | None":
        """Another candidate holding the relation this one lacks (42P01), routed only."""
        if not isinstance(error, SqlExecutionFailed) or error.sqlstate != "42P01":
            return None
        name = missing_relation(error.message)
        if name is None:
            return None
        for other in self.others:
            if other.visible.find_table(name) is not None:
                note = f"relation {name!r} is not in {self.database.name!r}"
                routing = replace(self.routing, reason="fallback", note=note)
                return Chosen(database=other.database, schema=other.schema, routing=routing)
        return None

    def facts(self) -> dict[str, object]:
        """The database used and, when routed, how it was chosen: for an error reply."""
        routing = self.routing.reply()
        found: dict[str, object] = {"database": self.database.name}
        return found if routing is None else found | {"routing": routing}


async def with_fallback(chosen: Chosen, work: Callable[[Chosen], Awaitable[T]]) -> T:
    """`work` on the chosen database, else on the one holding a relation the first lacks.

    Raises:
        PgMcpError: what `work` raised, telling which database and, when routed, why.
    """
    try:
        return await work(chosen)
    except PgMcpError as error:
        fallback = chosen.elsewhere(error)
        if fallback is None:
            raise error.about(**chosen.facts()) from None
    try:
        return await work(fallback)
    except PgMcpError as error:
        raise error.about(**fallback.facts()) from None
