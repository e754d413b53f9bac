"""Which databases to serve and how to reach them: PG_MCP_POSTGRES_DSN or PG_MCP_DATABASES."""

import json
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode

from bootstrap.settings.parsing import Dsn, settings_config


class DatabaseEntry(BaseModel):
    """One database of PG_MCP_DATABASES."""

    model_config = {"extra": "forbid", "frozen": True}

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    dsn: Dsn
    pool_min: int = Field(default=1, ge=0, le=100)
    pool_max: int = Field(default=5, ge=1, le=100)
    ssl: str | None = None
    # What the database holds, in a few words: routing weighs it like a table name.
    description: str = Field(default="", max_length=500)

    @field_validator("ssl", mode="before")
    @classmethod
    def _ssl_mode(cls, value: object) -> object:
        """false/disable, true/require or verify-full; anything else is a configuration error."""
        if value is None:
            return None
        mode = {"true": "require", "false": "disable"}.get(str(value).lower(), str(value).lower())
        if mode not in ("disable", "require", "verify-full"):
            raise ValueError("ssl must be false, true, require or verify-full")
        return mode

    @model_validator(mode="after")
    def _pool_bounds(self) -> "DatabaseEntry":
        if self.pool_min > self.pool_max:
            raise ValueError(f"pool_min ({self.pool_min}) exceeds pool_max ({self.pool_max})")
        return self


class DatabaseSettings(BaseSettings):
    """Which databases to serve and how to reach them."""

    model_config = settings_config()

    postgres_dsn: Dsn = SecretStr("postgresql://postgres@localhost:5432/postgres")
    databases: Annotated[tuple[DatabaseEntry, ...], NoDecode] = ()
    pool_min: int = Field(default=1, ge=0, le=100)
    pool_max: int = Field(default=5, ge=1, le=100)
    pool_acquire_timeout: float = Field(default=10.0, gt=0)
    db_role: str | None = Field(default=None, min_length=1, max_length=63)
    # Where `pg-mcp demo` keeps its cluster; None: the user's data directory.
    demo_data_dir: Path | None = None

    @field_validator("db_role", mode="before")
    @classmethod
    def _blank_role_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("databases", mode="before")
    @classmethod
    def _parse_databases(cls, value: object) -> object:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else ()
        return value

    @field_validator("databases")
    @classmethod
    def _unique_names(cls, value: tuple[DatabaseEntry, ...]) -> tuple[DatabaseEntry, ...]:
        names = [entry.name for entry in value]
        if len(names) != len(set(names)):
            raise ValueError("database names must be unique")
        return value

    def entries(self) -> tuple[DatabaseEntry, ...]:
        """The configured databases; PG_MCP_POSTGRES_DSN alone is the one named `default`."""
        if self.databases:
            return self.databases
        return (
            DatabaseEntry(
                name="default",
                dsn=self.postgres_dsn,
                pool_min=self.pool_min,
                pool_max=self.pool_max,
            ),
        )
