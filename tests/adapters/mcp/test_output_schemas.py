"""Every structured reply, errors included, validates against the tool's published outputSchema."""

from typing import Any

import pytest
from jsonschema import Draft202012Validator
from mcp import Client

from adapters.mcp.server import UseCases, build_server
from adapters.memory.table_database import Outcome
from domain.errors import QueryTimedOut, RateLimited, SqlExecutionFailed
from domain.models import ColumnInfo, QueryResult
from tests.application.shop import build_world

TOP = "SELECT name, country FROM customers ORDER BY name"
BY_COUNTRY = "SELECT name, country FROM customers WHERE country = :country ORDER BY name"
BAD_COLUMN = "SELECT nme FROM customers"
SLOW = "SELECT count(*) FROM orders"
ROWS = QueryResult(
    columns=(ColumnInfo(name="name", type="text"), ColumnInfo(name="country", type="text")),
    rows=(("Ada", "GB"), ("Bob", None)),
)
RESULTS: dict[str, Outcome] = {
    TOP: ROWS,
    BY_COUNTRY.replace(":country", "$1"): ROWS,
    BAD_COLUMN: SqlExecutionFailed("column nme does not exist", sqlstate="42703"),
    SLOW: QueryTimedOut(),
}

# (tool, arguments, chat replies, the code expected or None for success)
CALLS: list[tuple[str, dict[str, Any], list[str], str | None]] = [
    ("query", {"query": "q"}, [TOP], None),
    ("query", {"query": "q", "return_mode": "sql"}, [TOP], None),
    ("query", {"query": "q", "max_rows": 1}, [TOP], None),
    ("query", {"query": "q", "parameters": {"max_rows": 1}}, [TOP], "ERR_008"),
    ("query", {"query": "q", "parameters": {"country": "GB"}}, [BY_COUNTRY], None),
    ("query", {"query": BY_COUNTRY, "parameters": {"country": "GB"}}, [], None),
    (
        "query",
        {"query": BY_COUNTRY, "return_mode": "sql", "parameters": {"country": "GB"}},
        [],
        None,
    ),
    ("query", {"query": BY_COUNTRY, "parameters": {"nation": "GB"}}, [], "ERR_008"),
    ("explain", {"query": BY_COUNTRY, "parameters": {"country": "GB"}}, [], None),
    ("query", {"query": "drop it"}, ["DROP TABLE customers"], "ERR_005"),
    ("query", {"query": "typo"}, [BAD_COLUMN] * 3, "ERR_006"),
    ("query", {"query": "no model left"}, [], "ERR_003"),
    ("query", {"query": "slow"}, [SLOW], "ERR_010"),
    ("query", {"query": "q", "database": "nope"}, [TOP], "ERR_008"),
    ("query", {"query": "q", "return_mode": "rows"}, [TOP], "ERR_008"),
    ("query", {}, [TOP], "ERR_008"),
    ("explain", {"query": "q"}, [TOP], None),
    ("explain", {"query": "drop it"}, ["DROP TABLE customers"], "ERR_005"),
    ("explain", {"query": "q", "database": "nope"}, [TOP], "ERR_008"),
    ("explain", {"query": 5}, [TOP], "ERR_008"),
    ("get_schema", {}, [], None),
    ("get_schema", {"format": "detailed"}, [], None),
    ("get_schema", {"format": "ddl", "refresh": True}, [], None),
    ("get_schema", {"database": "nope"}, [], "ERR_008"),
    ("get_schema", {"format": "xml"}, [], "ERR_008"),
]


def _client(replies: list[str]) -> Client:
    world = build_world(replies, RESULTS)
    server = build_server(
        UseCases(answer=world.answer, explain=world.explain, describe=world.describe)
    )
    return Client(server)


@pytest.mark.anyio
@pytest.mark.parametrize(("tool", "arguments", "replies", "code"), CALLS)
async def test_the_structured_reply_validates_against_the_published_output_schema(
    tool: str, arguments: dict[str, Any], replies: list[str], code: str | None
) -> None:
    async with _client(replies) as client:
        schemas = {t.name: t.output_schema for t in (await client.list_tools()).tools}
        result = await client.call_tool(tool, arguments)

    schema = schemas[tool]
    assert schema is not None
    assert schema["type"] == "object"
    Draft202012Validator.check_schema(schema)
    data = result.structured_content
    assert data is not None
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(data)]
    assert errors == []
    assert result.is_error is (code is not None)
    if code is not None:
        assert data["error"]["code"] == code
        assert result.content[0].text.startswith(f"{code}: ")  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_a_success_shape_without_its_fields_does_not_validate() -> None:
    async with _client([]) as client:
        schemas = {t.name: t.output_schema for t in (await client.list_tools()).tools}

    for schema in schemas.values():
        assert schema is not None
        validator = Draft202012Validator(schema)
        assert not validator.is_valid({"rows": []})
        assert not validator.is_valid({"error": {"code": "ERR_999", "message": "x"}})


@pytest.mark.anyio
async def test_an_unknown_tool_is_an_err_008_result() -> None:
    async with _client([]) as client:
        result = await client.call_tool("drop_database", {})

    assert result.is_error
    assert result.structured_content is not None
    assert result.structured_content["error"]["code"] == "ERR_008"
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.startswith("ERR_008: ")
    assert "query, explain, get_schema" in text


@pytest.mark.anyio
async def test_a_bad_argument_is_named_with_what_was_expected() -> None:
    async with _client([]) as client:
        result = await client.call_tool("query", {"query": "q", "return_mode": "rows"})

    text = result.content[0].text  # type: ignore[union-attr]
    assert text.startswith("ERR_008: ")
    assert "return_mode" in text
    assert "'result' or 'sql'" in text
    assert "rows" not in text  # the value sent is the caller's data, not echoed


def _refuse(client_key: str) -> None:
    raise RateLimited(retry_after=1.5)


@pytest.mark.anyio
@pytest.mark.parametrize("tool", ["query", "explain", "get_schema"])
async def test_a_rate_limited_call_validates_with_its_retry_after(tool: str) -> None:
    world = build_world([TOP], RESULTS)
    use_cases = UseCases(answer=world.answer, explain=world.explain, describe=world.describe)
    async with Client(build_server(use_cases, admit=_refuse)) as client:
        schemas = {t.name: t.output_schema for t in (await client.list_tools()).tools}
        result = await client.call_tool(tool, {"query": "q"} if tool != "get_schema" else {})

    schema = schemas[tool]
    assert schema is not None
    assert result.structured_content is not None
    Draft202012Validator(schema).validate(result.structured_content)
    assert result.structured_content["error"] == {
        "code": "ERR_009",
        "message": result.content[0].text.removeprefix("ERR_009: "),  # type: ignore[union-attr]
        "retry_after": 1.5,
    }
