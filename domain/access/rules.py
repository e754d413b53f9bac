"""The operator's access rules and the parsing of the names they list."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self

ANY_TABLE = "*"


@dataclass(frozen=True, slots=True, order=True)
class NamePart:
    """One part of a configured name: quoted parts match exactly, bare ones ignore case."""

    text: str
    quoted: bool = False

    def matches(self, actual: str, *, loose: bool) -> bool:
        """Whether a catalog name (exact, as PostgreSQL stores it) is this part.

        A bare part is stored lower-cased. A block list reads it loosely (any case: `users`
        also blocks a table created as "Users"); an allow list reads it as PostgreSQL folds
        it, so that listing `orders` never exposes a look-alike "Orders".
        """
        if self.quoted:
            return self.text == actual
        return self.text == (actual.lower() if loose else actual)


NamePattern = tuple[NamePart, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRules:
    """Which tables and columns the SQL may touch, each name a tuple of parts.

    - blocked_tables: `users` (in any schema) or `public.users`.
    - blocked_columns: `users.password` (in any schema), `public.users.password`,
      or `*.ssn` (a column of that name in every table).
    - allowed_tables: when non-empty, only these tables (and those named in
      allowed_columns) may be used; everything else is refused as if blocked.
    - allowed_columns: `table.column` or `schema.table.column`; a table named here
      shows only its listed columns.
    A part in double quotes matches exactly; a bare part matches any case when it blocks and
    the lower-case name when it allows, so that a doubt always refuses.
    """

    enabled: bool = False
    blocked_tables: frozenset[NamePattern] = frozenset()
    blocked_columns: frozenset[NamePattern] = frozenset()
    allowed_tables: frozenset[NamePattern] = frozenset()
    allowed_columns: frozenset[NamePattern] = frozenset()

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
            blocked_tables=_patterns(blocked_tables, "table", sizes=(1, 2)),
            blocked_columns=_patterns(blocked_columns, "column", sizes=(2, 3), wildcard=True),
            allowed_tables=_patterns(allowed_tables, "table", sizes=(1, 2)),
            allowed_columns=_patterns(allowed_columns, "column", sizes=(2, 3)),
        )


def parse_name(text: str) -> NamePattern:
    """The parts of a dotted name; double quotes group (`""` is a quote) and mark a part exact.

    Raises ValueError for an empty part or an unclosed quote.
    """
    parts: list[NamePart] = []
    current: list[str] = []
    quoted = in_quotes = False
    chars = iter(text.strip())
    for char in chars:
        if in_quotes:
            if char != '"':
                current.append(char)
                continue
            following = next(chars, None)
            if following == '"':
                current.append('"')
                continue
            in_quotes = False
            char = following or ""
            if not char:
                break
        if char == '"':
            quoted = in_quotes = True
        elif char == ".":
            parts.append(_part(current, quoted, text))
            current, quoted = [], False
        else:
            current.append(char)
    if in_quotes:
        raise ValueError(f"malformed name {text!r}: a quote is not closed")
    parts.append(_part(current, quoted, text))
    return tuple(parts)


def _part(chars: list[str], quoted: bool, text: str) -> NamePart:
    name = "".join(chars) if quoted else "".join(chars).strip()
    if not name:
        raise ValueError(f"malformed name {text!r}")
    return NamePart(name, quoted=True) if quoted else NamePart(name.lower())


def _patterns(
    names: Iterable[str], what: str, *, sizes: tuple[int, int], wildcard: bool = False
) -> frozenset[NamePattern]:
    result: set[NamePattern] = set()
    for name in names:
        if not name.strip():
            continue
        parts = parse_name(name)
        stars = [part for part in parts if part == NamePart(ANY_TABLE)]
        if wildcard and len(parts) == 2 and parts[0] == NamePart(ANY_TABLE):
            result.add(parts)
            continue
        if len(parts) not in sizes or stars:
            shape = "table or schema.table" if what == "table" else "table.column"
            raise ValueError(f"malformed {what} name {name!r}: write {shape}")
        result.add(parts)
    return frozenset(result)
