"""The resource limits' settings: safe defaults, PostgreSQL sizes, one-line errors."""

import pytest

from bootstrap.loader import load_settings


def test_resource_limits_are_on_by_default() -> None:
    query = load_settings().query

    assert query.max_result_bytes == 4 * 2**20
    assert query.work_mem == 16 * 1024
    assert query.temp_file_limit == 1024 * 1024


@pytest.mark.parametrize(("given", "kb"), [("64MB", 65536), ("4096kB", 4096), ("2gb", 2 * 1024**2)])
def test_sizes_take_postgresql_units(monkeypatch: pytest.MonkeyPatch, given: str, kb: int) -> None:
    monkeypatch.setenv("PG_MCP_TEMP_FILE_LIMIT", given)
    monkeypatch.setenv("PG_MCP_WORK_MEM", "1024")

    query = load_settings().query

    assert (query.temp_file_limit, query.work_mem) == (kb, 1024)
