"""The input bounds come from PG_MCP_MAX_* variables; a bad value names its variable."""

import pytest

from bootstrap.factories import safety_config
from bootstrap.loader import load_settings
from domain.safety.input_bounds import InputBounds


def test_the_bounds_default_to_the_documented_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PG_MCP_MAX_SQL_BYTES", raising=False)

    assert safety_config(load_settings().safety).input_bounds == InputBounds()


def test_each_bound_is_read_from_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PG_MCP_MAX_QUESTION_CHARS", "2000")
    monkeypatch.setenv("PG_MCP_MAX_SQL_BYTES", "500000")
    monkeypatch.setenv("PG_MCP_MAX_SQL_TOKENS", "50000")
    monkeypatch.setenv("PG_MCP_MAX_SQL_DEPTH", "32")
    monkeypatch.setenv("PG_MCP_MAX_SQL_CHAIN", "100")

    bounds = safety_config(load_settings().safety).input_bounds

    assert bounds == InputBounds(
        max_question_chars=2000,
        max_sql_bytes=500_000,
        max_sql_tokens=50_000,
        max_sql_depth=32,
        max_sql_chain=100,
    )
