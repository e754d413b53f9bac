"""Settings read from the environment: defaults, lists, databases and the one-line errors."""

import json

import pytest

from bootstrap.loader import ConfigurationError, load_settings


def test_defaults_serve_one_database_named_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PG_MCP_POSTGRES_DSN", "postgresql://reader@db/shop")

    settings = load_settings()

    (entry,) = settings.database.entries()
    assert entry.name == "default"
    assert entry.dsn.get_secret_value() == "postgresql://reader@db/shop"
    assert settings.query.max_result_rows == 1000
    assert settings.safety.allowed_statements == ("SELECT",)


@pytest.mark.parametrize(
    ("given", "mode"),
    [(True, "require"), (False, "disable"), ("true", "require"), ("verify-full", "verify-full")],
)
def test_ssl_is_normalised_to_a_mode(
    monkeypatch: pytest.MonkeyPatch, given: object, mode: str
) -> None:
    databases = [{"name": "a", "dsn": "postgresql://u@h/d", "ssl": given}]
    monkeypatch.setenv("PG_MCP_DATABASES", json.dumps(databases))

    assert load_settings().database.entries()[0].ssl == mode


def test_a_database_may_say_what_it_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    databases = [
        {"name": "shop", "dsn": "postgresql://u@h/shop", "description": "web shop orders"},
        {"name": "hr", "dsn": "postgresql://u@h/hr"},
    ]
    monkeypatch.setenv("PG_MCP_DATABASES", json.dumps(databases))

    shop, hr = load_settings().database.entries()

    assert shop.description == "web shop orders"
    assert hr.description == ""


def test_an_unknown_ssl_mode_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    databases = [{"name": "a", "dsn": "postgresql://u:secret@h/d", "ssl": "maybe"}]
    monkeypatch.setenv("PG_MCP_DATABASES", json.dumps(databases))

    with pytest.raises(ConfigurationError) as caught:
        load_settings()

    assert str(caught.value).startswith("PG_MCP_DATABASES[0]")
    assert "secret" not in str(caught.value)


def test_lists_take_commas_or_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PG_MCP_BLOCKED_TABLES", "users, credentials")
    monkeypatch.setenv("PG_MCP_BLOCKED_COLUMNS", '["customers.email"]')

    safety = load_settings().safety

    assert safety.blocked_tables == ("users", "credentials")
    assert safety.blocked_columns == ("customers.email",)


def test_columns_take_the_specification_s_json_object_of_table_to_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PG_MCP_BLOCKED_TABLES", '["credentials", "audit_log"]')
    monkeypatch.setenv(
        "PG_MCP_BLOCKED_COLUMNS", '{"users": ["password", "ssn"], "public.orders": "note.x"}'
    )

    safety = load_settings().safety

    assert safety.blocked_tables == ("credentials", "audit_log")
    assert safety.blocked_columns == ("users.password", "users.ssn", 'public.orders."note.x"')


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PG_MCP_BLOCKED_COLUMNS", '{"users": [1]}'),
        ("PG_MCP_BLOCKED_COLUMNS", '{"users": {"a": "b"}}'),
        ("PG_MCP_BLOCKED_COLUMNS", "[1, 2]"),
        ("PG_MCP_BLOCKED_COLUMNS", '{"users": ["pass"'),
        ("PG_MCP_MAX_SQL_DEPTH", "1000"),
        ("PG_MCP_MAX_SQL_BYTES", "0"),
        ("PG_MCP_MAX_SQL_CHAIN", "x"),
        ("PG_MCP_TEMP_FILE_LIMIT", "1GB; RESET ALL"),
        ("PG_MCP_TEMP_FILE_LIMIT", "-1"),
        ("PG_MCP_WORK_MEM", "lots"),
        ("PG_MCP_CANDIDATES", "0"),
        ("PG_MCP_CANDIDATES", "9"),
        ("PG_MCP_MAX_RESULT_BYTES", "10"),
        ("PG_MCP_SHOW_PARAMETER_VALUES", "sometimes"),
        ("PG_MCP_POSTGRES_DSN", "postgresql://u:secret@h:notaport/db"),
        ("PG_MCP_POSTGRES_DSN", "postgresql://u:secret@h:99999/db"),
        ("PG_MCP_POSTGRES_DSN", "host=localhost dbname=shop password=secret"),
        ("PG_MCP_POSTGRES_DSN", "mysql://u:secret@h/db"),
        ("PG_MCP_DATABASES", '[{"name": "a", "dsn": "postgresql://u:secret@h:x/d"}]'),
        (
            "PG_MCP_DATABASES",
            json.dumps(
                [{"name": "a", "dsn": "postgresql://u:secret@h/d", "description": "x" * 501}]
            ),
        ),
        ("PG_MCP_AUTH_TOKENS", "a-secret-token-long-enough"),
        ("PG_MCP_AUTH_TOKENS", '["a-secret-token-long-enough"]'),
        ("PG_MCP_AUTH_TOKENS", '{"a-secret-token-long-enough": ""}'),
        ("PG_MCP_AUTH_TOKENS", '{"short-secret": "alice"}'),
        ("PG_MCP_OAUTH_JWKS_URL", "ftp://issuer/jwks"),
        ("PG_MCP_HTTP_PUBLIC_URL", "pg.example.com/mcp"),
        ("PG_MCP_HTTP_MAX_BODY_BYTES", "12"),
        ("PG_MCP_REDIS_URL", "http://u:secret@cache:6379"),
    ],
)
def test_a_bad_value_stops_start_up_in_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigurationError) as caught:
        load_settings()

    assert str(caught.value).startswith(variable)
    assert "\n" not in str(caught.value)
    assert "secret" not in str(caught.value)
