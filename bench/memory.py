"""Memory stays flat when the answer would be ten million rows or a gigabyte: caps are fetched.

Through the scripted server over stdio (PG_MCP_MAX_RESULT_ROWS=1000, PG_MCP_MAX_RESULT_BYTES at
its default), measures the server subprocess's idle RSS after 10-row answers, then for each
phase its RSS and its peak RSS during that phase alone (VmHWM, reset through
/proc/<pid>/clear_refs before the phase), against the goal idle + cap + 64 MiB. Phases: ten
million small rows, a gigabyte of 1 MB values, one 200 MB value. The generate_series in FROM
is materialised by PostgreSQL, which is server memory, not ours: our RSS is what counts.
No assertions (shared, noisy machines). Run: python -m bench.memory
"""

import asyncio
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from mcp import Client, StdioServerParameters

from adapters.postgres.defaults import DEFAULT_MAX_RESULT_BYTES
from tests.e2e.stdio import server_env
from tests.pg import FIXTURES, create_database, running_cluster

HUGE_SQL = "SELECT g AS n, md5(g::text) AS h FROM generate_series(1, 10000000) AS g"
SMALL_SQL = "SELECT g AS n, md5(g::text) AS h FROM generate_series(1, 10) AS g"
GIGABYTE_SQL = "SELECT g AS n, repeat('x', 1000000) AS x FROM generate_series(1, 1000) AS g"
BIG_VALUE_SQL = "SELECT 1 AS n, repeat('x', 200000000) AS x"
MAX_ROWS = "1000"
CAP_MIB = DEFAULT_MAX_RESULT_BYTES / 2**20
SLACK_MIB = 64
CALLS = 5
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True, slots=True, kw_only=True)
class Phase:
    """RSS and peak RSS (MiB) of a batch of calls, their latencies and the last reply."""

    rss: float
    peak: float
    latencies: list[float]
    row_count: object
    truncated: object
    reply_mib: float


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


def reset_peak(pid: int) -> None:
    """Start a new high-water mark for `pid` (Linux: 5 > /proc/<pid>/clear_refs)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


async def batch(client: Client, pid: int, query: str, calls: int = CALLS) -> Phase:
    """`calls` calls of `query`, then the server's memory and its peak during them."""
    reset_peak(pid)
    latencies = []
    structured: dict[str, object] = {}
    reply = 0
    for _ in range(calls):
        started = time.perf_counter()
        result = await client.call_tool("query", {"query": query})
        latencies.append(time.perf_counter() - started)
        assert not result.is_error, result.content
        structured = result.structured_content or {}
        reply = len(json.dumps(structured))
    return Phase(
        rss=rss_mib(pid),
        peak=peak_rss_mib(pid),
        latencies=latencies,
        row_count=structured.get("row_count"),
        truncated=structured.get("truncated"),
        reply_mib=reply / 2**20,
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
            "idle: 10 rows": await batch(client, pid, SMALL_SQL),
            "10M rows": await batch(client, pid, "every number with its hash"),
            "1 GB of 1 MB values": await batch(client, pid, GIGABYTE_SQL, calls=3),
            "one 200 MB value": await batch(client, pid, BIG_VALUE_SQL, calls=2),
            "1 GB again": await batch(client, pid, GIGABYTE_SQL, calls=3),
        }


def show(phases: dict[str, Phase]) -> None:
    """Print each phase's figures against the idle RSS and the goal idle + cap + 64 MiB."""
    idle = phases["idle: 10 rows"].rss
    goal = idle + CAP_MIB + SLACK_MIB
    print(
        f"server RSS, PG_MCP_MAX_RESULT_ROWS={MAX_ROWS}, PG_MCP_MAX_RESULT_BYTES "
        f"{CAP_MIB:g} MiB (default), one server"
    )
    print(f"  10 rows:     {SMALL_SQL} (sent as SQL)")
    print(f"  10M rows:    {HUGE_SQL} (the scripted model's answer to a question)")
    print(f"  1 GB:        {GIGABYTE_SQL}")
    print(f"  200 MB:      {BIG_VALUE_SQL}")
    print(f"  idle RSS {idle:.1f} MiB; goal for a peak: idle + cap + {SLACK_MIB} = {goal:.1f} MiB")
    for label, phase in phases.items():
        ms = sorted(t * 1000 for t in phase.latencies)
        verdict = "within goal" if phase.peak <= goal else "OVER goal"
        print(
            f"  {label:<20} RSS {phase.rss:6.1f} MiB  peak {phase.peak:6.1f} MiB "
            f"(idle {phase.peak - idle:+6.1f}, {verdict})  reply {phase.reply_mib:5.2f} MiB  "
            f"latency median {statistics.median(ms):6.0f} ms  max {ms[-1]:6.0f} ms  "
            f"row_count={phase.row_count} truncated={phase.truncated}"
        )


def main() -> None:
    """Measure 10-row and then 10-million-row answers on one server."""
    with running_cluster() as admin:
        dsn = create_database(admin, (FIXTURES / "shop_schema.sql",), prefix="bench")
        phases = asyncio.run(measure(dsn))
    show(phases)


if __name__ == "__main__":
    main()
