"""A throwaway PostgreSQL for the tests: PG_MCP_TEST_DSN when given, else an embedded cluster."""

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from adapters.postgres.embedded_cluster import EmbeddedCluster

FIXTURES = Path(__file__).parent / "fixtures"
# Nothing of a test cluster must survive a crash: skip the disk flushes that make it durable.
THROWAWAY = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
# A run's clusters write about 1.2 GB (new databases, WAL) and peak at 0.4 GB each in memory:
# kept in /dev/shm when it has room for every worker's with margin, that writing never reaches
# a disk (it cost the suite a tenth or more of its CPU time on a 2-core machine). Only a parent:
# tempfile makes each directory below it, private and randomly named.
_SHM = Path("/dev/shm")  # noqa: S108
_SHM_PER_CLUSTER = 2**30


@contextmanager
def running_cluster() -> Iterator[str]:
    """Yield an admin DSN of a PostgreSQL cluster that lives as long as the block."""
    given = os.environ.get("PG_MCP_TEST_DSN")
    if given:
        yield given
        return
    with reachable_temp_dir("pgmcp-test-", in_memory=True) as tmp:
        cluster = EmbeddedCluster(tmp / "data", settings=THROWAWAY)
        try:
            yield cluster.start()
        finally:
            cluster.stop(immediate=True)


@contextmanager
def reachable_temp_dir(prefix: str, *, in_memory: bool = False) -> Iterator[Path]:
    """A temporary directory that PostgreSQL may enter even when it runs as `nobody` (as root);
    in memory when asked and /dev/shm has room."""
    parent = _SHM if in_memory and _shm_has_room() else None
    with tempfile.TemporaryDirectory(prefix=prefix, dir=parent) as tmp:
        Path(tmp).chmod(0o711)
        yield Path(tmp)


def _shm_has_room() -> bool:
    clusters = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) + 1  # and one own cluster
    try:
        free = shutil.disk_usage(_SHM).free
    except OSError:
        return False
    return free >= clusters * _SHM_PER_CLUSTER and os.access(_SHM, os.W_OK)


def with_database(dsn: str, database: str) -> str:
    """The same DSN pointing at another database."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{database}"))


def with_user(dsn: str, user: str) -> str:
    """The same DSN logging in as another role (without a password: the test cluster trusts)."""
    parts = urlsplit(dsn)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


async def admin_execute(admin_dsn: str, sql: str) -> None:
    """Run `sql` as the cluster's administrator (roles and grants are cluster-wide)."""
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(sql)
    finally:
        await admin.close()


def create_database(admin_dsn: str, sql_files: tuple[Path, ...], prefix: str = "t") -> str:
    """Create a fresh database loaded with `sql_files`; return its DSN."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"

    async def create() -> None:
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        conn = await asyncpg.connect(with_database(admin_dsn, name))
        try:
            for path in sql_files:
                await conn.execute(path.read_text())
        finally:
            await conn.close()

    asyncio.run(create())
    return with_database(admin_dsn, name)
