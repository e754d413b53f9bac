"""Tells SQL from prose, so that callers and models may give either."""

import re

import pglast
from pglast.parser import ParseError

# First words of every PostgreSQL command, so that a write is recognised as SQL (and refused by
# the safety policy with ERR_005) rather than mistaken for prose.
_COMMANDS = (
    "abort alter analyze begin call checkpoint close cluster comment commit copy create deallocate "
    "declare delete discard do drop end execute explain fetch grant import insert listen load lock "
    "merge move notify prepare reassign refresh reindex release reset revoke rollback savepoint "
    "security select set show start table truncate unlisten update vacuum values with"
)
_SQL_START = re.compile(rf"^\s*(\(|(?:{'|'.join(_COMMANDS.split())})\b)", re.IGNORECASE)


def starts_like_sql(text: str) -> bool:
    """True when the first word of `text` is a SQL command (or an opening parenthesis)."""
    return _SQL_START.match(text) is not None


def looks_like_sql(text: str) -> bool:
    """True when `text` is SQL that PostgreSQL's own parser reads, rather than a question."""
    if not starts_like_sql(text):
        return False
    try:
        pglast.parse_sql(text)
    except ParseError:
        return False
    return True
