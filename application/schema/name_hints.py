"""Suggest the real table or column names closest to one that PostgreSQL did not find."""

import re
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher

from domain.models import SchemaSnapshot, Table
from domain.safety.identifiers import written_name

MAX_SUGGESTIONS = 3
# difflib.get_close_matches' default: below it, a name shares too little to be the one meant.
CUTOFF = 0.6

# The shapes of PostgreSQL's messages (SQLSTATE 42703 undefined_column, 42P01 undefined_table).
# A qualified column is printed without quotes (NameListToString), a lone one with them.
_COLUMN_OF_RELATION = re.compile(r'column "(?P<name>[^"]+)" of relation "(?P<rel>[^"]+)"')
_COLUMN_QUOTED = re.compile(r'column "(?P<name>[^"]+)" does not exist')
_COLUMN_QUALIFIED = re.compile(r"column (?P<name>[^\s\"]+\.[^\s\"]+) does not exist")
_RELATION = re.compile(r'relation "(?P<name>[^"]+)" does not exist')
_MISSING_FROM = re.compile(r'missing FROM-clause entry for table "(?P<name>[^"]+)"')


def did_you_mean(error_message: str, snapshot: SchemaSnapshot) -> str | None:
    """A hint naming up to three real names closest to the unknown one, or None.

    Understands `column "x" does not exist`, `column t.x does not exist`,
    `column "x" of relation "t" does not exist`, `relation "t" does not exist` and
    `missing FROM-clause entry for table "t"`; anything else gives None.
    """
    if match := _COLUMN_OF_RELATION.search(error_message):
        table = snapshot.find_table(match["rel"])
        tables = (table,) if table is not None else snapshot.tables
        return _hint(_close_columns(match["name"], tables))
    if match := _COLUMN_QUOTED.search(error_message) or _COLUMN_QUALIFIED.search(error_message):
        return _hint(_close_columns(match["name"], _tables_for(match["name"], snapshot)))
    if match := _RELATION.search(error_message):
        return _hint(_close_tables(match["name"], snapshot.tables))
    if match := _MISSING_FROM.search(error_message):
        return _missing_from(match["name"], snapshot)
    return None


def missing_relation(error_message: str) -> str | None:
    """The relation of `relation "t" does not exist`, as PostgreSQL quoted it; else None."""
    match = _RELATION.search(error_message)
    return match["name"] if match else None


def _tables_for(typed: str, snapshot: SchemaSnapshot) -> tuple[Table, ...]:
    # A qualifier that names a real table narrows the search to it; an alias (c.nme) cannot be
    # resolved without the query, so every column is a candidate.
    qualifier, _, _ = typed.rpartition(".")
    table = snapshot.find_table(qualifier) if qualifier else None
    if table is not None and _close_columns(typed, (table,)):
        return (table,)
    return snapshot.tables


def _close_columns(typed: str, tables: Iterable[Table]) -> list[str]:
    # The column part decides; a qualifier (customer.nme) only orders the equal matches.
    qualifier, _, column = typed.lower().rpartition(".")
    score, tie = _scorer(column), _scorer(qualifier)
    scored = []
    for table in tables:
        for candidate in table.columns:
            if (best := score(candidate.name.lower())) >= CUTOFF:
                text = f"{_display(table)}.{written_name(candidate.name)}"
                scored.append((best, tie(table.name.lower()) if qualifier else 0.0, text))
    return _best(scored)


def _close_tables(typed: str, tables: Iterable[Table]) -> list[str]:
    # The table name decides; a schema typed with it only orders the equal matches.
    schema, _, name = typed.lower().rpartition(".")
    score, tie = _scorer(name), _scorer(schema)
    scored = [
        (best, tie(table.schema.lower()) if schema else 0.0, _display(table))
        for table in tables
        if (best := score(table.name.lower())) >= CUTOFF
    ]
    return _best(scored)


def _missing_from(name: str, snapshot: SchemaSnapshot) -> str | None:
    table = snapshot.find_table(name)
    if table is not None:
        return f"{_display(table)} is a table: add it to FROM or JOIN before using its columns"
    return _hint(_close_tables(name, snapshot.tables))


def _scorer(wanted: str) -> Callable[[str], float]:
    """How alike a name is to `wanted` (difflib's ratio, 0 below the cutoff), remembered."""
    # As in get_close_matches: the typed name is the cached second sequence, and the cheap
    # upper bounds stop most candidates; many tables share column names, so each is scored once.
    matcher = SequenceMatcher()
    matcher.set_seq2(wanted)
    scores: dict[str, float] = {}

    def score(candidate: str) -> float:
        if candidate not in scores:
            matcher.set_seq1(candidate)
            quick = matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF
            scores[candidate] = matcher.ratio() if quick else 0.0
        return scores[candidate]

    return score


def _best(scored: list[tuple[float, float, str]]) -> list[str]:
    ranked = sorted((-score, -tie, text) for score, tie, text in scored)
    unique = dict.fromkeys(text for _, _, text in ranked)
    return list(unique)[:MAX_SUGGESTIONS]


def _hint(suggestions: list[str]) -> str | None:
    if not suggestions:
        return None
    if len(suggestions) == 1:
        return f"did you mean {suggestions[0]}?"
    return f"did you mean {', '.join(suggestions[:-1])} or {suggestions[-1]}?"


def _display(table: Table) -> str:
    # The default search path holds public, so its tables need no schema in the SQL.
    name = written_name(table.name)
    return name if table.schema == "public" else f"{written_name(table.schema)}.{name}"
