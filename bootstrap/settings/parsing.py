"""How settings are read: the PG_MCP_ prefix and .env, sizes, name lists, DSNs."""

import json
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, SecretStr
from pydantic_settings import NoDecode, SettingsConfigDict

from domain.safety.identifiers import quote_identifier

CommaList = Annotated[tuple[str, ...], NoDecode]

_MEMORY_UNITS = {"kb": 1, "mb": 1024, "gb": 1024**2, "tb": 1024**3}
_MEMORY = re.compile(r"^\s*(\d{1,12})\s*([kKmMgGtT][bB])?\s*$")


def kilobytes(value: object) -> object:
    """A PostgreSQL memory size ("64MB", "512kB", or a bare number of kB) in kB."""
    if not isinstance(value, str):
        return value
    match = _MEMORY.match(value)
    if match is None:
        raise ValueError("must be a size such as 512kB, 64MB or 1GB")
    return int(match[1]) * _MEMORY_UNITS[(match[2] or "kB").lower()]


# The number is written into SET LOCAL: only whole kilobytes may pass.
Kilobytes = Annotated[int, BeforeValidator(kilobytes)]


def split_names(value: object) -> object:
    """Accept a comma-separated string or a JSON list for list-valued variables."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        return _strings(json.loads(text))
    return tuple(part.strip() for part in text.split(",") if part.strip())


def split_columns(value: object) -> object:
    """Columns as a list (`table.column`) or, as the specification's example, a JSON object of
    table to columns: `{"users": ["password", "ssn"]}`."""
    if isinstance(value, str) and value.strip().startswith("{"):
        value = json.loads(value)
    if not isinstance(value, dict):
        return split_names(value)
    return tuple(
        f"{table}.{_column_part(column)}"
        for table, columns in value.items()
        for column in _strings([columns] if isinstance(columns, str) else columns)
    )


def _column_part(name: str) -> str:
    # A column name holding a dot or a quote is one name: quoted, so it is not split.
    return quote_identifier(name) if "." in name or '"' in name else name


def _strings(items: object) -> tuple[str, ...]:
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ValueError("must be a list of names")
    return tuple(items)


def valid_dsn(value: SecretStr) -> SecretStr:
    """A postgresql:// URI whose port, if any, is a port: asyncpg reads no other form."""
    dsn = value.get_secret_value().strip()
    parts = urlsplit(dsn)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(
            "must be a postgresql:// URI (postgresql://user:password@host:5432/database); "
            "keyword=value connection strings are not read"
        )
    try:
        port = parts.port  # raises on a port that is not a number from 0 to 65535
    except ValueError:
        raise ValueError("has a port that is not a number from 1 to 65535") from None
    if port == 0:
        raise ValueError("has a port that is not a number from 1 to 65535")
    return value


Dsn = Annotated[SecretStr, AfterValidator(valid_dsn)]


def settings_config(prefix: str = "PG_MCP_") -> SettingsConfigDict:
    """Variables named prefix + field, also read from .env; unknown ones ignored; frozen."""
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", extra="ignore", frozen=True, validate_default=True
    )


def comma_list(value: object) -> object:
    """A comma-separated string as a tuple of its non-blank parts (no JSON: hosts hold brackets)."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def http_url(value: str | None) -> str | None:
    """An http:// or https:// URL, or None."""
    if value is not None and not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value


def blank_is_none(value: object) -> object:
    """An empty or blank variable counts as unset."""
    return None if isinstance(value, str) and not value.strip() else value
