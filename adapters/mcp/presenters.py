"""Turns use-case results and errors into tool results: readable text plus structured content."""

from collections.abc import Mapping
from dataclasses import asdict

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from adapters.mcp.output_models import ErrorOutput, ExplainOutput, QueryOutput, SchemaOutput
from adapters.mcp.text_table import count_rows, render_table
from application.messages import Answer, Explanation, SchemaDescription
from domain.errors import PgMcpError


def present_answer(answer: Answer) -> CallToolResult:
    """A query result: the SQL and, in result mode, the rows."""
    structured: dict[str, object] = {
        "database": answer.database,
        "sql": answer.sql,
        "explanation": answer.explanation,
    }
    if answer.routing is not None:
        structured["routing"] = answer.routing
    if answer.candidates is not None:
        structured["candidates"] = answer.candidates
    lines = [f"SQL ({answer.database}{_why(answer.routing)}):", answer.sql]
    if answer.parameters:
        structured["parameters"] = list(answer.parameters)
        lines.append(_bound(answer.parameters))
    result = answer.result
    if result is not None:
        columns = [c.name for c in result.columns]
        structured |= {
            "columns": columns,
            "column_types": [c.type for c in result.columns],
            "rows": [list(row) for row in result.rows],
            "row_count": result.row_count,
            "truncated": result.truncated,
        }
        more = " (truncated: more rows exist; narrow the question)" if result.truncated else ""
        lines += ["", f"{count_rows(result.row_count)}{more}", render_table(columns, result.rows)]
    validation = answer.validation
    if validation is not None:
        structured["warnings"] = [asdict(w) for w in validation.warnings]
        structured["validation"] = (
            None
            if validation.verdict is None
            else {"verdict": validation.verdict, "reason": validation.reason}
        )
        lines += [f"Warning: {w.message}" for w in validation.warnings]
    return _result("\n".join(lines), QueryOutput.model_validate(structured))


def present_explanation(explanation: Explanation) -> CallToolResult:
    """A plan: the SQL, the estimated cost and rows, and the plan tree."""
    plan = explanation.plan
    bound = f"\n{_bound(explanation.parameters)}" if explanation.parameters else ""
    text = (
        f"SQL ({explanation.database}):\n{explanation.sql}{bound}\n\n"
        f"Estimated cost {plan.total_cost:g}, estimated rows {plan.plan_rows}\n{plan.text}"
    )
    output = ExplainOutput(
        database=explanation.database,
        sql=explanation.sql,
        total_cost=plan.total_cost,
        plan_rows=plan.plan_rows,
        plan_text=plan.text,
        plan=plan.plan,
    )
    if explanation.routing is not None:
        output.routing = explanation.routing
    if explanation.parameters:
        output.parameters = list(explanation.parameters)
    return _result(text, output)


def present_schema(description: SchemaDescription) -> CallToolResult:
    """A schema: the rendering as text, the relations as structured data."""
    snapshot = description.snapshot
    detailed = description.format != "summary"
    tables = [_table_dict(asdict(table), detailed) for table in snapshot.tables]
    output = SchemaOutput(
        database=snapshot.database,
        format=description.format,
        tables=tables,
        enums=[asdict(e) for e in snapshot.enums],
        databases=[asdict(d) for d in description.databases],
        text=description.text,
    )
    return _result(description.text, output)


def present_error(error: PgMcpError) -> CallToolResult:
    """The one shape of every failure: `ERR_00N: message` and {"error": {...}}."""
    detail = {"code": error.code, "message": error.message, **error.details(), **error.context}
    output = ErrorOutput.model_validate({"error": detail})
    return _result(f"{error.code}: {error.message}", output, is_error=True)


def _why(routing: Mapping[str, object] | None) -> str:
    """', routed: best match over hr' when the database was routed, else nothing."""
    if routing is None or "scores" not in routing:
        return ""
    runner_up = routing.get("runner_up")
    return f", routed: {routing['reason']}" + (f" over {runner_up}" if runner_up else "")


def _bound(parameters: tuple[str, ...]) -> str:
    """Which value each placeholder holds, e.g. `$1 = customer_id`; never the values."""
    named = (name if name == f"${n}" else f"${n} = {name}" for n, name in enumerate(parameters, 1))
    return "Parameters: " + ", ".join(named)


def _table_dict(table: dict[str, object], detailed: bool) -> dict[str, object]:
    if detailed:
        return table
    return {key: table[key] for key in ("schema", "name", "kind", "comment", "row_estimate")}


def _result(text: str, output: BaseModel, *, is_error: bool = False) -> CallToolResult:
    # Only the fields a presenter set: sql mode sends no empty `rows` a reader could trust.
    structured = output.model_dump(mode="json", exclude_unset=True)
    return CallToolResult(
        is_error=is_error,
        content=[TextContent(type="text", text=text)],
        structured_content=structured,
    )
