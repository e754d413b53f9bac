"""`pg-mcp ask --param NAME=VALUE`: the values a question or SELECT names as :NAME (or $N)."""

import argparse
import json
from collections.abc import Sequence
from typing import Any

from adapters.mcp.query_options import parse_parameters
from domain.models import Given


def parameter(text: str) -> tuple[str, Any]:
    """NAME=VALUE: VALUE read as JSON when it is JSON (42, true, null, "42"), else as text."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"write NAME=VALUE, not {text!r}")
    try:
        return name.strip(), json.loads(value)
    except ValueError:
        return name.strip(), value


def given(pairs: Sequence[tuple[str, Any]]) -> Given | None:
    """By name, or by position when the names are 1..N (for $1..$N); None when there are none.

    Raises:
        InvalidRequest: as the tools' `parameters` argument would (size, the old max_rows key).
    """
    by_name = dict(pairs)
    positions = [str(n) for n in range(1, len(by_name) + 1)]
    if by_name and set(by_name) == set(positions):
        return parse_parameters([by_name[n] for n in positions])
    return parse_parameters(by_name)
