"""What a test view reads, written `schema.table` or `schema.table.column` (no dots in names)."""

from domain.models import Dependency, RelationName


def reads(*dotted: str) -> tuple[Dependency, ...]:
    """The dependencies the dotted names spell, in the order given."""
    found = []
    for name in dotted:
        schema, table, *column = name.split(".")
        found.append(Dependency(RelationName(schema, table), column[0] if column else None))
    return tuple(found)
