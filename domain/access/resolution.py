"""Every relation PostgreSQL reads in a statement, resolved against the snapshot and qualified.

The server runs statements with search_path = pg_catalog, pg_temp, so that no function,
operator or type another role created can be reached by an unqualified name; relation names
are therefore written out with the schema they resolve to here, at the places PostgreSQL's
own parser found them.
"""

from collections.abc import Iterator

from domain.access.catalog import AccessCatalog, Relation
from domain.access.refusals import refuse_table, refuse_unknown_relation
from domain.safety.builtin_types import BUILTIN_TYPES
from domain.safety.checked import CheckedSql
from domain.safety.functions import ALLOWED_FUNCTIONS
from domain.safety.identifiers import quote_identifier
from domain.safety.pg_names import NameRef

_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})


Resolved = tuple[tuple[NameRef, Relation], ...]


def resolve_relations(checked: CheckedSql, catalog: AccessCatalog) -> Resolved:
    """Each relation the statement reads, as the snapshot knows it (CTEs and catalogs aside).

    Raises:
        UnsafeSql: rule blocked_table, or unknown_relation (reload the snapshot and retry).
    """
    resolved = tuple(_resolved(checked, catalog))
    for _, relation in resolved:
        if relation.refusal:
            raise refuse_table(relation.refusal)
        if not relation.known:
            raise refuse_unknown_relation(relation.label)
    return resolved


def qualified_text(checked: CheckedSql, resolved: Resolved, catalog: AccessCatalog) -> str:
    """The statement's text with every unqualified relation name prefixed by its schema."""
    inserts = [
        (ref.location, quote_identifier(relation.schema or ""))
        for ref, relation in resolved
        if len(ref.parts) == 1
    ]
    # Enum types of the snapshot are safe to cast to (their input function is built in), and
    # the gate let trusted extensions' functions through: both live outside pg_catalog.
    for refs, schema_of in (
        (checked.names.types, catalog.enum_schema),
        (checked.names.functions, catalog.extension_schema),
    ):
        for ref in refs:
            name = ref.parts[0] if len(ref.parts) == 1 else None
            # A built-in keeps its meaning: an enum named text must not capture ::text.
            if name is None or name in BUILTIN_TYPES or name in ALLOWED_FUNCTIONS:
                continue
            schema = schema_of(name)
            if schema is not None:
                inserts.append((ref.location, quote_identifier(schema)))
    if not inserts:
        return checked.sql
    encoded = checked.sql.encode()
    pieces: list[bytes] = []
    start = 0
    for location, prefix in sorted(inserts):
        pieces += [encoded[start:location], prefix.encode(), b"."]
        start = location
    pieces.append(encoded[start:])
    return b"".join(pieces).decode()


def _resolved(checked: CheckedSql, catalog: AccessCatalog) -> Iterator[tuple[NameRef, Relation]]:
    for ref in checked.names.relations:
        if ref.cte or _is_system(ref.parts):
            continue
        if len(ref.parts) > 2:
            raise refuse_unknown_relation(".".join(ref.parts))
        schema = ref.parts[0] if len(ref.parts) == 2 else None
        yield ref, catalog.relation(schema, ref.parts[-1])


def _is_system(parts: tuple[str, ...]) -> bool:
    """Catalog relations, which the safety policy alone judges (system_catalog)."""
    schema = parts[-2] if len(parts) > 1 else None
    if schema is None:
        return parts[-1].startswith("pg_")
    return schema in _SYSTEM_SCHEMAS or schema.startswith("pg_")
