"""The paste-ready MCP client entry for this installation: an absolute command and its settings."""

import json
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

PREFIX = "PG_MCP_"


def launch_command() -> list[str]:
    """How a client can start this pg-mcp from anywhere: its script's absolute path, else this
    interpreter with -m bootstrap (Claude Desktop does not see a virtual environment's PATH)."""
    script = Path(sys.argv[0])
    if script.name == "pg-mcp" and script.is_file():
        return [str(script.resolve())]
    found = shutil.which("pg-mcp")
    if found is not None:
        return [str(Path(found).resolve())]
    return [sys.executable, "-m", "bootstrap"]


def settings_in_use(
    environ: Mapping[str, str] = os.environ, env_file: str = ".env"
) -> dict[str, str]:
    """The PG_MCP_ variables pg-mcp reads now: the environment over the .env file."""
    from_file = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    merged = {**from_file, **environ}
    return {k: v for k, v in sorted(merged.items()) if k.startswith(PREFIX)}


def claude_desktop_config(args: list[str], env: Mapping[str, str]) -> str:
    """A Claude Desktop `mcpServers` entry that runs this pg-mcp with `args` and `env`."""
    command, *rest = launch_command()
    entry = {"command": command, "args": [*rest, *args], "env": dict(env)}
    return json.dumps({"mcpServers": {"pg-mcp": entry}}, indent=2)


def demo_env(settings: Mapping[str, str]) -> dict[str, str]:
    """The demo's settings: those in use except the database, and a model placeholder if none."""
    env = {
        k: v for k, v in settings.items() if k not in ("PG_MCP_POSTGRES_DSN", "PG_MCP_DATABASES")
    }
    if "PG_MCP_OPENAI_API_KEY" not in env and "PG_MCP_OPENAI_BASE_URL" not in env:
        env["PG_MCP_OPENAI_API_KEY"] = "<your key>"
    return env
