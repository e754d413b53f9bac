"""`pg-mcp config` and the demo print a client entry that runs anywhere, with the settings used."""

import json
import os
import subprocess
import sys
from pathlib import Path

from bootstrap.client_config import claude_desktop_config, demo_env, settings_in_use


def entry(text: str) -> dict[str, object]:
    server: dict[str, object] = json.loads(text)["mcpServers"]["pg-mcp"]
    return server


def test_the_command_is_absolute_and_starts_this_installation() -> None:
    server = entry(claude_desktop_config(["demo"], {}))
    command = Path(str(server["command"]))

    assert command.is_absolute()
    assert command.is_file()
    assert server["args"] in (["demo"], ["-m", "bootstrap", "demo"])


def test_settings_in_use_are_the_environment_over_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PG_MCP_OPENAI_MODEL=from-file\nPG_MCP_QUERY_TIMEOUT=9\nOTHER=x\n")
    environ = {"PG_MCP_OPENAI_MODEL": "from-env", "HOME": "/root"}

    assert settings_in_use(environ, str(env_file)) == {
        "PG_MCP_OPENAI_MODEL": "from-env",
        "PG_MCP_QUERY_TIMEOUT": "9",
    }


def test_the_demo_keeps_the_model_settings_and_drops_the_database() -> None:
    used = {
        "PG_MCP_POSTGRES_DSN": "postgresql://x@h/d",
        "PG_MCP_OPENAI_BASE_URL": "http://localhost:11434/v1",
        "PG_MCP_OPENAI_MODEL": "llama3",
    }

    assert demo_env(used) == {
        "PG_MCP_OPENAI_BASE_URL": "http://localhost:11434/v1",
        "PG_MCP_OPENAI_MODEL": "llama3",
    }
    assert demo_env({}) == {"PG_MCP_OPENAI_API_KEY": "<your key>"}


def test_pg_mcp_config_prints_a_paste_ready_entry_on_stdout(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG_MCP_", "OPENAI_"))}
    env.update(PG_MCP_POSTGRES_DSN="postgresql://reader@db/shop", PG_MCP_OPENAI_MODEL="m")

    done = subprocess.run(
        [sys.executable, "-m", "bootstrap", "config"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    server = entry(done.stdout)
    assert Path(str(server["command"])).is_absolute()
    assert server["env"] == {
        "PG_MCP_OPENAI_MODEL": "m",
        "PG_MCP_POSTGRES_DSN": "postgresql://reader@db/shop",
    }
