"""A private embedded PostgreSQL that a test may stop, start and restart.

The session's shared cluster (`pg_admin_dsn`) serves every other test and must never go down,
so fault tests that take the server away use one of these instead.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from adapters.postgres.embedded_cluster import EmbeddedCluster
from tests.pg import THROWAWAY, reachable_temp_dir


class PrivateCluster:
    """One embedded PostgreSQL cluster, reached over its Unix socket, under the test's control."""

    def __init__(self, cluster: EmbeddedCluster) -> None:
        self._cluster = cluster
        self.dsn: str = cluster.start()

    @property
    def running(self) -> bool:
        """Whether the server is up."""
        return self._cluster.is_running()

    def restart(self) -> None:
        """Stop fast (every backend is terminated), then start on the same socket."""
        self.stop()
        self.start()

    def stop(self) -> None:
        """Stop with a fast shutdown and wait until the server is gone."""
        self._cluster.stop()

    def start(self) -> None:
        """Start again on the same socket directory, so that the DSN stays valid."""
        self._cluster.start()


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A fresh cluster for the block; deleted afterwards, whatever state the test left it in."""
    with reachable_temp_dir("pgmcp-own-", in_memory=True) as tmp:
        cluster = EmbeddedCluster(tmp / "data", settings=THROWAWAY)
        try:
            yield PrivateCluster(cluster)
        finally:
            cluster.stop(immediate=True)
