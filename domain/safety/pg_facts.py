"""What PostgreSQL's own parser (pglast) reads in a statement, gathered in one walk of its tree."""

import json
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pglast import ast, parser

from domain.safety.pg_names import PgNames, read_pg_names

# pglast's JSON tree names a node by a capitalised key ({"FuncCall": {...}}); fields typed as
# one node kind (TypeCast.typeName) are inlined without that key.
_TYPE_NAME_KEYS = ("TypeName", "typeName")
_STATEMENTS = frozenset(name for name in dir(ast) if name.endswith("Stmt"))
_NOTED = _STATEMENTS | {"FuncCall", "RangeVar", "ColumnRef", "A_Indirection", "A_Expr"}
_NOTED |= {"SubLink", "SortBy", "RangeTableSample", "ParamRef", *_TYPE_NAME_KEYS}
# BETWEEN's name is the keyword; the grammar itself picks the comparison operators.
_BETWEEN_KINDS = frozenset(
    {"AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN", "AEXPR_BETWEEN_SYM", "AEXPR_NOT_BETWEEN_SYM"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PgFacts:
    """The parts of PostgreSQL's parse tree the safety rules look at."""

    statements: tuple[str, ...] = ()
    explained: str = ""
    explain_options: frozenset[str] = frozenset()
    nested_statements: tuple[str, ...] = ()
    has_into: bool = False
    has_locking: bool = False
    functions: tuple[tuple[str, ...], ...] = ()
    operators: tuple[tuple[str, ...], ...] = ()
    relations: tuple[tuple[str, str], ...] = ()
    type_names: tuple[tuple[str, ...], ...] = ()
    field_names: tuple[str, ...] = ()
    placeholders: tuple[int, ...] = ()  # the $n of each ParamRef, in text order
    names: PgNames = field(default_factory=PgNames)

    @property
    def kind(self) -> str:
        """The statement's node name, e.g. SelectStmt; empty unless there is exactly one."""
        return self.statements[0] if len(self.statements) == 1 else ""


@dataclass(slots=True)
class _Notes:
    nested_statements: list[str] = field(default_factory=list)
    has_into: list[bool] = field(default_factory=list)
    has_locking: list[bool] = field(default_factory=list)
    functions: list[tuple[str, ...]] = field(default_factory=list)
    operators: list[tuple[str, ...]] = field(default_factory=list)
    relations: list[tuple[str, str]] = field(default_factory=list)
    type_names: list[tuple[str, ...]] = field(default_factory=list)
    field_names: list[str] = field(default_factory=list)
    placeholders: list[tuple[int, int]] = field(default_factory=list)  # (location, number)


def read_pg_facts(text: str) -> PgFacts:
    """Parse `text` as PostgreSQL does and gather its facts.

    Raises pglast.parser.ParseError when PostgreSQL would not parse it.
    """
    stmts = [raw["stmt"] for raw in json.loads(parser.parse_sql_json(text))["stmts"]]
    notes = _Notes()
    explained, options = "", frozenset[str]()
    for stmt in stmts:
        (kind, body), *_ = stmt.items()
        if kind == "ExplainStmt":
            explained = next(iter(body["query"]))
            options = frozenset(o["DefElem"]["defname"] for o in body.get("options", ()))
    # One walk of the tree gathers both the names and the facts below.
    names = read_pg_names(stmts, partial(_note, notes=notes), _NOTED)
    return PgFacts(
        statements=tuple(next(iter(stmt)) for stmt in stmts),
        explained=explained,
        explain_options=options,
        nested_statements=tuple(notes.nested_statements),
        has_into=any(notes.has_into),
        has_locking=any(notes.has_locking),
        functions=tuple(notes.functions),
        operators=tuple(notes.operators),
        relations=tuple(notes.relations),
        type_names=tuple(notes.type_names),
        field_names=tuple(notes.field_names),
        placeholders=tuple(number for _, number in sorted(notes.placeholders)),
        names=names,
    )


def _names(strings: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(s["String"]["sval"] for s in strings if "String" in s)


def _note(key: str, body: Any, *, notes: _Notes) -> None:
    if key == "FuncCall":
        notes.functions.append(_names(body["funcname"]))
    elif key == "RangeTableSample":
        # A sampling method is a handler function looked up by name.
        notes.functions.append(_names(body["method"]))
    elif key == "RangeVar":
        notes.relations.append((body.get("schemaname", ""), body["relname"]))
    elif key in _TYPE_NAME_KEYS:
        # AlterEnumStmt.typeName is a bare list of names, not a TypeName.
        names = body["names"] if isinstance(body, dict) else body
        notes.type_names.append(_names(names))
    elif key == "ColumnRef":
        notes.field_names.extend(_names(body["fields"])[1:])
    elif key == "A_Indirection":
        # `(expr).name`: a field of a composite, or a call of name(expr).
        notes.field_names.extend(_names(body["indirection"]))
    elif key == "A_Expr":
        if body.get("kind") not in _BETWEEN_KINDS:
            notes.operators.append(_names(body["name"]))
    elif key in ("SubLink", "SortBy"):
        # `x OPERATOR(s.op) ANY (SELECT ...)` and `ORDER BY x USING OPERATOR(s.op)`.
        used = _names(body.get("operName") or body.get("useOp") or [])
        if used:
            notes.operators.append(used)
    elif key == "ParamRef":
        notes.placeholders.append((body.get("location", -1), body["number"]))
    elif key == "SelectStmt":
        notes.has_into.append("intoClause" in body)
        notes.has_locking.append("lockingClause" in body)
    else:
        notes.nested_statements.append(key)
