"""Refuse a statement whose relation, column and alias names the two parsers read differently.

The access policy walks sqlglot's tree; PostgreSQL runs what pglast reads. Every table and
column reference is matched by where it starts in the text, so that a spelling sqlglot
misreads (U&"" escapes, odd quoting, a keyword taken for a name) cannot steer the access check
to one name while PostgreSQL reads another.
"""

from collections import Counter
from collections.abc import Iterable

from sqlglot import exp

from domain.refusal_rules import RefusalRule
from domain.safety.pg_names import STAR, CharOffsets
from domain.safety.rule_context import RuleContext
from domain.safety.violation import Violation

_TABLE_PARTS = ("catalog", "db", "this")
_COLUMN_PARTS = ("catalog", "db", "table", "this")


def reject_parser_disagreement(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse when PostgreSQL would read other names (or names elsewhere) than the checker."""
    chars = CharOffsets(ctx.text)
    names = ctx.pg.names
    theirs_tables = {chars(ref.location): ref.parts for ref in names.relations}
    ours_tables = dict(_positions(ctx.find(exp.Table), _TABLE_PARTS, ctx.query_offset))
    theirs_columns = {
        chars(location): parts for location, parts in names.columns.items() if parts != (STAR,)
    }
    ours_columns = dict(_positions(ctx.find(exp.Column), _COLUMN_PARTS, ctx.query_offset))
    for what, ours, theirs in (
        ("relation", ours_tables, theirs_tables),
        ("column", ours_columns, theirs_columns),
    ):
        if ours != theirs:
            return _disagreement(what, _first_difference(ours, theirs))
    ours_aliases = _aliases(ctx)
    if ours_aliases != names.aliases:
        differing = (ours_aliases - names.aliases) + (names.aliases - ours_aliases)
        return _disagreement("alias", min(differing))
    return None


def _disagreement(what: str, name: str) -> Violation:
    return Violation(
        rule=RefusalRule.PARSER_DISAGREEMENT,
        message=(
            f"the {what} name {name!r} is read differently by PostgreSQL and by the checker; "
            'write names plainly (no U&"" escapes) and quote them consistently'
        ),
    )


def _positions(
    nodes: Iterable[exp.Expr], keys: tuple[str, ...], offset: int
) -> Iterable[tuple[int, tuple[str, ...]]]:
    for node in nodes:
        args = node.args
        if type(node) is exp.Table and type(args.get("this")) is not exp.Identifier:
            continue  # a table function, e.g. generate_series(...) AS g
        names: list[str] = []
        start = -1
        for key in keys:
            part = args.get(key)
            if part is None:
                continue
            if type(part) is exp.Star:
                names.append(STAR)
                continue
            begins = part.meta.get("start", -1) if type(part) is exp.Identifier else -1
            if begins < 0:
                names = ["?"]  # a name sqlglot built from something else: never agrees
                start = -1
                break
            names.append(part.this)
            start = begins if start < 0 else min(start, begins)
        yield (start + offset if start >= 0 else -1), tuple(names)


def _aliases(ctx: RuleContext) -> Counter[str]:
    names: Counter[str] = Counter()
    for alias in ctx.find(exp.TableAlias):
        if alias.this is not None:
            names[alias.name] += 1
        names.update(column.name for column in alias.columns)
    for node in ctx.find(exp.Alias):
        names[node.alias] += 1
    for unnest in ctx.find(exp.Unnest):
        # WITH ORDINALITY's column: sqlglot keeps it as `offset`, PostgreSQL in the alias list.
        offset = unnest.args.get("offset")
        if isinstance(offset, exp.Identifier):
            names[offset.name] += 1
    return names


def _first_difference(ours: dict[int, tuple[str, ...]], theirs: dict[int, tuple[str, ...]]) -> str:
    """The first name (in text order) that the two readings do not share; they must differ."""
    position = min(p for p in set(ours) | set(theirs) if ours.get(p) != theirs.get(p))
    return ".".join(theirs.get(position) or ours[position])
