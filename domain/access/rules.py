"""The operator's access rules and the parsing of the names they list."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self

ANY_TABLE = "*"


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRules:
    """Which tables and columns the SQL may touch; names are lowercase, dot-separated.

    - blocked_tables: "users" (in any schema) or "public.users".
    - blocked_columns: "users.password" (in any schema), "public.users.password",
      or "*.ssn" (a column of that name in every table).
    - allowed_tables: when non-empty, only these tables (and those named in
      allowed_columns) may be used; everything else is refused as if blocked.
    - allowed_columns: "table.column" or "schema.table.column"; a table named here
      shows only its listed columns.
    Matching ignores case, since a quoted "Users" and users are told apart by few
    operators and the safe reading is to treat them as the same name.
    """

    enabled: bool = False
    blocked_tables: frozenset[str] = frozenset()
    blocked_columns: frozenset[str] = frozenset()
    allowed_tables: frozenset[str] = frozenset()
    allowed_columns: frozenset[str] = frozenset()

    @classmethod
    def from_names(
        cls,
        *,
        enabled: bool,
        blocked_tables: Iterable[str] = (),
        blocked_columns: Iterable[str] = (),
        allowed_tables: Iterable[str] = (),
        allowed_columns: Iterable[str] = (),
    ) -> Self:
        """Rules from names as an operator writes them; raises ValueError on a malformed name."""
        return cls(
            enabled=enabled,
            blocked_tables=_normalised(blocked_tables, "table", sizes=(1, 2)),
            blocked_columns=_normalised(blocked_columns, "column", sizes=(2, 3), wildcard=True),
            allowed_tables=_normalised(allowed_tables, "table", sizes=(1, 2)),
            allowed_columns=_normalised(allowed_columns, "column", sizes=(2, 3)),
        )


def split_name(text: str) -> tuple[str, ...]:
    """The lowercase parts of a dotted name; double quotes group and are removed."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text.strip():
        if char == '"':
            quoted = not quoted
        elif char == "." and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    if quoted or not all(parts):
        raise ValueError(f"malformed name {text!r}")
    return tuple(part.lower() for part in parts)


def _normalised(
    names: Iterable[str], what: str, *, sizes: tuple[int, int], wildcard: bool = False
) -> frozenset[str]:
    result: set[str] = set()
    for name in names:
        if not name.strip():
            continue
        parts = split_name(name)
        if wildcard and len(parts) == 2 and parts[0] == ANY_TABLE:
            result.add(".".join(parts))
            continue
        if len(parts) not in sizes or ANY_TABLE in parts:
            shape = "table or schema.table" if what == "table" else "table.column"
            raise ValueError(f"malformed {what} name {name!r}: write {shape}")
        result.add(".".join(parts))
    return frozenset(result)
