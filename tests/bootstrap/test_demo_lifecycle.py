"""`pg-mcp demo`: its PostgreSQL goes when the server goes, however it goes, and adds no user."""

import os
import pwd
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.stdio import run_pg_mcp, server_env
from tests.pg import reachable_temp_dir

READY = "pg-mcp demo database is ready"


@pytest.fixture(scope="module")
def demo_dir() -> Iterator[Path]:
    with reachable_temp_dir("pgmcp-demo-life-") as tmp:
        yield tmp / "pgdata"


def start_demo(data_dir: Path) -> subprocess.Popen[str]:
    """`pg-mcp demo` with stdin held open, returned once it says the database is ready."""
    env = server_env("postgresql://unused@127.0.0.1:1/x", None)
    env["PG_MCP_DEMO_DATA_DIR"] = str(data_dir)
    server = subprocess.Popen(
        [sys.executable, "-m", "bootstrap", "demo"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    assert server.stderr is not None
    seen = []
    for line in server.stderr:
        seen.append(line)
        if READY in line:
            # A newcomer's first screen: JSON log lines and the announcement, no library noise.
            assert not any("Warning" in earlier for earlier in seen), "".join(seen)
            return server
    server.kill()
    raise AssertionError("".join(seen))


def finish(server: subprocess.Popen[str]) -> None:
    """Wait for the server to end and close our ends of its pipes."""
    server.wait(30)
    for pipe in (server.stdin, server.stderr):
        if pipe is not None:
            pipe.close()


def postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().splitlines()[0])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return "Z"
    return next(line for line in status.splitlines() if line.startswith("State:"))


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.1)
    return False


def owner(pid: int) -> str:
    status = Path(f"/proc/{pid}/status").read_text()
    uid = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1]
    return pwd.getpwuid(int(uid)).pw_name


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=str)
def test_the_demo_postgres_stops_when_the_server_stops(demo_dir: Path, how: signal.Signals) -> None:
    server = start_demo(demo_dir)
    pid = postmaster_pid(demo_dir)
    assert alive(pid)

    server.send_signal(how)
    finish(server)

    assert gone_within(pid, 15)
    assert not (demo_dir / "postmaster.pid").exists() or not alive(postmaster_pid(demo_dir))


def test_the_demo_creates_no_system_user_and_never_runs_postgres_as_root(demo_dir: Path) -> None:
    users_before = {entry.pw_name for entry in pwd.getpwall()}
    server = start_demo(demo_dir)
    try:
        runs_as = owner(postmaster_pid(demo_dir))
    finally:
        server.terminate()
        finish(server)

    assert {entry.pw_name for entry in pwd.getpwall()} == users_before
    expected = "nobody" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    assert runs_as == expected


def test_check_demo_checks_the_demo_database_and_passes_without_a_model(demo_dir: Path) -> None:
    env = server_env("postgresql://unused@127.0.0.1:1/x", None)
    env["PG_MCP_DEMO_DATA_DIR"] = str(demo_dir)

    done = run_pg_mcp("check", "--demo", env=env, timeout=120)

    assert done.returncode == 0, done.stdout + done.stderr
    rows = {
        line.split("|")[0].strip(): line.split("|")[1].strip()
        for line in done.stdout.splitlines()[2:]
    }
    assert rows["database demo"] == "PASS"
    assert rows["model gpt-4o-mini"] == "WARN"
    assert not (demo_dir / "postmaster.pid").exists()
