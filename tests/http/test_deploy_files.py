"""deploy/ against the code: the settings compose sets exist, and the ports and paths agree."""

import re
from pathlib import Path

from pydantic_settings import BaseSettings

from bootstrap.settings import Settings
from bootstrap.settings.team import HttpSettings
from tests.http.dockerfile import one, stages

DEPLOY = Path(__file__).parents[2] / "deploy"
_UNITS = {"": 1, "k": 1024, "m": 1024 * 1024, "g": 1024 * 1024 * 1024}


def _variables_read() -> set[str]:
    """Every PG_MCP_* variable the settings classes read."""
    names: set[str] = set()
    for concern in Settings.model_fields.values():
        settings = concern.annotation
        assert isinstance(settings, type)
        assert issubclass(settings, BaseSettings)
        prefix = str(settings.model_config.get("env_prefix", ""))
        names |= {(prefix + field).upper() for field in settings.model_fields}
    return names


def test_every_setting_compose_gives_pg_mcp_is_one_it_reads() -> None:
    compose = (DEPLOY / "compose.yaml").read_text()
    given = set(re.findall(r"^\s+(PG_MCP_[A-Z0-9_]+):", compose, flags=re.MULTILINE))

    assert given >= {"PG_MCP_POSTGRES_DSN", "PG_MCP_REDIS_URL", "PG_MCP_AUTH_TOKENS"}
    assert given <= _variables_read(), given - _variables_read()


def test_the_proxy_and_the_scraper_reach_the_port_the_image_serves() -> None:
    port = one(stages()[-1], "EXPOSE").arguments
    nginx = (DEPLOY / "nginx.conf").read_text()
    prometheus = (DEPLOY / "prometheus.yml").read_text()

    upstreams = re.findall(r"^\s*server (\S+);", nginx, flags=re.MULTILINE)
    assert upstreams == [f"pg-mcp-1:{port}", f"pg-mcp-2:{port}"]
    assert f'["pg-mcp-1:{port}", "pg-mcp-2:{port}"]' in prometheus


def test_the_proxy_passes_what_clients_need_and_keeps_metrics_inside() -> None:
    nginx = (DEPLOY / "nginx.conf").read_text()
    (size, unit) = re.findall(r"client_max_body_size (\d+)([kmg]?);", nginx)[0]

    assert "location /mcp {" in nginx
    assert "location /.well-known/ {" in nginx  # RFC 9728 metadata, named in every 401
    assert re.search(r"location = /metrics \{ return 404; \}", nginx)
    # Every body a replica takes gets through, so an oversized one meets pg-mcp's own 413.
    assert int(size) * _UNITS[unit] >= HttpSettings.model_fields["max_body_bytes"].default
