"""A deterministic synthetic ERP schema with realistic names, comments and keys, at any size.

Core tables (orders, employees, journal entries, ...) come from tests/fixtures/erp/vocabulary.json;
the rest are the satellite tables a long-lived ERP grows around them (history, audit logs,
attachments, staging, yearly partitions, ...), each with a foreign key back to its core table.
"""

import json
import random
import zlib
from functools import cache
from pathlib import Path
from typing import Any

from domain.models import Column, EnumType, ForeignKey, SchemaSnapshot, Table

VOCABULARY = Path(__file__).parent / "fixtures" / "erp" / "vocabulary.json"

SMALL_ERP_TABLES = (
    "core.countries",
    "core.currencies",
    *(f"crm.{name}" for name in ("customers", "contacts", "leads", "opportunities", "campaigns")),
    *(f"crm.{name}" for name in ("campaign_responses", "activities", "support_tickets")),
    "crm.loyalty_accounts",
    *(f"sales.{name}" for name in ("order_headers", "order_lines", "quotes", "quote_lines")),
    *(f"sales.{name}" for name in ("price_lists", "price_list_items", "discounts", "invoices")),
    *(f"sales.{name}" for name in ("invoice_lines", "credit_notes", "returns", "return_lines")),
    *(f"sales.{name}" for name in ("customer_payments", "sales_targets", "commissions")),
    *(f"inventory.{name}" for name in ("products", "product_categories", "warehouses")),
    "inventory.stock_levels",
)

_UNIQUE_NAMES = ("code", "sku", "login", "iso_code")
# Every table gets these itself, so an archive copy leaves them out of what it copies.
_OWN_COLUMNS = ("id", "created_at", "updated_at")


def erp_snapshot(table_count: int = 2000, *, database: str = "erp") -> SchemaSnapshot:
    """An ERP schema of `table_count` relations across nine schemas; same count, same schema."""
    vocabulary = _vocabulary()
    tables = _core_tables(vocabulary)
    satellites = _satellite_plan(vocabulary)
    if table_count > len(tables) + len(satellites):
        raise ValueError(f"at most {len(tables) + len(satellites)} tables can be generated")
    cores = {(t.schema, t.name): t for t in tables}
    for schema, entity, qualifier, year in satellites[: max(table_count - len(tables), 0)]:
        tables.append(_satellite(cores[(schema, entity)], qualifier, year))
    return _snapshot(database, tables[:table_count], vocabulary)


def small_erp_snapshot() -> SchemaSnapshot:
    """A 30-table slice of the ERP (customers, sales, products); keys outside it are dropped."""
    vocabulary = _vocabulary()
    wanted = set(SMALL_ERP_TABLES)
    tables = [
        _without_keys_outside(t, wanted)
        for t in _core_tables(vocabulary)
        if t.qualified_name in wanted
    ]
    return _snapshot("erp_small", tables, vocabulary)


@cache
def _vocabulary() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(VOCABULARY.read_text(encoding="utf-8"))
    return loaded


def _snapshot(database: str, tables: list[Table], vocabulary: dict[str, Any]) -> SchemaSnapshot:
    used = {column.data_type for table in tables for column in table.columns}
    enums = tuple(
        EnumType(schema=name.split(".")[0], name=name.split(".")[1], labels=tuple(labels))
        for name, labels in sorted(vocabulary["enums"].items())
        if name in used
    )
    ordered = tuple(sorted(tables, key=lambda t: (t.schema, t.name)))
    return SchemaSnapshot(database=database, tables=ordered, enums=enums)


def _core_tables(vocabulary: dict[str, Any]) -> list[Table]:
    return [
        _table(schema, entity["name"], entity["comment"], entity["columns"], core=True)
        for schema, entities in vocabulary["core"].items()
        for entity in entities
    ]


def _satellite_plan(vocabulary: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], int]]:
    """Every satellite table that can be made, in a fixed shuffled order, partitions last."""
    cores = [(s, e["name"]) for s, entities in vocabulary["core"].items() for e in entities]
    qualifiers = vocabulary["qualifiers"]
    plain = [(s, name, q, 0) for s, name in cores for q in qualifiers]
    partitioned = [q for q in qualifiers if q["suffix"] in vocabulary["partitioned_qualifiers"]]
    partitions = [
        (s, name, q, year)
        for s, name in cores
        for q in partitioned
        for year in vocabulary["partition_years"]
    ]
    # Seeded shuffles: which satellites a size gets is arbitrary but fixed (not security).
    random.Random(2024).shuffle(plain)  # noqa: S311
    random.Random(2025).shuffle(partitions)  # noqa: S311
    return plain + partitions


def _satellite(core: Table, qualifier: dict[str, Any], year: int) -> Table:
    label = f"{core.name.replace('_', ' ')} ({core.qualified_name})"
    comment = qualifier["comment"].format(label=label)
    name = f"{core.name}_{qualifier['suffix']}"
    if year:
        name, comment = f"{name}_{year}", f"{comment}; partition for {year}"
    specs: list[str] = []
    for spec in qualifier["columns"]:
        if spec == "*":
            specs.extend(_copied_spec(c) for c in core.columns if c.name not in _OWN_COLUMNS)
        else:
            specs.append(spec.format(fk=f"{_singular(core.name)}_id", ref=core.qualified_name))
    return _table(core.schema, name, comment, specs, core=False)


def _copied_spec(column: Column) -> str:
    spec = f"{column.name} {column.data_type}"
    return f"{spec} | {column.comment}" if column.comment else spec


def _table(schema: str, name: str, comment: str, specs: list[str], *, core: bool) -> Table:
    columns = [Column(name="id", data_type="bigint", nullable=False)]
    keys: list[ForeignKey] = []
    for spec in specs:
        column, ref = _column(spec)
        columns.append(column)
        if ref is not None:
            keys.append(_foreign_key(name, column.name, ref))
    columns.append(Column(name="created_at", data_type="timestamptz", nullable=False))
    if core:
        columns.append(Column(name="updated_at", data_type="timestamptz"))
    unique = tuple(
        (c.name,)
        for c in columns
        if not c.nullable and c.name.endswith(("_number", *_UNIQUE_NAMES))
    )
    return Table(
        schema=schema,
        name=name,
        columns=tuple(columns),
        primary_key=("id",),
        unique_keys=unique,
        foreign_keys=tuple(keys),
        comment=comment,
        row_estimate=zlib.crc32(f"{schema}.{name}".encode()) % 5_000_000,
    )


def _column(spec: str) -> tuple[Column, str | None]:
    """Parse `name [type] [!] [>schema.table] [| comment]` (see the vocabulary's _about)."""
    head, _, comment = spec.partition(" | ")
    name, *flags = head.split()
    ref = next((flag[1:] for flag in flags if flag.startswith(">")), None)
    types = [flag for flag in flags if flag != "!" and not flag.startswith(">")]
    data_type = types[0] if types else ("bigint" if ref else "text")
    column = Column(
        name=name, data_type=data_type, nullable="!" not in flags, comment=comment or None
    )
    return column, ref


def _foreign_key(table: str, column: str, ref: str) -> ForeignKey:
    ref_schema, ref_table = ref.split(".")
    return ForeignKey(
        name=f"{table}_{column}_fkey",
        columns=(column,),
        ref_schema=ref_schema,
        ref_table=ref_table,
        ref_columns=("id",),
    )


def _without_keys_outside(table: Table, kept: set[str]) -> Table:
    keys = tuple(fk for fk in table.foreign_keys if f"{fk.ref_schema}.{fk.ref_table}" in kept)
    return Table(
        schema=table.schema,
        name=table.name,
        columns=table.columns,
        primary_key=table.primary_key,
        unique_keys=table.unique_keys,
        foreign_keys=keys,
        comment=table.comment,
        row_estimate=table.row_estimate,
    )


def _singular(name: str) -> str:
    """order_headers -> order_header, bills_of_materials -> bill_of_materials."""
    first, sep, rest = name.partition("_of_")
    if sep:
        return _singular(first) + sep + rest
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("sses"):
        return name[:-2]
    return name.removesuffix("s")
