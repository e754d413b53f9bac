"""PostgreSQL's complaint with the caller's parameter values taken out: its messages quote values
(`invalid input syntax for type integer: "…"`), and neither the client, the logs nor the model
may see a value the operator has not allowed them to."""

import json
from collections.abc import Iterator, Sequence

from domain.errors import SqlExecutionFailed
from domain.models import JsonValue, Parameter

# Shorter values are masked only where PostgreSQL quotes them, not inside every other word.
_MIN_BARE_CHARS = 4


def without_values(error: SqlExecutionFailed, arguments: Sequence[Parameter]) -> SqlExecutionFailed:
    """The same error, each value it quotes replaced by the name of its parameter."""
    masks = sorted(
        {(text, f"<{p.name}>") for p in arguments for text in _texts(p.value) if text},
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    return SqlExecutionFailed(
        _masked(error.message, masks),
        sqlstate=error.sqlstate,
        hint=_masked(error.hint, masks) if error.hint else None,
    )


def _masked(text: str, masks: list[tuple[str, str]]) -> str:
    for value, name in masks:
        text = text.replace(f'"{value}"', name)
        if len(value) >= _MIN_BARE_CHARS:
            text = text.replace(value, name)
    return text


def _texts(value: JsonValue) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, bool):
        yield "true" if value else "false"
    elif isinstance(value, int | float):
        yield str(value)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        yield json.dumps(value)
        for item in value.values():
            yield from _texts(item)
