"""Which OAuth scopes a call needs: `tool:<name>`, and `database:<name>` for a database it names.

`tool:*` and `database:*` grant every tool and every database.
"""

from collections.abc import Iterable
from typing import Any


def tool_scope(tool: str) -> str:
    """The scope that grants calling `tool`."""
    return f"tool:{tool}"


def database_scope(database: str) -> str:
    """The scope that grants reaching `database`."""
    return f"database:{database}"


ALL_TOOLS = tool_scope("*")
ALL_DATABASES = database_scope("*")


def needed_scopes(message: Any) -> list[str]:
    """The scopes a JSON-RPC message (or batch) needs beyond being authenticated."""
    if isinstance(message, list):
        return [scope for item in message for scope in needed_scopes(item)]
    if not isinstance(message, dict) or message.get("method") != "tools/call":
        return []
    params = message.get("params")
    params = params if isinstance(params, dict) else {}
    needed = [tool_scope(str(params.get("name")))]
    arguments = params.get("arguments")
    database = arguments.get("database") if isinstance(arguments, dict) else None
    if isinstance(database, str):
        needed.append(database_scope(database))
    return needed


def missing_scopes(needed: Iterable[str], granted: Iterable[str]) -> list[str]:
    """The needed scopes that `granted` lacks, wildcards considered."""
    have = set(granted)
    return [
        scope
        for scope in dict.fromkeys(needed)
        if scope not in have and f"{scope.split(':', 1)[0]}:*" not in have
    ]
