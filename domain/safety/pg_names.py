"""Every name PostgreSQL's parser reads in a statement, with where it stands and what it means.

pglast's tree is the authority for identifiers: U&"" escapes decoded, unquoted names folded,
and a relation name told apart from a CTE name by PostgreSQL's scoping of WITH.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

STAR = "*"
# Lists of plain names and constants: read where they stand, nothing below them to walk.
_LEAVES = frozenset({"String", "A_Const", "fields", "funcname"})
# The node keys whose names are gathered; every other key is only walked through.
_NAMED = frozenset(
    {
        *("SelectStmt", "RangeVar", "ColumnRef", "alias", "Alias", "CommonTableExpr"),
        *("ResTarget", "ColumnDef", "A_Indirection", "TypeName", "typeName", "FuncCall"),
    }
)


@dataclass(frozen=True, slots=True)
class NameRef:
    """A name as written: where it starts (bytes), its parts, and for a relation, CTE or not."""

    location: int
    parts: tuple[str, ...]
    cte: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PgNames:
    """The relation references, column references, aliases and field selections of a statement."""

    relations: tuple[NameRef, ...] = ()
    columns: dict[int, tuple[str, ...]] = field(default_factory=dict)
    aliases: Counter[str] = field(default_factory=Counter)
    fields: tuple[str, ...] = ()
    types: tuple[NameRef, ...] = ()
    functions: tuple[NameRef, ...] = ()


def read_pg_names(
    statements: list[dict[str, Any]],
    visit: Callable[[str, Any], None] | None = None,
    noted: frozenset[str] = frozenset(),
) -> PgNames:
    """Gather the names of pglast's JSON statements (the "stmt" bodies of parse_sql_json).

    visit, when given, is called with every node under a key in `noted` (below the statements'
    own keys), so that other facts are gathered in the same single walk of the tree.
    """
    relations: list[NameRef] = []
    columns: dict[int, tuple[str, ...]] = {}
    aliases: Counter[str] = Counter()
    fields: list[str] = []
    types: list[NameRef] = []
    functions: list[NameRef] = []
    stack: list[tuple[Any, frozenset[str]]] = []
    for stmt in statements:
        ((kind, body),) = stmt.items()
        # A top-level SELECT is walked as a node (its scopes, its facts); another statement's
        # own key is not a nested statement, so only its body is.
        stack.append((stmt if kind == "SelectStmt" else body, frozenset()))
    interesting = _NAMED | noted
    while stack:
        node, ctes = stack.pop()
        if type(node) is list:
            stack.extend(zip(node, repeat(ctes)))
            continue
        if type(node) is not dict:
            continue  # a list item that is a plain value
        for key, value in node.items():
            shape = type(value)
            if shape is not dict and shape is not list:
                continue  # a location, a flag, a string: nothing below it
            if key in interesting:
                if visit is not None and key in noted:
                    visit(key, value)
                if key == "SelectStmt":
                    stack.extend(_select_parts(value, ctes))
                    continue
                if key == "RangeVar":
                    relations.append(_relation(value, ctes))
                elif key == "ColumnRef":
                    columns[value.get("location", -1)] = _parts(value["fields"])
                elif key in ("alias", "Alias") and shape is dict:
                    aliases.update(_alias_names(value))
                elif key == "CommonTableExpr":
                    aliases.update((value["ctename"], *_parts(value.get("aliascolnames", ()))))
                elif key == "ResTarget" and "name" in value:
                    aliases[value["name"]] += 1
                elif key == "ColumnDef":  # a column definition list: AS x(a int, b text)
                    aliases[value["colname"]] += 1
                elif key == "A_Indirection":
                    fields.extend(_parts(value["indirection"], stars=False))
                elif key in ("TypeName", "typeName") and shape is dict and "names" in value:
                    types.append(NameRef(value.get("location", -1), _parts(value["names"])))
                elif key == "FuncCall":
                    functions.append(NameRef(value.get("location", -1), _parts(value["funcname"])))
            if key not in _LEAVES:
                stack.append((value, ctes))
    return PgNames(
        relations=tuple(sorted(relations, key=lambda ref: ref.location)),
        columns=columns,
        aliases=aliases,
        fields=tuple(fields),
        types=tuple(types),
        functions=tuple(functions),
    )


def _select_parts(body: dict[str, Any], ctes: frozenset[str]) -> list[tuple[Any, frozenset[str]]]:
    """The parts of a SELECT, each with the CTE names PostgreSQL lets it see."""
    parts: list[tuple[Any, frozenset[str]]] = []
    scope = ctes
    clause = body.get("withClause")
    if clause:
        entries = clause["ctes"]
        names = [entry["CommonTableExpr"]["ctename"] for entry in entries]
        scope = ctes | frozenset(names)
        for index, entry in enumerate(entries):
            # A non-recursive CTE sees only those listed before it (never itself).
            seen = scope if clause.get("recursive") else ctes | frozenset(names[:index])
            parts.append((entry, seen))
    parts.extend((value, scope) for key, value in body.items() if key != "withClause")
    return parts


def _relation(body: dict[str, Any], ctes: frozenset[str]) -> NameRef:
    parts = tuple(body[key] for key in ("catalogname", "schemaname", "relname") if key in body)
    return NameRef(
        location=body.get("location", -1),
        parts=parts,
        cte=len(parts) == 1 and parts[0] in ctes,
    )


def _alias_names(alias: dict[str, Any]) -> tuple[str, ...]:
    name = (alias["aliasname"],) if "aliasname" in alias else ()
    return name + _parts(alias.get("colnames", ()))


def _parts(items: Any, *, stars: bool = True) -> tuple[str, ...]:
    names: list[str] = []
    for item in items:
        if "String" in item:
            names.append(item["String"]["sval"])
        elif "A_Star" in item and stars:
            names.append(STAR)
    return tuple(names)


class CharOffsets:
    """Turns pglast's byte locations into character positions in the text it parsed."""

    def __init__(self, text: str) -> None:
        self._encoded = None if text.isascii() else text.encode()

    def __call__(self, location: int) -> int:
        """The character position of a byte location (negative: unknown, kept)."""
        if self._encoded is None or location < 0:
            return location
        return len(self._encoded[:location].decode(errors="ignore"))
