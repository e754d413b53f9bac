"""The settings of serving a team (their bad values are among test_settings' cases)."""

import pytest

from bootstrap.loader import load_settings

SECRET = "s3cret-token-that-is-long-enough"


def test_static_tokens_map_to_subjects(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PG_MCP_AUTH_TOKENS", f'{{"{SECRET}": "alice"}}')

    settings = load_settings()

    assert settings.auth.auth_tokens == {SECRET: "alice"}
    assert settings.auth.enabled
    assert SECRET not in repr(settings)
