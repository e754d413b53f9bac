"""Everything a safety rule may consult besides the sqlglot tree."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar

from sqlglot import exp

from domain.safety.builtin_types import BUILTIN_TYPES
from domain.safety.checked import SafetyConfig
from domain.safety.pg_facts import PgFacts

Node = TypeVar("Node", bound=exp.Expr)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleContext:
    """The operator's configuration, PostgreSQL's reading, and the sqlglot nodes by class.

    extension_calls: the call names allowed beyond built-ins, `(name,)` or `(schema, name)`;
    allowed_types: the types a cast may name, unqualified or in pg_catalog.
    """

    config: SafetyConfig
    allowed_functions: frozenset[str]
    allowed_statements: frozenset[str]
    statement_count: int
    pg: PgFacts
    nodes: dict[type[exp.Expr], list[exp.Expr]]
    text: str = ""
    query_offset: int = 0  # where the text sqlglot read starts in `text` (after EXPLAIN ...)
    extension_calls: frozenset[tuple[str, ...]] = frozenset()
    allowed_types: frozenset[str] = BUILTIN_TYPES

    def find(self, *kinds: type[Node]) -> Iterator[Node]:
        """The tree's nodes of the given classes (or their subclasses), from one earlier walk."""
        for cls, found in self.nodes.items():
            if issubclass(cls, kinds):
                yield from found  # type: ignore[misc]  # issubclass narrows the list's items


def index_nodes(tree: exp.Expr) -> dict[type[exp.Expr], list[exp.Expr]]:
    """Walk the tree once and group its nodes by exact class."""
    nodes: dict[type[exp.Expr], list[exp.Expr]] = {}
    for node in tree.walk():
        nodes.setdefault(type(node), []).append(node)
    return nodes
