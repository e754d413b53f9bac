"""The settings of serving a team: bad values stop start-up in one line naming the variable."""

import pytest

from bootstrap.loader import ConfigurationError, load_settings

SECRET = "s3cret-token-that-is-long-enough"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PG_MCP_AUTH_TOKENS", f"{SECRET}"),
        ("PG_MCP_AUTH_TOKENS", f'["{SECRET}"]'),
        ("PG_MCP_AUTH_TOKENS", f'{{"{SECRET}": ""}}'),
        ("PG_MCP_AUTH_TOKENS", '{"short-secret": "alice"}'),
        ("PG_MCP_OAUTH_JWKS_URL", "ftp://issuer/jwks"),
        ("PG_MCP_HTTP_PUBLIC_URL", "pg.example.com/mcp"),
        ("PG_MCP_HTTP_MAX_BODY_BYTES", "12"),
        ("PG_MCP_REDIS_URL", "http://u:secret@cache:6379"),
    ],
)
def test_a_bad_team_setting_stops_start_up_in_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigurationError) as caught:
        load_settings()

    assert str(caught.value).startswith(variable)
    assert "\n" not in str(caught.value)
    assert "secret" not in str(caught.value)


def test_static_tokens_map_to_subjects(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PG_MCP_AUTH_TOKENS", f'{{"{SECRET}": "alice"}}')

    settings = load_settings()

    assert settings.auth.auth_tokens == {SECRET: "alice"}
    assert settings.auth.enabled
    assert SECRET not in repr(settings)
