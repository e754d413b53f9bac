"""The tool contract over the in-memory MCP client: names, parameters, result and error shapes."""

from typing import Any

import pytest
from mcp import Client

from adapters.mcp.server import UseCases, build_server
from adapters.memory.table_database import Outcome
from domain.errors import QueryTimedOut
from domain.models import ColumnInfo, QueryResult
from tests.application.shop import build_world

TOP = "SELECT name, country FROM customers ORDER BY name"
ROWS = QueryResult(
    columns=(ColumnInfo(name="name", type="text"), ColumnInfo(name="country", type="text")),
    rows=(("Ada", "GB"), ("Bob", None)),
)


def _client(replies: list[str], results: dict[str, Outcome]) -> Client:
    world = build_world(replies, results)
    server = build_server(
        UseCases(answer=world.answer, explain=world.explain, describe=world.describe)
    )
    return Client(server)


def _error(result: Any) -> dict[str, Any]:
    assert result.is_error
    return dict(result.structured_content["error"])


@pytest.mark.anyio
async def test_exactly_three_read_only_tools_with_the_documented_parameters() -> None:
    async with _client([], {}) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}

    assert set(tools) == {"query", "explain", "get_schema"}
    assert set(tools["query"].input_schema["properties"]) == {
        "query",
        "return_mode",
        "database",
        "parameters",
        "max_rows",
    }
    assert set(tools["explain"].input_schema["properties"]) == {"query", "database", "parameters"}
    assert set(tools["get_schema"].input_schema["properties"]) == {"refresh", "format", "database"}
    assert tools["query"].input_schema["properties"]["return_mode"]["enum"] == ["result", "sql"]
    assert tools["get_schema"].input_schema["properties"]["format"]["enum"] == [
        "summary",
        "detailed",
        "ddl",
    ]
    for tool in tools.values():
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is True
        assert tool.output_schema is not None
        assert tool.description
        assert not any(line.startswith(" ") for line in tool.description.splitlines())


@pytest.mark.anyio
async def test_query_returns_rows_as_text_and_structured_content() -> None:
    async with _client([TOP], {TOP: ROWS}) as client:
        result = await client.call_tool("query", {"query": "customers and countries"})

    assert not result.is_error
    data = result.structured_content
    assert data is not None
    assert data["database"] == "shop"
    assert data["sql"] == TOP
    assert data["columns"] == ["name", "country"]
    assert data["rows"] == [["Ada", "GB"], ["Bob", None]]
    assert data["row_count"] == 2
    assert data["truncated"] is False
    text = result.content[0].text  # type: ignore[union-attr]
    assert "Ada" in text
    assert "NULL" in text


@pytest.mark.anyio
async def test_sql_mode_returns_sql_and_no_rows() -> None:
    async with _client([TOP], {TOP: ROWS}) as client:
        result = await client.call_tool("query", {"query": "q", "return_mode": "sql"})

    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["sql"] == TOP
    assert result.structured_content.get("rows") is None


@pytest.mark.anyio
async def test_explain_returns_cost_rows_and_plan() -> None:
    async with _client([TOP], {TOP: ROWS}) as client:
        result = await client.call_tool("explain", {"query": "q"})

    assert not result.is_error
    data = result.structured_content
    assert data is not None
    assert data["plan_rows"] == 2
    assert data["sql"] == TOP


@pytest.mark.anyio
async def test_get_schema_lists_tables() -> None:
    async with _client([], {}) as client:
        result = await client.call_tool("get_schema", {"format": "detailed"})

    assert not result.is_error
    assert result.structured_content is not None
    names = {t["name"] for t in result.structured_content["tables"]}
    assert {"customers", "orders", "users"} <= names


@pytest.mark.anyio
async def test_a_write_is_an_err_005_result_with_structured_error() -> None:
    async with _client(["DROP TABLE customers"], {}) as client:
        result = await client.call_tool("query", {"query": "drop it"})

    error = _error(result)
    assert error["code"] == "ERR_005"
    assert result.content[0].text.startswith("ERR_005: ")  # type: ignore[union-attr]


@pytest.mark.anyio
@pytest.mark.parametrize(
    "arguments",
    [
        {"query": ""},
        {"query": "q", "database": "nope"},
        {"query": "q", "return_mode": "rows"},
        {"query": TOP, "parameters": {"limit": 3}},
        {"query": TOP, "parameters": [3]},
        {"query": "q", "parameters": {"max_rows": 5}},
        {"query": "q", "max_rows": 0},
        {},
    ],
)
async def test_bad_arguments_are_err_008(arguments: dict[str, Any]) -> None:
    async with _client([TOP], {TOP: ROWS}) as client:
        result = await client.call_tool("query", arguments)

    assert _error(result)["code"] == "ERR_008"
    assert result.content[0].text.startswith("ERR_008: ")  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_get_schema_with_a_wrong_format_is_err_008() -> None:
    async with _client([], {}) as client:
        result = await client.call_tool("get_schema", {"format": "xml"})

    assert _error(result)["code"] == "ERR_008"


@pytest.mark.anyio
async def test_a_timeout_is_err_010() -> None:
    async with _client([TOP], {TOP: QueryTimedOut()}) as client:
        result = await client.call_tool("query", {"query": "slow"})

    assert _error(result)["code"] == "ERR_010"


@pytest.mark.anyio
async def test_max_rows_argument_caps_the_rows() -> None:
    async with _client([TOP], {TOP: ROWS}) as client:
        result = await client.call_tool("query", {"query": "q", "max_rows": 1})

    assert result.structured_content is not None
    assert result.structured_content["row_count"] == 1
    assert result.structured_content["truncated"] is True


@pytest.mark.anyio
async def test_max_rows_in_parameters_is_err_008_pointing_to_the_argument() -> None:
    async with _client([TOP], {TOP: ROWS}) as client:
        result = await client.call_tool("query", {"query": "q", "parameters": {"max_rows": 1}})

    error = _error(result)
    assert error["code"] == "ERR_008"
    assert "max_rows=N" in error["message"]


@pytest.mark.anyio
async def test_sql_mode_returns_the_placeholders_and_the_name_of_each_value() -> None:
    given = "SELECT name FROM customers WHERE country = :country AND id > :after"
    sql = "SELECT name FROM customers WHERE country = $1 AND id > $2"
    async with _client([], {sql: ROWS}) as client:
        result = await client.call_tool(
            "query",
            {"query": given, "return_mode": "sql", "parameters": {"after": 3, "country": "GB"}},
        )

    assert result.structured_content == {
        "database": "shop",
        "sql": sql,
        "explanation": "",
        "parameters": ["country", "after"],
    }
    assert "Parameters: $1 = country, $2 = after" in result.content[0].text  # type: ignore[union-attr]
    assert "GB" not in result.content[0].text  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_progress_is_reported_at_each_stage_when_asked() -> None:
    seen: list[str | None] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(message)

    async with _client([TOP], {TOP: ROWS}) as client:
        await client.call_tool("query", {"query": "q"}, progress_callback=on_progress)

    assert seen == ["schema", "drafting", "checking", "running"]


@pytest.mark.anyio
@pytest.mark.parametrize(("rows", "said"), [(ROWS.rows[:1], "1 row"), (ROWS.rows, "2 rows")])
async def test_the_text_counts_rows_in_plain_english(
    rows: tuple[tuple[str, str | None], ...], said: str
) -> None:
    result = QueryResult(columns=ROWS.columns, rows=rows)
    async with _client([TOP], {TOP: result}) as client:
        answer = await client.call_tool("query", {"query": "Customers?"})

    lines = answer.content[0].text.splitlines()  # type: ignore[union-attr]
    assert said in lines


@pytest.mark.anyio
async def test_an_unexpected_failure_is_logged_with_its_cause_and_answered_with_a_code(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world([], {})

    async def broken(*args: object, **kwargs: object) -> QueryResult:
        shapes: dict[str, int] = {}
        try:
            shapes["orders"]
        except KeyError as cause:
            raise RuntimeError("the adapter broke") from cause
        raise AssertionError("unreachable")

    monkeypatch.setattr(world.database, "fetch", broken)
    server = build_server(
        UseCases(answer=world.answer, explain=world.explain, describe=world.describe)
    )
    async with Client(server) as client:
        result = await client.call_tool("query", {"query": TOP})

    error = _error(result)
    assert error["code"] == "ERR_006"
    assert "the adapter broke" not in str(result.structured_content)  # no internals to the client
    logged = next(r for r in caplog.records if "failed unexpectedly" in r.getMessage())
    assert logged.exc_info is not None
    assert isinstance(logged.exc_info[1], RuntimeError)
    assert isinstance(logged.exc_info[1].__cause__, KeyError)
