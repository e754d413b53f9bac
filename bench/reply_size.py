"""Size of one `query` reply for 1,000 rows against the same rows as compact JSON.

The reply (text table plus structured content, as JSON bytes on the wire) comes from the
scripted server over stdio; the baseline is json.dumps(rows, separators=(",", ":")) of the same
values, as objects keyed by column (what a client would build) and as bare arrays.
Prints sizes and ratios (target: reply / rows-as-objects <= 2.0). Run: python -m bench.reply_size
"""

import asyncio
import json
import sys

from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult

from tests.e2e.stdio import server_env
from tests.pg import FIXTURES, create_database, running_cluster

# Every order with its customer and its amount: 1,000 rows of int, text, timestamptz, enum, numeric.
SQL = (
    "SELECT o.id, c.name, c.country, o.placed_at, o.status, "
    "sum(oi.quantity * oi.unit_price) AS amount "
    "FROM orders o JOIN customers c ON c.id = o.customer_id "
    "JOIN order_items oi ON oi.order_id = o.id "
    "GROUP BY o.id, c.name, c.country ORDER BY o.id"
)


def json_bytes(value: object) -> int:
    """Bytes of `value` as compact UTF-8 JSON, as pydantic writes it on the wire."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


async def one_reply(dsn: str) -> CallToolResult:
    """The `query` reply for a question the scripted model answers with SQL."""
    env = server_env(dsn, None, PG_MCP_LOG_LEVEL="WARNING", PG_MCP_MAX_RESULT_ROWS="1000")
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "bench.scripted_server", SQL], env=env
    )
    async with Client(params, read_timeout_seconds=60) as client:
        result = await client.call_tool("query", {"query": "every order with its customer"})
    assert not result.is_error, result.content
    return result


def show(result: CallToolResult) -> None:
    """Print the reply's size against the baselines."""
    text = getattr(result.content[0], "text", "")
    structured = result.structured_content or {}
    columns = [str(c) for c in structured["columns"]]
    rows = [list(r) for r in structured["rows"]]
    objects = [dict(zip(columns, row, strict=True)) for row in rows]
    content = [{"type": "text", "text": text}]
    text_part = json_bytes(content)
    structured_part = json_bytes(structured)
    reply = json_bytes({"content": content, "structuredContent": structured})
    whole = len(result.model_dump_json(by_alias=True, exclude_unset=True).encode())
    as_objects, as_arrays = json_bytes(objects), json_bytes(rows)
    count, truncated = structured["row_count"], structured["truncated"]
    print(f"one `query` reply, {count} rows (truncated={truncated})")
    print(f"  columns {columns}")
    print(f"  first row {rows[0]}")
    print(f"  reply content (text)           {text_part:>8,} B")
    print(f"  reply structuredContent        {structured_part:>8,} B")
    print(f"  reply content + structured     {reply:>8,} B   (whole result as sent: {whole:,} B)")
    print(f"  rows as compact JSON objects   {as_objects:>8,} B   ratio {reply / as_objects:.3f}")
    print(f"  rows as compact JSON arrays    {as_arrays:>8,} B   ratio {reply / as_arrays:.3f}")


def main() -> None:
    """Measure one reply on a fresh shop database."""
    with running_cluster() as admin:
        dsn = create_database(admin, (FIXTURES / "shop_schema.sql",), prefix="bench")
        result = asyncio.run(one_reply(dsn))
    show(result)


if __name__ == "__main__":
    main()
