"""What the chat model is told about the caller's parameters: names and JSON types, values only
when the operator allows it (PG_MCP_SHOW_PARAMETER_VALUES), fenced as data."""

import json
from collections.abc import Iterable, Mapping

from application.untrusted import fenced
from domain.models import Given, JsonValue, Parameter

_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def drafting_note(given: Given | None, *, show_values: bool) -> str:
    """The lines appended to the question that tell the model how to refer to each value."""
    if not given:
        return ""
    if isinstance(given, Mapping):
        listed = [(f":{name}", value) for name, value in given.items()]
        how = "write each as its :name placeholder"
    else:
        listed = [(f"${n}", value) for n, value in enumerate(given, 1)]
        how = "write each as its $n placeholder"
    return (
        f"\n\nParameters: values passed apart from the question. In the SQL, {how} where the "
        "value belongs; never write the value itself.\n" + _listing(listed, show_values)
    )


def judging_note(arguments: Iterable[Parameter], *, show_values: bool) -> str:
    """The lines appended to the question that say what each $n of the SQL stands for."""
    listed = [
        (f"${n}" if p.name == f"${n}" else f"${n} (:{p.name})", p.value)
        for n, p in enumerate(arguments, 1)
    ]
    if not listed:
        return ""
    return "\n\nParameters bound to the SQL:\n" + _listing(listed, show_values)


def _listing(listed: list[tuple[str, JsonValue]], show_values: bool) -> str:
    lines = "\n".join(
        f"- {label}: {_json_type(value)}" + (f" = {json.dumps(value)}" if show_values else "")
        for label, value in listed
    )
    return fenced(lines) if show_values else lines


def _json_type(value: JsonValue) -> str:
    if value is None:
        return "null"
    return next(name for kind, name in _JSON_TYPES if isinstance(value, kind))
