"""Turn asyncpg values into JSON-safe values, faithfully.

numeric        -> "197.00" (exact string; "NaN", "Infinity")
float4/8       -> float; inf/nan -> "Infinity", "-Infinity", "NaN"
timestamp(tz)  -> ISO 8601 "2024-01-01T00:00:00+00:00"; infinity -> "infinity"/"-infinity"
date, time(tz) -> ISO 8601
interval       -> ISO 8601 duration "P1Y2M3DT4H5M6.5S" (PostgreSQL's IntervalStyle iso_8601)
uuid, inet, cidr, bit, money, enum -> str
bytea          -> "\\x..." hex, as PostgreSQL prints it
json, jsonb    -> the parsed JSON value (codec set on each pool connection)
array          -> list, rendered element by element
range          -> {"lower", "upper", "lower_inc", "upper_inc", "empty"}; multirange -> list
composite      -> {"field": value}; an anonymous ROW(...) -> list
geometric      -> nested lists of coordinates
"""

import datetime as dt
import ipaddress
import math
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import asyncpg
from asyncpg.pgproto.types import BitString, Path

from domain.models import ColumnInfo, JsonValue, Row

# Any: asyncpg hands over values of whatever type the column has; each converter knows its own.
Converter = Callable[[Any], JsonValue]

_MICROS_PER_HOUR = 3_600_000_000
_MICROS_PER_MINUTE = 60_000_000


def render_interval(months: int, days: int, microseconds: int) -> str:
    """An interval as PostgreSQL prints it with IntervalStyle iso_8601, e.g. "P1M2DT3H"."""
    if not (months or days or microseconds):
        return "PT0S"
    years, months = _trunc_divmod(months, 12)
    hours, rest = _trunc_divmod(microseconds, _MICROS_PER_HOUR)
    minutes, micros = _trunc_divmod(rest, _MICROS_PER_MINUTE)
    date_part = "".join(f"{n}{unit}" for n, unit in ((years, "Y"), (months, "M"), (days, "D")) if n)
    time_part = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    if micros:
        time_part += f"{_seconds(micros)}S"
    return f"P{date_part}" + (f"T{time_part}" if time_part else "")


def _trunc_divmod(value: int, divisor: int) -> tuple[int, int]:
    # PostgreSQL truncates toward zero, so each part keeps the sign of the whole.
    quotient = abs(value) // divisor
    rest = abs(value) % divisor
    return (-quotient, -rest) if value < 0 else (quotient, rest)


def _seconds(micros: int) -> str:
    text = f"{abs(micros) / 1_000_000:.6f}".rstrip("0").rstrip(".")
    return f"-{text}" if micros < 0 else text


def render_interval_tuple(value: tuple[int, int, int]) -> str:
    """Decoder for asyncpg's tuple interval codec: (months, days, microseconds)."""
    return render_interval(*value)


_ISO_INTERVAL = re.compile(
    r"P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)D)?"
    r"(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+(?:\.\d+)?)S)?)?"
)


def interval_tuple(text: object) -> tuple[int, int, int]:
    """Encoder for the tuple interval codec: what render_interval printed, read back exactly.

    Raises:
        TypeError: the value is not such a duration (asyncpg reports it as bad input).
    """
    found = _ISO_INTERVAL.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise TypeError("an interval parameter is an ISO 8601 duration")
    years, months, days, hours, minutes = (int(part or 0) for part in found.groups()[:5])
    micros = round(Decimal(found.group(6) or 0) * 1_000_000)
    return (
        years * 12 + months,
        days,
        hours * _MICROS_PER_HOUR + minutes * _MICROS_PER_MINUTE + int(micros),
    )


def _numeric(value: Decimal) -> JsonValue:
    text = str(value)
    # str() uses exponents for very small or very large values; PostgreSQL never does.
    return format(value, "f") if "E" in text and value.is_finite() else text


def _float(value: float) -> JsonValue:
    if value - value == 0:  # false only for inf and nan, and cheaper than math.isfinite
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


_DATETIME_MAX = dt.datetime.max.replace(tzinfo=dt.UTC)
_DATETIME_MIN = dt.datetime.min.replace(tzinfo=dt.UTC)


def _datetime(value: dt.datetime) -> JsonValue:
    # asyncpg decodes PostgreSQL's infinity and -infinity to datetime.max and .min.
    if value.year in (1, 9999):
        if value.replace(tzinfo=dt.UTC) == _DATETIME_MAX:
            return "infinity"
        if value.replace(tzinfo=dt.UTC) == _DATETIME_MIN:
            return "-infinity"
    return value.isoformat()


def _date(value: dt.date) -> JsonValue:
    if value == dt.date.max:
        return "infinity"
    if value == dt.date.min:
        return "-infinity"
    return value.isoformat()


def _time(value: dt.time) -> JsonValue:
    return value.isoformat()


def _timedelta(value: dt.timedelta) -> JsonValue:
    # Only reached when the tuple interval codec is not installed (a bare connection).
    return render_interval(0, value.days, value.seconds * 1_000_000 + value.microseconds)


def _bytes(value: bytes | bytearray | memoryview) -> JsonValue:
    return "\\x" + bytes(value).hex()


def _bits(value: BitString) -> JsonValue:
    return value.as_string()


def _text(value: object) -> JsonValue:
    return str(value)


def _range(value: asyncpg.Range[Any]) -> JsonValue:
    return {
        "lower": render_value(value.lower),
        "upper": render_value(value.upper),
        "lower_inc": value.lower_inc,
        "upper_inc": value.upper_inc,
        "empty": value.isempty,
    }


def _record(value: asyncpg.Record) -> JsonValue:
    return {key: render_value(item) for key, item in value.items()}


def _sequence(value: Iterable[object]) -> JsonValue:
    return [render_value(item) for item in value]


def _path(value: Path) -> JsonValue:
    return _sequence(value.points)


def _mapping(value: dict[object, object]) -> JsonValue:
    return {str(key): render_value(item) for key, item in value.items()}


def _same(value: str | int) -> JsonValue:
    return value


_BY_TYPE: dict[type, Converter] = {
    str: _same,
    int: _same,
    bool: _same,
    float: _float,
    Decimal: _numeric,
    dt.datetime: _datetime,
    dt.date: _date,
    dt.time: _time,
    dt.timedelta: _timedelta,
    bytes: _bytes,
    list: _sequence,
    dict: _mapping,
    BitString: _bits,
}

# Checked in order for types not met before; the first match is cached in _BY_TYPE.
_BY_BASE: tuple[tuple[type | tuple[type, ...], Converter], ...] = (
    (asyncpg.Record, _record),
    (asyncpg.Range, _range),
    (Path, _path),
    ((bytearray, memoryview), _bytes),
    ((uuid.UUID, ipaddress.IPv4Address, ipaddress.IPv6Address), _text),
    ((ipaddress.IPv4Network, ipaddress.IPv6Network), _text),
    ((tuple, list), _sequence),
)


def render_value(value: object) -> JsonValue:
    """Any value asyncpg returns, as a JSON-safe value."""
    if value is None:
        return None
    return _converter_for(type(value))(value)


def _converter_for(kind: type) -> Converter:
    converter = _BY_TYPE.get(kind)
    if converter is None:
        converter = next((conv for base, conv in _BY_BASE if issubclass(kind, base)), _text)
        _BY_TYPE[kind] = converter
    return converter


# Column types whose values asyncpg already returns JSON-safe: no per-value call at all.
_PASS_THROUGH = frozenset({
    "int2", "int4", "int8", "oid", "bool", "text", "varchar", "bpchar", "char", "name",
    "money", "json", "jsonb", "macaddr", "macaddr8", "tsvector", "tsquery", "xml",
})  # fmt: skip
_BY_COLUMN_TYPE: dict[str, Converter] = {
    "numeric": _numeric,
    "float4": _float,
    "float8": _float,
    "timestamptz": _datetime,
    "timestamp": _datetime,
    "date": _date,
    "time": _time,
    "timetz": _time,
    "uuid": _text,
    "inet": _text,
    "cidr": _text,
    "bytea": _bytes,
    "bit": _bits,
    "varbit": _bits,
    "interval": render_value,  # str from the pool's codec, timedelta on a bare connection
}


def column_converter(type_name: str, type_schema: str, kind: str) -> Converter | None:
    """The converter for one result column, or None when its values are JSON already."""
    if type_schema == "pg_catalog" and kind == "scalar":
        if type_name in _PASS_THROUGH:
            return None
        return _BY_COLUMN_TYPE.get(type_name, render_value)
    return render_value


def column_info(attribute: asyncpg.Attribute) -> ColumnInfo:
    """A result column's name and a readable type name (schema shown outside pg_catalog/public)."""
    kind = attribute.type
    qualified = kind.schema not in ("pg_catalog", "public", "")
    return ColumnInfo(
        name=attribute.name, type=f"{kind.schema}.{kind.name}" if qualified else kind.name
    )


def render_rows(
    records: Sequence[asyncpg.Record] | Sequence[tuple[object, ...]],
    converters: Sequence[Converter | None],
) -> tuple[Row, ...]:
    """Records as tuples of JSON-safe values, one converter per column."""
    if not records or not any(converters):
        return tuple(tuple(record) for record in records)
    # Column by column: zip() transposes in C and each converter runs in a tight loop.
    columns = [
        values if convert is None else [v if v is None else convert(v) for v in values]
        for values, convert in zip(zip(*records, strict=True), converters, strict=True)
    ]
    return tuple(zip(*columns, strict=True))
