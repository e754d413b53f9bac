"""`pg-mcp check`: reach every database and the model once, and print what passed."""

import asyncio
import dataclasses
import importlib
import sys
import time
from collections.abc import Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal, TextIO

import asyncpg

from adapters.llm.openai_chat_model import OpenAIChatModel
from adapters.mcp.text_table import render_table
from adapters.observability.redaction import Redactor, dsn_password
from adapters.postgres.errors import translate_asyncpg_errors
from adapters.postgres.pool import PoolConfig, open_pool
from adapters.postgres.role_check import role_problem_on
from adapters.postgres.session_limits import TempFileLimit, probe_temp_file_limit
from bootstrap import factories
from bootstrap.check_redis import redis_problem
from bootstrap.settings import Settings
from domain.errors import PgMcpError
from domain.models import ChatMessage, Role

Status = Literal["PASS", "WARN", "FAIL"]

EXIT_OK = 0
EXIT_FAILED = 1

_PING = (ChatMessage(role=Role.USER, content="Reply with the word OK."),)

# Run as the login role: whatever it may do, a bug or a bypass in pg-mcp could do too.
_ROLE_SQL = r"""
WITH user_relations AS (
    SELECT c.oid, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
)
SELECT current_user AS role, r.rolsuper, r.rolcreatedb, r.rolcreaterole,
    has_database_privilege(current_database(), 'CREATE')
        OR EXISTS (
            SELECT 1 FROM pg_namespace n
            WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
              AND has_schema_privilege(n.oid, 'CREATE')
        ) AS can_create,
    (SELECT count(*) FROM user_relations) AS relations,
    (SELECT count(*) FROM user_relations
     WHERE relkind IN ('r', 'p')
       AND has_table_privilege(oid, 'INSERT, UPDATE, DELETE, TRUNCATE')) AS writable
FROM pg_roles r WHERE r.rolname = current_user
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """One line of the report."""

    check: str
    status: Status
    detail: str


def _check_redis(found: tuple[bool, str] | None) -> list[CheckResult]:
    if found is None:
        return []
    passed, detail = found
    return [CheckResult(check="redis", status="PASS" if passed else "FAIL", detail=detail)]


async def run_check(settings: Settings, out: TextIO | None = None) -> int:
    """Check the configuration, every database and the model; print a table; 0 if none failed."""
    redact = Redactor(_secrets(settings))
    wanted = settings.query.temp_file_limit
    role = settings.database.db_role
    probes = [_check_database(config, wanted, role) for config in factories.pool_configs(settings)]
    results = [
        _check_configuration(settings),
        *[result for found in await asyncio.gather(*probes) for result in found],
        await _check_model(settings),
        *_check_redis(await redis_problem(settings.shared)),
    ]
    rows = [(r.check, r.status, redact(r.detail)) for r in results]
    print(render_table(["check", "status", "detail"], rows), file=out or sys.stdout)
    return EXIT_FAILED if any(r.status == "FAIL" for r in results) else EXIT_OK


def _secrets(settings: Settings) -> list[str | None]:
    dsns = [entry.dsn.get_secret_value() for entry in settings.database.entries()]
    api_key = settings.openai.api_key
    return [*(dsn_password(dsn) for dsn in dsns), api_key.get_secret_value() if api_key else None]


def _check_configuration(settings: Settings) -> CheckResult:
    names = ", ".join(entry.name for entry in settings.database.entries())
    model = settings.openai.model if settings.openai.configured else "no model"
    return CheckResult(
        check="configuration", status="PASS", detail=f"databases: {names}; model: {model}"
    )


async def _check_database(
    config: PoolConfig, temp_file_limit_kb: int, db_role: str | None
) -> list[CheckResult]:
    name = f"database {config.name}"
    started = time.perf_counter()
    try:
        async with asyncio.timeout(config.acquire_timeout + 5):
            version, role, temp, role_problem = await _probe(config, db_role)
    except PgMcpError as error:
        return [CheckResult(check=name, status="FAIL", detail=f"{error.code}: {error.message}")]
    except Exception as exc:  # the report must finish, and never with a traceback holding a DSN
        return [CheckResult(check=name, status="FAIL", detail=type(exc).__name__)]
    elapsed = _ms(started)
    relations = role["relations"] if role else 0
    reached = CheckResult(
        check=name,
        status="PASS",
        detail=f"PostgreSQL {version}, {relations} tables and views, {elapsed} ms",
    )
    assumed = [] if db_role is None else [_db_role_result(config.name, db_role, role_problem)]
    return [
        reached,
        _role_result(config.name, role),
        *assumed,
        _temp_file_result(config.name, temp, temp_file_limit_kb),
    ]


async def _probe(
    config: PoolConfig, db_role: str | None
) -> tuple[str, asyncpg.Record | None, TempFileLimit, str | None]:
    """Version, the login role's powers, temp_file_limit and PG_MCP_DB_ROLE, over one connection."""
    # pool_min=0: connect once, on acquire, so a failure is reported here and only here.
    single = dataclasses.replace(config, pool_min=0, pool_max=1)
    async with asynccontextmanager(open_pool)(single) as pool:
        with translate_asyncpg_errors(config.name):
            async with pool.acquire() as conn:
                version = await conn.fetchval("SHOW server_version")
                role = await conn.fetchrow(_ROLE_SQL)
                temp = await probe_temp_file_limit(conn)
                problem = None
                if db_role is not None:
                    problem = await role_problem_on(conn, config.name, db_role)
                return str(version), role, temp, problem


def _db_role_result(database: str, db_role: str, problem: str | None) -> CheckResult:
    check = f"PG_MCP_DB_ROLE on {database}"
    if problem is not None:
        return CheckResult(check=check, status="FAIL", detail=problem)
    return CheckResult(check=check, status="PASS", detail=f"{db_role}: can be assumed")


def _role_result(database: str, role: asyncpg.Record | None) -> CheckResult:
    check = f"role on {database}"
    if role is None:
        return CheckResult(check=check, status="WARN", detail="the login role is not in pg_roles")
    powers = _powers(role)
    if not powers:
        return CheckResult(check=check, status="PASS", detail=f"{role['role']}: read-only")
    advice = "; use a role that may only read"
    return CheckResult(
        check=check, status="WARN", detail=f"{role['role']}: {', '.join(powers)}{advice}"
    )


def _temp_file_result(database: str, found: TempFileLimit, wanted_kb: int) -> CheckResult:
    check = f"temp_file_limit on {database}"
    advice = found.advice(wanted_kb)
    if advice is not None:
        return CheckResult(check=check, status="WARN", detail=advice)
    how = "set per query" if found.may_set else f"the role's own, {found.shown}"
    return CheckResult(check=check, status="PASS", detail=f"{wanted_kb} kB at most ({how})")


def _powers(role: asyncpg.Record) -> Sequence[str]:
    """What the login role may do beyond reading."""
    found = [
        label
        for key, label in (
            ("rolsuper", "superuser"),
            ("rolcreatedb", "can create databases"),
            ("rolcreaterole", "can create roles"),
            ("can_create", "can create objects"),
        )
        if role[key]
    ]
    if role["writable"]:
        found.append(f"can write {role['writable']} tables")
    return found


async def _check_model(settings: Settings) -> CheckResult:
    openai = settings.openai
    check = f"model {openai.model}"
    if not openai.configured:
        # SQL needs no model, and an MCP client may lend its own through sampling.
        detail = (
            "not configured: SQL works, plain-language questions need "
            "PG_MCP_OPENAI_API_KEY or PG_MCP_OPENAI_BASE_URL"
        )
        return CheckResult(check=check, status="WARN", detail=detail)
    model = OpenAIChatModel(dataclasses.replace(factories.openai_config(openai), max_tokens=1))
    # The adapter imports openai on first use (about 0.5 s); keep that out of the latency.
    importlib.import_module("openai")
    started = time.perf_counter()
    try:
        async with asyncio.timeout(openai.timeout + 5):
            await model.complete(_PING)
    except PgMcpError as error:
        return CheckResult(check=check, status="FAIL", detail=f"{error.code}: {error.message}")
    except TimeoutError:
        return CheckResult(check=check, status="FAIL", detail=f"no answer in {openai.timeout:g} s")
    finally:
        await model.aclose()
    where = openai.base_url or "api.openai.com"
    return CheckResult(
        check=check, status="PASS", detail=f"answered in {_ms(started)} ms ({where})"
    )


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
