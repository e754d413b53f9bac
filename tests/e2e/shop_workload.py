"""The shop workload the soak test and bench share: questions, the model's answers, outcomes."""

import asyncio
import itertools
import json
import time

import asyncpg
from mcp.types import CallToolResult

from tests.fake_llm_server import Json, Responder

QUESTIONS = (
    "Revenue per country for paid and shipped orders",
    "Top ten customers by number of orders",
    "Orders per status with their total value",
    "Best selling product categories by units",
)
# What a model would answer for the shop schema: joins and aggregates, a few dozen rows at most.
ANSWERS = (
    "SELECT c.country, sum(oi.quantity * oi.unit_price) AS revenue FROM orders o "
    "JOIN customers c ON c.id = o.customer_id JOIN order_items oi ON oi.order_id = o.id "
    "WHERE o.status IN ('paid', 'shipped') GROUP BY c.country ORDER BY revenue DESC",
    "SELECT c.id, c.name, count(o.id) AS orders FROM customers c "
    "JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.name "
    "ORDER BY orders DESC, c.id LIMIT 10",
    "SELECT o.status, count(DISTINCT o.id) AS orders, sum(oi.quantity * oi.unit_price) AS total "
    "FROM orders o JOIN order_items oi ON oi.order_id = o.id GROUP BY o.status ORDER BY o.status",
    "SELECT p.category, sum(oi.quantity) AS units FROM products p "
    "JOIN order_items oi ON oi.product_id = p.id GROUP BY p.category ORDER BY units DESC",
)


def delayed_responder(delay: float) -> Responder:
    """A responder that thinks for `delay` seconds, then answers with one of ANSWERS."""

    turns = itertools.count()

    def respond(_request: Json) -> str:
        # The fake server answers each request on its own thread, so sleeping here is per call.
        time.sleep(delay)
        sql = ANSWERS[next(turns) % len(ANSWERS)]
        return json.dumps({"sql": sql, "explanation": "Answers the question."})

    return respond


def outcome(result: CallToolResult) -> str:
    """ "ok", or the error code of a failed call."""
    if not result.is_error:
        return "ok"
    error = (result.structured_content or {}).get("error") or {}
    return str(error.get("code", "unknown"))


async def backends(admin_dsn: str, database: str, *, wait: float = 0.0) -> int:
    """Backends on `database` other than the checking one, polled for up to `wait` s until 0."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        deadline = time.perf_counter() + wait
        while True:
            count = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> "
                "pg_backend_pid()",
                database,
            )
            if count == 0 or time.perf_counter() > deadline:
                return int(count)
            # Polling another process: there is no event to await.
            await asyncio.sleep(0.1)
    finally:
        await conn.close()
