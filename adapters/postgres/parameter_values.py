"""JSON values turned into what asyncpg binds, by the type PostgreSQL's prepare gave each `$n`.

A value JSON carries as such (a number for an integer, a boolean for a boolean, any value for
json) is converted here; any other (a string for a date, a uuid, an interval, a list of them)
is cast from text by PostgreSQL itself, in the same transaction, so that it reads exactly as a
literal would, and comes back as the pool's codecs decode it (an interval as ISO 8601, which
its encoder reads back). A value that does not convert is ERR_008 naming its parameter, never
quoting it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import TypeAlias, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from domain.errors import InvalidRequest
from domain.models import JsonValue, Parameter
from domain.safety.identifiers import quote_identifier

_INTEGERS = frozenset({"int2", "int4", "int8", "oid"})
_FLOATS = frozenset({"float4", "float8"})
_TEXTS = frozenset({"text", "varchar", "bpchar", "name", "unknown"})
_JSONS = frozenset({"json", "jsonb"})
T = TypeVar("T")
Connection: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"
Work: TypeAlias = "Callable[[Connection], Awaitable[T]]"
# asyncpg's own message for a value its encoder refused: "invalid input for query argument $2: …"
_ARGUMENT = re.compile(r"invalid input for query argument \$(\d+)")


async def bind_values(
    conn: Connection,
    parameters: Sequence[Parameter],
    types: Sequence[asyncpg.Type],
) -> list[object]:
    """The value of each `$n` as asyncpg encodes it for that placeholder's type.

    Raises:
        InvalidRequest: a value does not convert to its placeholder's type.
    """
    values: list[object] = []
    for parameter, kind in zip(parameters, types, strict=True):
        if _holds_nul(parameter.value):
            # PostgreSQL's text cannot hold it (22021 at bind, after the statement is prepared).
            raise InvalidRequest(f"Parameter {parameter.name}: text cannot hold a NUL character")
        value = _direct(parameter.value, kind)
        if value is _CAST:
            value = await _cast_from_text(conn, parameter, kind)
        values.append(value)
    return values


def guarded(work: Work[T], parameters: Sequence[Parameter]) -> Work[T]:
    """`work`, with asyncpg's refusal to encode a value (which quotes it) as ERR_008 naming it."""

    async def run(conn: Connection) -> T:
        try:
            return await work(conn)
        except asyncpg.DataError as exc:
            found = _ARGUMENT.match(str(exc))
            if found is None or int(found.group(1)) > len(parameters):
                raise
            name = parameters[int(found.group(1)) - 1].name
            raise InvalidRequest(f"Parameter {name}: the value does not fit its type") from None

    return run


_CAST = object()
_FLOAT_MAX = 1.7e308


def _direct(value: JsonValue, kind: asyncpg.Type) -> object:
    """The value asyncpg binds for `kind`, or _CAST when PostgreSQL must read it from text."""
    if value is None:
        return None
    if kind.schema != "pg_catalog":
        return _CAST
    if kind.kind == "array":
        return _direct_array(value, kind.name.removesuffix("[]"))
    return _direct_scalar(value, kind.name)


def _direct_array(value: JsonValue, element: str) -> object:
    if not isinstance(value, list):
        return _CAST
    items = [
        _direct_array(item, element) if isinstance(item, list) else _direct_scalar(item, element)
        for item in value
    ]
    return _CAST if any(item is _CAST for item in items) else items


def _direct_scalar(value: JsonValue, name: str) -> object:
    if value is None:
        return None
    if name in _JSONS:
        return value  # the pool's json codec writes it
    if isinstance(value, bool):
        return value if name == "bool" else _CAST
    if isinstance(value, int) and name in _INTEGERS:
        return value
    if isinstance(value, int | float) and name in _FLOATS:
        # A JSON integer past a float's range: PostgreSQL's own reading refuses it.
        return float(value) if abs(value) < _FLOAT_MAX else _CAST
    if isinstance(value, int | float) and name == "numeric":
        return Decimal(str(value))
    if isinstance(value, str) and name in _TEXTS:
        return value
    return _CAST


async def _cast_from_text(conn: Connection, parameter: Parameter, kind: asyncpg.Type) -> object:
    array = kind.kind == "array"
    if array != isinstance(parameter.value, list):
        expected = "a list" if array else "not a list"
        raise InvalidRequest(f"Parameter {parameter.name}: the value must be {expected}")
    # The type comes from PostgreSQL's prepare, as schema and name: quoted, never the caller's.
    target = f"{quote_identifier(kind.schema)}.{quote_identifier(kind.name.removesuffix('[]'))}"
    text = "pg_catalog.text[]" if array else "pg_catalog.text"
    try:
        return await conn.fetchval(
            f"SELECT $1::{text}::{target}{'[]' if array else ''}", _as_text(parameter.value)
        )
    except asyncpg.DataError:
        # Class 22: PostgreSQL's message quotes the value; only the parameter is named.
        raise InvalidRequest(
            f"Parameter {parameter.name}: the value is not a valid {kind.name}"
        ) from None


def _holds_nul(value: JsonValue) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    return False


def _as_text(value: JsonValue) -> object:
    """The value as PostgreSQL's text input reads it: arrays element by element."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    return json.dumps(value)
