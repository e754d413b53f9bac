"""Query plans from EXPLAIN (FORMAT JSON): the estimates and a readable tree of nodes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from domain.models import QueryPlan

if TYPE_CHECKING:
    from adapters.postgres.asyncpg_database import Connection


async def read_plan(conn: Connection, sql: str, args: Sequence[object]) -> QueryPlan:
    """The planner's estimate for sql with these arguments, on this connection."""
    # fetchval() prepares: the extended protocol refuses a second statement spliced into sql.
    return plan_of(await conn.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *args))


def plan_of(document: Any) -> QueryPlan:
    """A QueryPlan from EXPLAIN's JSON, as text (asyncpg without a codec) or decoded."""
    return plan_from_explain(json.loads(document) if isinstance(document, str) else document)


def plan_from_explain(document: Any) -> QueryPlan:
    """A QueryPlan from the output of EXPLAIN (FORMAT JSON)."""
    top: dict[str, Any] = document[0]["Plan"]
    return QueryPlan(
        total_cost=float(top["Total Cost"]),
        plan_rows=int(top["Plan Rows"]),
        text="\n".join(_plan_lines(top, depth=0)),
        plan=top,
    )


def _plan_lines(node: dict[str, Any], *, depth: int) -> list[str]:
    prefix = "  " * depth + ("-> " if depth else "")
    lines = [prefix + _describe(node)]
    for child in node.get("Plans", ()):
        lines.extend(_plan_lines(child, depth=depth + 1))
    return lines


_AGGREGATE_LABELS = {
    "Hashed": "HashAggregate",
    "Sorted": "GroupAggregate",
    "Mixed": "MixedAggregate",
}


def _describe(node: dict[str, Any]) -> str:
    label = node["Node Type"]
    if label == "ModifyTable":
        label = node.get("Operation", label)
    if label == "Aggregate":
        label = _AGGREGATE_LABELS.get(node.get("Strategy", ""), label)
    if node.get("Join Type") not in (None, "Inner") and label.endswith(" Join"):
        label = f"{label[: -len(' Join')]} {node['Join Type']} Join"
    if "Index Name" in node:
        label += f" using {node['Index Name']}"
    if "Relation Name" in node:
        label += f" on {node['Relation Name']}"
        if node.get("Alias") not in (None, node["Relation Name"]):
            label += f" {node['Alias']}"
    cost = f"cost={node['Startup Cost']:.2f}..{node['Total Cost']:.2f}"
    return f"{label}  ({cost} rows={node['Plan Rows']})"
