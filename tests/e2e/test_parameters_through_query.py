"""Parameters through the query and explain tools on a real PostgreSQL: values stay values."""

import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from adapters.mcp.server import build_server
from adapters.memory.scripted_chat_model import ScriptedChatModel
from bootstrap.runtime import running_container
from bootstrap.serving import use_cases
from domain.models import ChatMessage
from tests.container_settings import settings_for
from tests.e2e.test_corpus_through_query import fingerprint

ATTACKS = [
    "Customer 1' OR '1'='1",
    "x'; DELETE FROM canary; --",
    "'); UPDATE canary SET note = 'owned'; SELECT ('",
    "$$; DROP TABLE canary; $$",
    "Customer 1\\'; TRUNCATE canary; --",
    "Customer 1",
]


@asynccontextmanager
async def tools(
    dsn: str, draft: str = "", *, show_values: bool = False
) -> AsyncIterator[tuple[Client, ScriptedChatModel]]:
    """An MCP client of the real container; the model drafts `draft` for any question."""
    settings = settings_for(dsn, query={"show_parameter_values": show_values})
    model = ScriptedChatModel(responder=lambda _messages: draft)
    async with running_container(settings) as container:
        container.chat_model.override(model)
        async with Client(build_server(await use_cases(container))) as client:
            yield client, model


def literal(value: str) -> str:
    """The value as a plain SQL string literal, as a careful person writes it by hand."""
    return "'" + value.replace("'", "''") + "'"


def rows_of(result: Any) -> list[list[Any]]:
    assert not result.is_error, result.content[0].text
    return list(result.structured_content["rows"])


def error_of(result: Any) -> dict[str, Any]:
    assert result.is_error
    return dict(result.structured_content["error"])


def prompt_text(conversations: Sequence[Sequence[ChatMessage]]) -> str:
    return "\n".join(message.content for messages in conversations for message in messages)


@pytest.mark.anyio
async def test_a_value_holding_quotes_and_sql_gives_the_plain_comparisons_rows_and_changes_nothing(
    fresh_shop_dsn: str,
) -> None:
    before = await fingerprint(fresh_shop_dsn)
    bound, plain = [], []

    async with tools(fresh_shop_dsn) as (client, _):
        for value in ATTACKS:
            sql = "SELECT id, name FROM customers WHERE name = :name ORDER BY id"
            given = await client.call_tool("query", {"query": sql, "parameters": {"name": value}})
            bound.append(rows_of(given))
            written = sql.replace(":name", literal(value))
            plain.append(rows_of(await client.call_tool("query", {"query": written})))

    assert bound == plain
    assert bound[-1] == [[1, "Customer 1"]]
    assert await fingerprint(fresh_shop_dsn) == before


@pytest.mark.anyio
async def test_named_and_positional_forms_return_the_same_rows(shop_dsn: str) -> None:
    named = "SELECT id FROM customers WHERE country = :country AND id < :below ORDER BY id"
    positional = "SELECT id FROM customers WHERE country = $1 AND id < $2 ORDER BY id"

    async with tools(shop_dsn) as (client, _):
        by_name = await client.call_tool(
            "query", {"query": named, "parameters": {"below": 40, "country": "GB"}}
        )
        by_position = await client.call_tool(
            "query", {"query": positional, "parameters": ["GB", 40]}
        )

    assert rows_of(by_name) == rows_of(by_position) == [[6], [14], [22], [30], [38]]
    assert by_name.structured_content["sql"] == positional
    assert by_name.structured_content["parameters"] == ["country", "below"]
    assert by_position.structured_content["parameters"] == ["$1", "$2"]


@pytest.mark.anyio
async def test_strings_convert_to_the_placeholders_types_as_literals_would(shop_dsn: str) -> None:
    sql = (
        "SELECT count(*) FROM orders WHERE placed_at >= :since AND status = :status "
        "AND customer_id = ANY(:ids)"
    )
    written = (
        "SELECT count(*) FROM orders WHERE placed_at >= '2024-03-01' AND status = 'paid' "
        "AND customer_id = ANY('{8,15,22}')"
    )
    values = {"since": "2024-03-01", "status": "paid", "ids": [8, 15, 22]}

    async with tools(shop_dsn) as (client, _):
        given = await client.call_tool("query", {"query": sql, "parameters": values})
        plain = await client.call_tool("query", {"query": written})

    assert rows_of(given) == rows_of(plain)
    assert rows_of(given)[0][0] > 0


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("sql", "value"),
    [
        ("SELECT count(*) FROM orders WHERE placed_at >= :since", "the 3rd of May"),
        ("SELECT count(*) FROM orders WHERE status = :since", "lost-in-transit"),
        ("SELECT count(*) FROM orders WHERE id = :since", "forty-two"),
        ("SELECT count(*) FROM orders WHERE id = ANY(:since)", "not-a-list"),
    ],
)
async def test_a_value_that_does_not_convert_is_err_008_naming_the_parameter_only(
    shop_dsn: str, sql: str, value: str
) -> None:
    async with tools(shop_dsn) as (client, _):
        result = await client.call_tool("query", {"query": sql, "parameters": {"since": value}})

    error = error_of(result)
    assert error["code"] == "ERR_008"
    assert "since" in error["message"]
    assert value not in result.content[0].text  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_a_value_postgresql_quotes_in_an_error_is_not_shown(
    shop_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "hunter2-private"
    sql = "SELECT count(*) FROM orders WHERE id = (:code || '')::int"

    with caplog.at_level(logging.DEBUG):
        async with tools(shop_dsn, sql) as (client, model):
            direct = await client.call_tool("query", {"query": sql, "parameters": {"code": secret}})
            drafted = await client.call_tool(
                "query", {"query": "orders with this code", "parameters": {"code": secret}}
            )

    assert error_of(direct)["code"] == error_of(drafted)["code"] == "ERR_006"
    assert "<code>" in error_of(direct)["message"]
    shown = [direct.content[0].text, drafted.content[0].text, caplog.text]  # type: ignore[union-attr]
    shown.append(prompt_text(model.conversations))
    assert all(secret not in text for text in shown)


@pytest.mark.anyio
async def test_the_model_writes_placeholders_from_names_and_types_without_seeing_values(
    shop_dsn: str,
) -> None:
    draft = "SELECT id FROM customers WHERE country = :country AND id < :below ORDER BY id"

    async with tools(shop_dsn, draft) as (client, model):
        result = await client.call_tool(
            "query",
            {"query": "customers of this country", "parameters": {"country": "GB", "below": 40}},
        )

    assert rows_of(result) == [[6], [14], [22], [30], [38]]
    assert result.structured_content["sql"].endswith("country = $1 AND id < $2 ORDER BY id")
    question = model.conversations[0][-1].content
    parameters = question[question.index("Parameters:") :]
    assert "- :country: string\n- :below: integer" in parameters
    assert "GB" not in parameters
    assert "40" not in parameters


@pytest.mark.anyio
async def test_the_model_sees_values_when_the_operator_allows_it(shop_dsn: str) -> None:
    draft = "SELECT id FROM customers WHERE country = :country ORDER BY id LIMIT 1"

    async with tools(shop_dsn, draft, show_values=True) as (client, model):
        result = await client.call_tool(
            "query", {"query": "first customer here", "parameters": {"country": "GB"}}
        )

    assert rows_of(result) == [[6]]
    assert '- :country: string = "GB"' in prompt_text(model.conversations)


@pytest.mark.anyio
async def test_a_draft_without_the_placeholder_is_repaired_then_err_008(shop_dsn: str) -> None:
    async with tools(shop_dsn, "SELECT id FROM customers WHERE country = 'GB'") as (client, model):
        result = await client.call_tool(
            "query", {"query": "customers of this country", "parameters": {"country": "GB"}}
        )

    assert error_of(result)["code"] == "ERR_008"
    assert len(model.conversations) == 3  # the first draft and two repairs
    assert "country" in model.conversations[-1][-1].content


@pytest.mark.anyio
async def test_sql_mode_and_explain_work_with_parameters(shop_dsn: str) -> None:
    sql = "SELECT id FROM customers WHERE id = :id"
    arguments = {"query": sql, "parameters": {"id": 7}}

    async with tools(shop_dsn) as (client, _):
        checked = await client.call_tool("query", {**arguments, "return_mode": "sql"})
        plan = await client.call_tool("explain", arguments)
        bad = await client.call_tool("explain", {"query": sql, "parameters": {"id": "seven"}})

    assert checked.structured_content == {
        "database": "default",
        "sql": "SELECT id FROM customers WHERE id = $1",
        "explanation": "",
        "parameters": ["id"],
    }
    assert plan.structured_content["sql"] == "SELECT id FROM customers WHERE id = $1"
    assert plan.structured_content["parameters"] == ["id"]
    assert plan.structured_content["plan_rows"] == 1
    assert error_of(bad)["code"] == "ERR_008"


@pytest.mark.anyio
async def test_a_placeholder_where_a_name_belongs_is_refused(shop_dsn: str) -> None:
    async with tools(shop_dsn, "SELECT id FROM :t") as (client, _):
        table = await client.call_tool(
            "query", {"query": "rows of this table", "parameters": {"t": "credentials"}}
        )
        function = await client.call_tool(
            "query",
            {"query": "SELECT (:path).pg_read_file", "parameters": {"path": "/etc/passwd"}},
        )

    assert error_of(table)["code"] == "ERR_005"
    assert error_of(function)["code"] == "ERR_005"


@pytest.mark.anyio
async def test_the_readme_example_runs_as_written(shop_dsn: str) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    start = readme.index('{"query": "SELECT id, placed_at')
    example = json.loads(readme[start : readme.index("```", start)])

    async with tools(shop_dsn) as (client, _):
        result = await client.call_tool("query", example)

    assert rows_of(result)
    assert result.structured_content["parameters"] == ["customer_id", "since", "statuses"]


@pytest.mark.anyio
async def test_a_limit_and_offset_take_values(shop_dsn: str) -> None:
    sql = "SELECT id FROM customers ORDER BY id LIMIT :n OFFSET :skip"

    async with tools(shop_dsn) as (client, _):
        result = await client.call_tool("query", {"query": sql, "parameters": {"n": 3, "skip": 2}})

    assert rows_of(result) == [[3], [4], [5]]
    assert result.structured_content["sql"].endswith("LIMIT $1 OFFSET $2")
