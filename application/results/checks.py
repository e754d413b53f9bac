"""Cheap, deterministic checks of a query result that warn when an answer looks doubtful."""

from dataclasses import dataclass

from domain.models import QueryResult

EMPTY_RESULT = "empty_result"
ALL_NULL_COLUMNS = "all_null_columns"
ROW_CAP_REACHED = "row_cap_reached"


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultWarning:
    """Something a reader of the answer should know; code is stable, message is for people."""

    code: str
    message: str


def check_result(result: QueryResult, *, max_rows: int) -> tuple[ResultWarning, ...]:
    """The warnings that the rows alone justify, in a fixed order."""
    found = (
        _empty_result(result),
        _all_null_columns(result),
        _row_cap_reached(result, max_rows=max_rows),
    )
    return tuple(warning for warning in found if warning is not None)


def _empty_result(result: QueryResult) -> ResultWarning | None:
    if result.rows:
        return None
    return ResultWarning(
        code=EMPTY_RESULT,
        message="The query returned no rows; check the filters if rows were expected.",
    )


def _all_null_columns(result: QueryResult) -> ResultWarning | None:
    if not result.rows:
        return None
    names = [
        column.name
        for index, column in enumerate(result.columns)
        if all(index >= len(row) or row[index] is None for row in result.rows)
    ]
    if not names:
        return None
    listed = ", ".join(f'"{name}"' for name in names)
    return ResultWarning(
        code=ALL_NULL_COLUMNS,
        message=f"These columns are NULL in every returned row: {listed}.",
    )


def _row_cap_reached(result: QueryResult, *, max_rows: int) -> ResultWarning | None:
    if result.truncated and result.row_count < max_rows:
        detail = f"The result was cut at the size limit after {result.row_count} rows"
    elif result.truncated:
        detail = f"The result was cut at the row cap of {max_rows}; more rows exist"
    elif result.row_count >= max_rows:
        # A database that cannot peek one row past the cap leaves truncated unset here.
        detail = f"The result has exactly the row cap of {max_rows} rows"
    else:
        return None
    return ResultWarning(
        code=ROW_CAP_REACHED, message=f"{detail}, so the answer may be incomplete."
    )
