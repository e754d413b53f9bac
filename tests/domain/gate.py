"""SQL as the access policy receives it: through the safety gate, with PostgreSQL's names."""

from sqlglot import exp

from domain.safety.checked import CheckedSql, SafetyConfig
from domain.safety.functions import ALLOWED_FUNCTIONS
from domain.safety.pg_facts import read_pg_facts
from domain.safety.policy import SafetyPolicy
from domain.safety.rule_context import RuleContext, index_nodes

_GATE = SafetyPolicy(SafetyConfig())


def checked(sql: str) -> CheckedSql:
    """The statement as the safety policy passes it on (raises UnsafeSql if it refuses)."""
    return _GATE.check(sql)


def mixed_context(postgres_reads: str, tree: exp.Expr) -> RuleContext:
    """A rule's view when PostgreSQL reads one text and sqlglot's tree says something else."""
    return RuleContext(
        config=SafetyConfig(),
        allowed_functions=ALLOWED_FUNCTIONS,
        allowed_statements=frozenset({"SELECT"}),
        statement_count=1,
        pg=read_pg_facts(postgres_reads),
        nodes=index_nodes(tree),
        text=postgres_reads,
    )
