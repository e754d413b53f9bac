"""The optional `parameters` object of the query tool."""

from typing import Any

from domain.errors import InvalidRequest

_KNOWN = {"max_rows"}


def parse_query_options(parameters: dict[str, Any] | None) -> dict[str, int]:
    """Per-call options from `parameters`; unknown keys or bad values are ERR_008."""
    if not parameters:
        return {}
    unknown = sorted(set(parameters) - _KNOWN)
    if unknown:
        raise InvalidRequest(
            f"Unknown parameter(s): {', '.join(unknown)}; known: {', '.join(sorted(_KNOWN))}"
        )
    max_rows = parameters["max_rows"]
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
        raise InvalidRequest("parameters.max_rows must be a positive integer")
    return {"max_rows": max_rows}
