"""Instructions a server executes per warm `query` call, counted by callgrind: repeatable on a
busy machine where wall-clock figures are not.

Each server runs under `valgrind --tool=callgrind` with counting off; after start-up and warm-up
calls, counting is switched on (callgrind_control) for the measured calls only. Kernel time (the
syscalls of each round trip) is not counted, nor is PostgreSQL's or the fake model's work.
Usage: python -m bench.instructions [calls]   (needs valgrind; about a minute in all)
"""

import asyncio
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench.overhead import ASKED, BARE, GIVEN, SQL, Call, _env, settled
from tests.e2e.lean_client import LeanClient
from tests.fake_llm_server import FakeLLMServer
from tests.pg import FIXTURES, create_database, running_cluster

CALLS = 100
WARMUP = 30


async def counted(
    args: Sequence[str], env: Mapping[str, str], call: Call, n: int, out: Path
) -> float:
    """Instructions per call of `call`, the server run by callgrind writing to `out`."""
    grind = ["-m", "bench.callgrind_run", str(out), *args]
    async with LeanClient(grind, env) as client:
        await client.initialize()
        await settled(client, args)  # the background start is over before counting starts
        for _ in range(WARMUP):
            await client.call_tool(*call)
        pid = _pid(out)
        _control("-i", "on", pid)
        for _ in range(n):
            await client.call_tool(*call)
        _control("-i", "off", pid)
        _control("-d", pid)
    return _total(out) / n


def _pid(out: Path) -> str:
    return Path(f"{out}.pid").read_text()


def _control(*args: str) -> None:
    control = shutil.which("callgrind_control") or "callgrind_control"
    subprocess.run([control, *args], check=True, capture_output=True)


def _total(out: Path) -> int:
    """The instructions counted in every dump callgrind wrote for one server."""
    return sum(
        int(line.split()[1])
        for dump in out.parent.glob(f"{out.name}.*")
        if dump.suffix != ".pid"
        for line in dump.read_text().splitlines()
        if line.startswith("totals:")
    )


def main() -> None:
    """Count the bare server's and pg-mcp's instructions per call, on the same database."""
    if shutil.which("valgrind") is None:
        sys.exit("bench.instructions needs valgrind (callgrind)")
    n = int(sys.argv[1]) if len(sys.argv) > 1 else CALLS
    with (
        running_cluster() as admin,
        FakeLLMServer(responder=lambda _request: SQL, keep_alive=True) as llm,
        tempfile.TemporaryDirectory() as tmp,
    ):
        dsn = create_database(admin, (FIXTURES / "shop_schema.sql",), prefix="bench")
        env = _env(dsn, llm)
        bare = ["-m", "bench.bare_server", dsn]
        runs = {
            "bare MCPServer + asyncpg": (bare, BARE),
            "pg-mcp, question (fake model/HTTP)": (["-m", "bootstrap"], ASKED),
            "pg-mcp, SQL": (["-m", "bootstrap"], GIVEN),
        }
        counts = {
            label: asyncio.run(counted(args, env, call, n, Path(tmp) / f"run{i}"))
            for i, (label, (args, call)) in enumerate(runs.items())
        }
    base = counts["bare MCPServer + asyncpg"]
    print(f"instructions per warm call in the server process (callgrind, {n} calls): {SQL}")
    for label, count in counts.items():
        print(f"  {label:<34} {count / 1e6:6.2f} M   {count / base:.2f}x")


if __name__ == "__main__":
    main()
