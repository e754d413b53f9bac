"""The `parameters` argument of the query and explain tools: values apart from the SQL."""

import json
from typing import Any

from domain.errors import InvalidRequest
from domain.models import Given

# Values reach the model's prompt (names and types) and PostgreSQL; a megabyte is plenty.
MAX_PARAMETER_BYTES = 2**20
# `parameters={"max_rows": N}` once capped the rows; it is its own argument now.
_MOVED = "max_rows"


def parse_parameters(parameters: dict[str, Any] | list[Any] | None) -> Given | None:
    """The caller's values, by name or by position; None when there are none.

    Raises:
        InvalidRequest: the old `max_rows` key, or values past MAX_PARAMETER_BYTES.
    """
    if not parameters:
        return None
    if isinstance(parameters, dict) and _MOVED in parameters:
        raise InvalidRequest(
            "parameters.max_rows is no longer read: pass the row limit as its own argument, "
            "query(..., max_rows=N); `parameters` holds values for :name placeholders"
        )
    try:
        size = len(json.dumps(parameters))
    except (RecursionError, ValueError):
        size = MAX_PARAMETER_BYTES + 1
    if size > MAX_PARAMETER_BYTES:
        raise InvalidRequest(f"parameters may hold at most {MAX_PARAMETER_BYTES:,} bytes of JSON")
    return parameters
