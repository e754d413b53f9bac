"""Memory stays flat when the answer would be ten million rows: only the row cap is fetched.

Through the scripted server over stdio (PG_MCP_MAX_RESULT_ROWS=1000), compares the server
subprocess's RSS around several 10-million-row answers with that around 10-row answers, and
prints the call latency and what the reply says (row_count, truncated). The generate_series in
FROM is materialised by PostgreSQL, which is server memory, not ours: our RSS is what counts.
No assertions (shared, noisy machines). Run: python -m bench.memory
"""

import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from mcp import Client, StdioServerParameters

from tests.e2e.stdio import server_env
from tests.pg import FIXTURES, create_database, running_cluster

HUGE_SQL = "SELECT g AS n, md5(g::text) AS h FROM generate_series(1, 10000000) AS g"
SMALL_SQL = "SELECT g AS n, md5(g::text) AS h FROM generate_series(1, 10) AS g"
MAX_ROWS = "1000"
CALLS = 5
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True, slots=True, kw_only=True)
class Phase:
    """RSS and peak RSS (MiB) after a batch of calls, their latencies and the last reply."""

    rss: float
    peak: float
    latencies: list[float]
    row_count: object
    truncated: object


def child_pids(marker: str) -> set[int]:
    """Pids of this process's direct children whose command line holds `marker` (Linux /proc)."""
    me = str(os.getpid())
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The parent pid is the 2nd field after the parenthesised command name.
            parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if parent == me and marker.encode() in argv:
            found.add(int(entry.name))
    return found


def rss_mib(pid: int) -> float:
    """Resident set size of `pid` in MiB, from /proc/<pid>/statm."""
    resident_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return resident_pages * PAGE / 2**20


def peak_rss_mib(pid: int) -> float:
    """High-water resident set size of `pid` in MiB (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def batch(client: Client, pid: int, query: str) -> Phase:
    """CALLS calls of `query`, then the server's memory."""
    latencies = []
    structured: dict[str, object] = {}
    for _ in range(CALLS):
        started = time.perf_counter()
        result = await client.call_tool("query", {"query": query})
        latencies.append(time.perf_counter() - started)
        assert not result.is_error, result.content
        structured = result.structured_content or {}
    return Phase(
        rss=rss_mib(pid),
        peak=peak_rss_mib(pid),
        latencies=latencies,
        row_count=structured.get("row_count"),
        truncated=structured.get("truncated"),
    )


async def measure(dsn: str) -> dict[str, Phase]:
    """One server whose model answers every question with HUGE_SQL; SMALL_SQL is sent as is."""
    env = server_env(dsn, None, PG_MCP_LOG_LEVEL="WARNING", PG_MCP_MAX_RESULT_ROWS=MAX_ROWS)
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "bench.scripted_server", HUGE_SQL], env=env
    )
    async with Client(params, read_timeout_seconds=120) as client:
        (pid,) = child_pids("bench.scripted_server")
        return {
            "warm-up (10 rows)": await batch(client, pid, SMALL_SQL),
            "10 rows": await batch(client, pid, SMALL_SQL),
            "10M rows": await batch(client, pid, "every number with its hash"),
            "10M rows again": await batch(client, pid, "every number with its hash"),
        }


def show(phases: dict[str, Phase]) -> None:
    """Print each phase's figures."""
    print(f"server RSS, PG_MCP_MAX_RESULT_ROWS={MAX_ROWS}, {CALLS} calls per phase, one server")
    print(f"  10 rows:  {SMALL_SQL} (sent as SQL)")
    print(f"  10M rows: {HUGE_SQL} (the scripted model's answer to a question)")
    previous = None
    for label, phase in phases.items():
        ms = sorted(t * 1000 for t in phase.latencies)
        grown = "" if previous is None else f" ({phase.rss - previous.rss:+.1f})"
        print(
            f"  {label:<18} RSS {phase.rss:6.1f} MiB{grown:<9} peak {phase.peak:6.1f} MiB  "
            f"latency median {statistics.median(ms):6.0f} ms  max {ms[-1]:6.0f} ms  "
            f"row_count={phase.row_count} truncated={phase.truncated}"
        )
        previous = phase


def main() -> None:
    """Measure 10-row and then 10-million-row answers on one server."""
    with running_cluster() as admin:
        dsn = create_database(admin, (FIXTURES / "shop_schema.sql",), prefix="bench")
        phases = asyncio.run(measure(dsn))
    show(phases)


if __name__ == "__main__":
    main()
