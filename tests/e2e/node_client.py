"""Runs tests/e2e/ts_client/client.mjs, the TypeScript SDK client, against `python -m bootstrap`."""

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).parent / "ts_client"


def node_missing() -> bool:
    """True when node or npm is not on PATH."""
    return shutil.which("node") is None or shutil.which("npm") is None


def install_client() -> Path:
    """client.mjs beside its node_modules, installed once per lockfile in the temp folder."""
    lock = (SOURCE / "package-lock.json").read_bytes()
    key = hashlib.sha256(lock).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"pg-mcp-ts-client-{key}"
    if not (folder / "node_modules").is_dir():
        # Install beside, then rename: a half-finished install is never taken for a cached one.
        staging = Path(tempfile.mkdtemp(prefix="pg-mcp-ts-client-staging-"))
        for name in ("package.json", "package-lock.json"):
            shutil.copy(SOURCE / name, staging)
        npm = ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]
        subprocess.run(npm, cwd=staging, check=True, capture_output=True, timeout=300)
        try:
            staging.rename(folder)
        except OSError:  # another run installed the same lockfile first
            shutil.rmtree(staging)
    shutil.copy(SOURCE / "client.mjs", folder)
    return folder / "client.mjs"


def run_client(script: Path, env: dict[str, str], calls: list[dict[str, Any]]) -> dict[str, Any]:
    """What the TypeScript client received: tool names, schema checks and each call's outcome."""
    return run_client_logged(script, env, calls)[0]


def run_client_logged(
    script: Path, env: dict[str, str], calls: list[dict[str, Any]]
) -> tuple[dict[str, Any], str]:
    """What the client received, and everything the server wrote to stderr (its logs)."""
    command = ["node", str(script), json.dumps(calls), sys.executable, "-m", "bootstrap"]
    done = subprocess.run(
        command, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-2000:]
    received: dict[str, Any] = json.loads(done.stdout)
    return received, done.stderr
