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
    """True when the first word after any comments is a SQL command (or an opening parenthesis)."""
    return _SQL_START.match(_without_leading_comments(text)) is not None


def _without_leading_comments(text: str) -> str:
    rest = text.lstrip()
    while rest.startswith(("--", "/*")):
        if rest.startswith("--"):
            _, _, rest = rest.partition("\n")
        else:
            rest = rest[_block_comment_end(rest) :]
        rest = rest.lstrip()
    return rest


def _block_comment_end(text: str) -> int:
    """Index just past the block comment opening `text`; PostgreSQL nests them."""
    depth, i = 0, 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in ("/*", "*/"):
            depth += 1 if pair == "/*" else -1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return len(text)


def looks_like_sql(text: str) -> bool:
    """True when `text` is SQL that PostgreSQL's own parser reads, rather than a question."""
    if not starts_like_sql(text):
        return False
    try:
        pglast.parse_sql(text)
    except ParseError:
        return False
    return True
