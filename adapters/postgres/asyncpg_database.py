"""The Database port on asyncpg: every statement read-only, time-boxed, on the extended protocol."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from enum import Enum
from typing import Literal, TypeAlias, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from adapters.postgres.caller_session import apply_caller
from adapters.postgres.capped_select import (
    can_stand_as_subquery,
    capped_select,
    prepare_capped,
    prepare_kept,
    read_capped,
)
from adapters.postgres.defaults import (
    DEFAULT_MAX_RESULT_BYTES,
    DEFAULT_TEMP_FILE_LIMIT_KB,
    DEFAULT_WORK_MEM_KB,
)
from adapters.postgres.errors import translate_asyncpg_errors
from adapters.postgres.introspection import load_snapshot
from adapters.postgres.parameter_values import bind_values, guarded
from adapters.postgres.plans import plan_of, read_plan
from adapters.postgres.pool import CONNECTION_FAILURES, call_connection, end_transaction
from adapters.postgres.rendering import Converter, column_converter, column_info, render_rows
from adapters.postgres.result_budget import ResultBudget
from adapters.postgres.result_shapes import ResultShapes, Shape
from adapters.postgres.session_limits import probe_temp_file_limit
from domain.access.catalog import SEARCH_PATH
from domain.errors import (
    DatabaseUnavailable,
    PgMcpError,
    QueryTimedOut,
    SchemaLoadFailed,
)
from domain.models import Parameter, QueryPlan, QueryResult, SchemaSnapshot
from domain.ports import Clock, Database
from domain.safety.identifiers import quote_identifier
from domain.safety.query_cost import check_query_cost

logger = logging.getLogger(__name__)

T = TypeVar("T")
Connection: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"
Work: TypeAlias = Callable[[Connection], Awaitable[T]]
Isolation: TypeAlias = Literal["read_committed", "repeatable_read"]
Fetched: TypeAlias = "tuple[Shape, ResultBudget]"

# The server's statement_timeout should fire first; the client waits this much longer
# before it cancels by itself, then this long for the cancel to land before it hangs up.
CLIENT_GRACE = 1.0
CANCEL_WAIT = 2.0

# Only pg_catalog (and this session's own temporary schema, last): a function, operator or
# type that another role created in any schema cannot be reached by an unqualified name, not
# even as a better-matching overload of a built-in (CVE-2018-1058). The access policy writes
# every relation name out with its schema. None keeps the server's setting.
DEFAULT_SEARCH_PATH = ("pg_catalog", "pg_temp")
# plan_cache_mode (PostgreSQL 12): older servers plan with the values for the first five runs.
_PLAN_CACHE_MODE_SINCE = 12

# The path the schema snapshot's names resolve on, the access policy's: types and defaults are
# then rendered as a reader writes them.
_READER_PATH = ", ".join(map(quote_identifier, ("pg_catalog", *SEARCH_PATH)))

# NAMEDATALEN - 1: PostgreSQL cuts a longer name short, and the cut name may be another role.
_MAX_IDENTIFIER_BYTES = 63


class AsyncpgDatabase(Database):
    """One PostgreSQL database reached through an asyncpg pool, read-only.

    - role: every transaction runs SET LOCAL ROLE to it (the login role must be a member).
    - max_result_bytes: PostgreSQL omits a larger value and stops sending values once the
      rows pass it (capped_select); fetch() then keeps rows while their JSON fits it.
    - max_query_cost: fetch() refuses a statement whose planner estimate is above it.
    - work_mem_kb, temp_file_limit_kb: SET LOCAL in every transaction; temp_file_limit only
      when the login role may set it (checked on first use; otherwise a warning says how).
    """

    def __init__(
        self,
        *,
        name: str,
        pool: asyncpg.Pool[asyncpg.Record],
        clock: Clock,
        search_path: Sequence[str] | None = DEFAULT_SEARCH_PATH,
        acquire_timeout: float = 10.0,
        introspect_timeout: float = 30.0,
        role: str | None = None,
        max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
        max_query_cost: float | None = None,
        work_mem_kb: int = DEFAULT_WORK_MEM_KB,
        temp_file_limit_kb: int = DEFAULT_TEMP_FILE_LIMIT_KB,
    ) -> None:
        self._name = name
        self._pool = pool
        self._clock = clock
        self._search_path = ", ".join(map(quote_identifier, search_path)) if search_path else None
        self._acquire_timeout = acquire_timeout
        self._introspect_timeout = introspect_timeout
        self._set_role = (
            None if role is None else f"SET LOCAL ROLE {quote_identifier(_valid_role(role))}"
        )
        self._max_result_bytes = max_result_bytes
        self._max_query_cost = max_query_cost
        self._work_mem_kb = int(work_mem_kb)
        self._temp_file_limit_kb = int(temp_file_limit_kb)
        self._set_temp_file_limit: bool | None = None  # None until probed on a connection
        self._shapes = ResultShapes()

    @property
    def name(self) -> str:
        """The name clients use to pick this database."""
        return self._name

    async def fetch(
        self,
        sql: str,
        *,
        max_rows: int,
        timeout: float,
        parameters: Sequence[Parameter] = (),
    ) -> QueryResult:
        """Run one statement read-only through a cursor; return at most max_rows rows.

        Raises:
            UnsafeSql: the planner's estimate is above max_query_cost (rule max_query_cost).
            SqlExecutionFailed: the first row alone is larger than max_result_bytes.
            InvalidRequest: a parameter's value does not convert to its placeholder's type.
        """

        async def described(conn: Connection) -> Fetched:
            budget = ResultBudget(max_rows=max_rows, max_bytes=self._max_result_bytes)
            return await self._read_described(conn, sql, budget, parameters), budget

        async def remembered(conn: Connection) -> Fetched | None:
            shape = self._shapes.get(sql)
            if shape is None:
                return await described(conn)
            budget = ResultBudget(max_rows=max_rows, max_bytes=self._max_result_bytes)
            known = await self._read_known(conn, sql, shape, budget, parameters)
            if known is _Known.ABORTED:
                return None
            if known is _Known.CHANGED:
                return await self._read_described(conn, sql, budget, parameters), budget
            return shape, budget

        fetched = await self._run(guarded(remembered, parameters), timeout=timeout)
        if fetched is None:
            # The columns changed since they were described; describe them afresh, once.
            self._shapes.drop(sql)
            fetched = await self._run(guarded(described, parameters), timeout=timeout)
        attributes, budget = fetched
        return QueryResult(
            columns=tuple(column_info(a) for a in attributes),
            rows=tuple(budget.rows),
            truncated=budget.truncated,
        )

    async def _read_known(
        self,
        conn: Connection,
        sql: str,
        shape: Shape,
        budget: ResultBudget,
        parameters: Sequence[Parameter],
    ) -> _Known:
        """Read through the wrapping built for the columns seen before, if they still fit."""
        capped = capped_select(sql, shape, self._max_result_bytes, max_rows=budget.max_rows)
        try:
            statement = await prepare_capped(conn, capped, again=True)
            if not capped.fits(statement):
                return _Known.CHANGED
            # The wrapping keeps the statement's $1..$n; PostgreSQL gives them the same types.
            args = await bind_values(conn, parameters, statement.get_parameters())
            await self._check_cost(conn, sql, args)
            await read_capped(statement, capped, _converters(shape), budget, args)
        except asyncpg.PostgresError as exc:
            if not _schema_moved(exc):
                raise
            # The kept statement is stale on every connection of the pool: forget them all.
            # COMMIT of the aborted transaction rolls it back; the caller runs another.
            await conn.reload_schema_state()
            return _Known.ABORTED
        return _Known.READ

    async def _read_described(
        self, conn: Connection, sql: str, budget: ResultBudget, parameters: Sequence[Parameter]
    ) -> Shape:
        """Describe the statement, then read it through the wrapping built for its columns."""
        # Unnamed: the next Parse replaces it, so it never costs a Close. Until its cursor has
        # run, only asyncpg's named statements are prepared (bind_values, the cost check).
        statement = await conn.prepare(sql, name="")
        args = await bind_values(conn, parameters, statement.get_parameters())
        await self._check_cost(conn, sql, args)
        shape = tuple(statement.get_attributes())
        converters = _converters(shape)
        if shape and can_stand_as_subquery(sql):
            self._shapes.put(sql, shape)
            capped = capped_select(sql, shape, self._max_result_bytes, max_rows=budget.max_rows)
            prepared = await prepare_capped(conn, capped)
            await read_capped(prepared, capped, converters, budget, args)
            return shape
        cursor = await statement.cursor(*args)
        while size := budget.next_batch():
            records = await cursor.fetch(size)
            budget.add(render_rows(records, converters), last=len(records) < size)
        return shape

    async def _check_cost(self, conn: Connection, sql: str, args: Sequence[object]) -> None:
        if self._max_query_cost is not None:
            check_query_cost(await read_plan(conn, sql, args), self._max_query_cost)

    async def explain(
        self, sql: str, *, timeout: float, parameters: Sequence[Parameter] = ()
    ) -> QueryPlan:
        """The planner's estimate for one statement (EXPLAIN without ANALYZE).

        Raises:
            InvalidRequest: a parameter's value does not convert to its placeholder's type.
        """

        async def work(conn: Connection) -> QueryPlan:
            # Prepared, never a simple query: the extended protocol refuses a second statement
            # spliced into sql. Kept prepared only once seen before, like fetch()'s wrapping.
            text = f"EXPLAIN (FORMAT JSON) {sql}"
            if self._shapes.get(text) is not None:
                statement = await prepare_kept(conn, text)
            else:
                statement = await conn.prepare(text, name="")
                self._shapes.put(text, statement.get_attributes())
            args = await bind_values(conn, parameters, statement.get_parameters())
            return plan_of(await statement.fetchval(*args))

        return await self._run(guarded(work, parameters), timeout=timeout)

    async def introspect(self) -> SchemaSnapshot:
        """Read every user table, view and enum from the catalog."""

        async def work(conn: Connection) -> SchemaSnapshot:
            # Types and defaults are rendered as a reader writes them, unqualified in public.
            await conn.execute(f"SET LOCAL search_path = {_READER_PATH}")
            return await load_snapshot(conn, database=self._name, loaded_at=self._clock.now())

        # Columns described under the old schema are no longer trusted, not even as hints.
        self._shapes.clear()
        try:
            # One snapshot for all four catalog queries, so that they agree with each other.
            # Ended before returning: the call that loads a schema reads next, on this connection.
            return await self._run(
                work,
                timeout=self._introspect_timeout,
                isolation="repeatable_read",
                end_now=True,
            )
        except DatabaseUnavailable:
            raise
        except PgMcpError as exc:
            raise SchemaLoadFailed(f"Schema of {self._name!r} not loaded: {exc.message}") from exc

    async def _run(
        self,
        work: Work[T],
        *,
        timeout: float,
        isolation: Isolation = "read_committed",
        end_now: bool = False,
    ) -> T:
        """`work` in a read-only, time-boxed transaction; committed after the reply unless
        `end_now`."""
        with translate_asyncpg_errors(self._name):
            async with call_connection(self._pool, timeout=self._acquire_timeout) as call:
                if self._set_temp_file_limit is None:
                    await self._probe_temp_file_limit(call.conn)
                result = await self._time_boxed(
                    call.conn, work, timeout, isolation, end_now=end_now
                )
                if not end_now:
                    call.end_later()
                return result

    async def _probe_temp_file_limit(self, conn: Connection) -> None:
        """Once per pool: SET LOCAL temp_file_limit only if the role may, else warn once."""
        found = await probe_temp_file_limit(conn)
        advice = found.advice(self._temp_file_limit_kb)
        if advice is not None:
            logger.warning("database %s: %s", self._name, advice)
        self._set_temp_file_limit = found.may_set

    async def _time_boxed(
        self,
        conn: Connection,
        work: Work[T],
        timeout: float,
        isolation: Isolation,
        *,
        end_now: bool,
    ) -> T:
        try:
            async with asyncio.timeout(timeout + CLIENT_GRACE + CANCEL_WAIT):
                try:
                    async with asyncio.timeout(timeout + CLIENT_GRACE):
                        return await self._read_only(conn, work, timeout, isolation, end_now)
                except TimeoutError:
                    # asyncpg sent PostgreSQL a cancel request and the rollback waited for it.
                    raise QueryTimedOut() from None
        except TimeoutError:
            # The server ignored the cancel (hung, partitioned): hang up so that the backend
            # dies at its next read and the pool opens a fresh connection.
            conn.terminate()
            raise QueryTimedOut() from None

    async def _read_only(
        self, conn: Connection, work: Work[T], timeout: float, isolation: Isolation, end_now: bool
    ) -> T:
        custom_plans = conn.get_server_version().major >= _PLAN_CACHE_MODE_SINCE
        await conn.execute(self._begin(timeout, isolation, custom_plans=custom_plans))
        done = False
        try:
            await apply_caller(conn)
            result = await work(conn)
            if end_now:
                await end_transaction(conn, "COMMIT")  # with the session's reset
            # Otherwise the transaction is committed after the reply (call_connection).
            done = True
            return result
        finally:
            if not done:
                await _rollback(conn)

    def _begin(self, timeout: float, isolation: Isolation, *, custom_plans: bool) -> str:
        """BEGIN READ ONLY and every SET LOCAL in one round trip.

        The simple-query protocol runs this script because it is ours alone: whole numbers and
        identifiers quoted at construction. Client SQL never travels this way.
        """
        millis = max(1, round(timeout * 1000))
        idle = max(5000, 2 * millis)  # ends the transaction if this client vanishes mid-way
        level = isolation.replace("_", " ").upper()
        script = [f"BEGIN ISOLATION LEVEL {level} READ ONLY"]
        if self._set_temp_file_limit:
            # Before SET ROLE: the privilege is the login role's, probed outside any SET ROLE.
            script.append(f"SET LOCAL temp_file_limit = {self._temp_file_limit_kb}")
        if self._set_role is not None:
            script.append(self._set_role)
        script += [
            f"SET LOCAL statement_timeout = {millis}",
            f"SET LOCAL lock_timeout = {millis}",
            f"SET LOCAL idle_in_transaction_session_timeout = {idle}",
            f"SET LOCAL work_mem = {self._work_mem_kb}",
        ]
        if custom_plans:
            # Every statement is planned with the values bound to it, even one prepared before:
            # a generic plan guesses `LIMIT $1` as a tenth of the rows and `id > $1` as a
            # third, and the cost limit must judge the plan that runs, not a guess.
            script.append("SET LOCAL plan_cache_mode = force_custom_plan")
        if self._search_path is not None:
            script.append(f"SET LOCAL search_path = {self._search_path}")
        return ";\n".join(script)


class _Known(Enum):
    """How reading through the columns remembered for a statement went."""

    READ = "read"
    CHANGED = "changed"  # other column types now: describe again in the same transaction
    ABORTED = "aborted"  # the wrapping failed to prepare: describe again in a new transaction


def _schema_moved(exc: asyncpg.PostgresError) -> bool:
    """Whether a statement prepared earlier failed because the schema changed under it."""
    # 42xxx: a column dropped or retyped fails the wrapping's analysis; 0A000: a kept
    # statement's result types changed (asyncpg's InvalidCachedStatementError).
    return (exc.sqlstate or "").startswith("42") or isinstance(
        exc, asyncpg.exceptions.InvalidCachedStatementError
    )


def _converters(shape: Shape) -> list[Converter | None]:
    return [column_converter(a.type.name, a.type.schema, a.type.kind) for a in shape]


async def _rollback(conn: Connection) -> None:
    """End the transaction after a failure; a broken connection is left to the pool to drop."""
    if conn.is_closed():
        return
    # The pool's reset then fails too and drops the connection; the call reports what went
    # wrong first.
    with contextlib.suppress(*CONNECTION_FAILURES):
        await end_transaction(conn, "ROLLBACK")


def _valid_role(role: str) -> str:
    if not role or "\x00" in role or len(role.encode()) > _MAX_IDENTIFIER_BYTES:
        raise ValueError(f"role must be a PostgreSQL role name of 1 to 63 bytes, not {role!r}")
    return role
