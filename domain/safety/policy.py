"""The SQL safety gate: parse once with each parser, then run every rule in order."""

from collections.abc import Iterable

from pglast.parser import ParseError as PgParseError
from sqlglot import exp
from sqlglot.errors import SqlglotError

from domain.errors import UnsafeSql
from domain.refusal_rules import RefusalRule
from domain.safety.builtin_types import BUILTIN_TYPES
from domain.safety.checked import CheckedSql, SafetyConfig
from domain.safety.dialect import parse_statements
from domain.safety.field_selection import reject_field_selection
from domain.safety.functions import ALLOWED_FUNCTIONS
from domain.safety.identifiers import fold_identifiers
from domain.safety.input_bounds import InputBounds, check_sql, too_deep_to_check
from domain.safety.name_agreement import reject_parser_disagreement
from domain.safety.pg_facts import PgFacts, read_pg_facts
from domain.safety.pg_names import CharOffsets
from domain.safety.rule_context import RuleContext, index_nodes
from domain.safety.rules import SAFETY_RULES, SafetyRule
from domain.safety.statement_text import explained_query, trim_statement

_KINDS = {"ExplainStmt": "EXPLAIN", "VariableShowStmt": "SHOW"}


class SafetyPolicy:
    """Decides whether a statement is a read-only query that may run.

    - exactly one statement, a query (EXPLAIN without ANALYZE, SHOW: only when configured)
    - no write or DDL anywhere, no SELECT INTO, no FOR UPDATE/SHARE
    - no system catalogs or reg* casts (unless configured), only allow-listed functions
    - names as PostgreSQL folds them: only pg_catalog's operators and built-in types
    """

    def __init__(
        self,
        config: SafetyConfig,
        rules: tuple[SafetyRule, ...] = (
            *SAFETY_RULES,
            reject_field_selection,
            reject_parser_disagreement,
        ),
    ) -> None:
        self._config = config
        self._rules = rules
        self._functions = ALLOWED_FUNCTIONS | {f.lower() for f in config.extra_allowed_functions}
        self._statements = frozenset(s.upper() for s in config.allowed_statements)

    def check(
        self,
        sql: str,
        *,
        extension_functions: Iterable[tuple[str, str]] = (),
        extra_types: Iterable[str] = (),
    ) -> CheckedSql:
        """Return the statement, trimmed and parsed, if every rule lets it pass.

        extension_functions: (schema, name) of trusted extensions' functions (the snapshot's),
        allowed when called unqualified or with exactly that schema. extra_types: type names
        known to run no user code (the schema's enums), allowed in casts like built-ins.

        Raises:
            UnsafeSql: the statement is refused; `rule` names the rule that refused it.
        """
        check_sql(sql, self._config.input_bounds)  # before any parser sees it
        try:
            return self._check(sql, frozenset(extension_functions), frozenset(extra_types))
        except RecursionError as exc:
            raise too_deep_to_check() from exc

    @property
    def input_bounds(self) -> InputBounds:
        """The size and nesting past which a statement is refused unparsed."""
        return self._config.input_bounds

    def _check(
        self,
        sql: str,
        extension: frozenset[tuple[str, str]],
        extra_types: frozenset[str],
    ) -> CheckedSql:
        text, query, facts, trees = self._parse(sql)
        tree = trees[0]
        nodes = index_nodes(tree)
        # Names compare exactly from here on, as PostgreSQL compares them.
        fold_identifiers(nodes.get(exp.Identifier, ()))
        ctx = RuleContext(
            config=self._config,
            allowed_functions=self._functions,
            allowed_statements=self._statements,
            statement_count=len(trees),
            pg=facts,
            nodes=nodes,
            text=text,
            query_offset=len(text) - len(query),
            extension_calls=extension | {(name,) for _, name in extension},
            allowed_types=BUILTIN_TYPES.union(extra_types),
        )
        for rule in self._rules:
            violation = rule(tree, ctx)
            if violation:
                raise UnsafeSql(violation.message, rule=violation.rule)
        chars, offset = CharOffsets(text), ctx.query_offset
        return CheckedSql(
            sql=text,
            tree=tree,
            kind=_KINDS.get(facts.kind, "SELECT"),
            names=facts.names,
            relations={chars(ref.location) - offset: ref for ref in facts.names.relations},
            placeholders=facts.placeholders,
        )

    def _parse(self, sql: str) -> tuple[str, str, PgFacts, list[exp.Expression]]:
        try:
            text = trim_statement(sql)
            facts = read_pg_facts(text)
            query = explained_query(text) if facts.kind == "ExplainStmt" else text
            trees = parse_statements(query)
        except (PgParseError, SqlglotError) as exc:
            # The first line is the reason; sqlglot adds the text with terminal highlighting.
            reason = str(exc).split("\n", 1)[0]
            raise UnsafeSql(
                f"the statement could not be parsed: {reason}", rule=RefusalRule.UNPARSEABLE
            ) from exc
        if not trees or not facts.statements:
            raise UnsafeSql("the statement is empty", rule=RefusalRule.UNPARSEABLE)
        return text, query, facts, trees
