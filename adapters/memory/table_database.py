"""A database that answers from a table of prepared results: for tests and embedders."""

from collections.abc import Mapping, Sequence

from domain.errors import PgMcpError
from domain.models import Parameter, QueryPlan, QueryResult, SchemaSnapshot
from domain.ports import Clock, Database

Outcome = QueryResult | PgMcpError


class TableDatabase(Database):
    """Answers each SQL text with its prepared result or error; records what was run and bound."""

    def __init__(
        self,
        *,
        name: str,
        snapshot: SchemaSnapshot,
        clock: Clock,
        results: Mapping[str, Outcome] | None = None,
    ) -> None:
        self._name = name
        self._snapshot = snapshot
        self._clock = clock
        self._results = dict(results or {})
        self.executed: list[str] = []
        self.bound: list[tuple[Parameter, ...]] = []
        self.introspections = 0

    @property
    def name(self) -> str:
        """The database's name."""
        return self._name

    async def fetch(
        self,
        sql: str,
        *,
        max_rows: int,
        timeout: float,
        parameters: Sequence[Parameter] = (),
    ) -> QueryResult:
        """The prepared outcome of `sql`, cut to max_rows."""
        self.executed.append(sql)
        self.bound.append(tuple(parameters))
        outcome = self._outcome(sql)
        rows = outcome.rows[:max_rows]
        truncated = outcome.truncated or len(outcome.rows) > max_rows
        return QueryResult(columns=outcome.columns, rows=rows, truncated=truncated)

    async def explain(
        self, sql: str, *, timeout: float, parameters: Sequence[Parameter] = ()
    ) -> QueryPlan:
        """A plan whose row estimate is the prepared result's size."""
        self.executed.append(f"EXPLAIN {sql}")
        self.bound.append(tuple(parameters))
        outcome = self._outcome(sql)
        return QueryPlan(total_cost=1.0, plan_rows=outcome.row_count, text="Result")

    def change_schema(self, snapshot: SchemaSnapshot) -> None:
        """What the next introspection reads: a table created, a view dropped."""
        self._snapshot = snapshot

    async def introspect(self) -> SchemaSnapshot:
        """The given snapshot, stamped with the clock's time."""
        self.introspections += 1
        return SchemaSnapshot(
            database=self._name,
            tables=self._snapshot.tables,
            enums=self._snapshot.enums,
            loaded_at=self._clock.now(),
        )

    def _outcome(self, sql: str) -> QueryResult:
        # The server runs names qualified ("public".orders); results are keyed as people write.
        outcome = self._results.get(sql) or self._results.get(sql.replace('"public".', ""))
        if outcome is None:
            raise KeyError(f"no prepared result for {sql!r}")
        if isinstance(outcome, PgMcpError):
            raise outcome
        return outcome
