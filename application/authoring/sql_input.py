"""Tells SQL from prose, so that callers and models may give either."""

import re

from pglast.parser import ParseError, parse_sql_json

from domain.safety.input_bounds import InputBounds, block_comment_end, sql_bounds_violation

# First words of every PostgreSQL command, so that a write is recognised as SQL (and refused by
# the safety policy with ERR_005) rather than mistaken for prose.
_COMMANDS = (
    "abort alter analyze begin call checkpoint close cluster comment commit copy create deallocate "
    "declare delete discard do drop end execute explain fetch grant import insert listen load lock "
    "merge move notify prepare reassign refresh reindex release reset revoke rollback savepoint "
    "security select set show start table truncate unlisten update vacuum values with"
)
_BLANK = re.compile(r"\s+")
# Enough of the text to hold the first word; the rest is never copied.
_FIRST_WORD = 64
_SQL_START = re.compile(rf"^\s*(\(|(?:{'|'.join(_COMMANDS.split())})\b)", re.IGNORECASE)


def starts_like_sql(text: str) -> bool:
    """True when the first word after any comments is a SQL command (or an opening parenthesis)."""
    return _SQL_START.match(_without_leading_comments(text)) is not None


def _without_leading_comments(text: str) -> str:
    # Positions, not slices: copying the rest after each of many comments would be quadratic.
    pos = _past_blanks(text, 0)
    while text.startswith(("--", "/*"), pos):
        if text.startswith("--", pos):
            newline = text.find("\n", pos)
            pos = len(text) if newline < 0 else newline + 1
        else:
            pos = block_comment_end(text, pos + 2)
        pos = _past_blanks(text, pos)
    return text[pos : pos + _FIRST_WORD]


def _past_blanks(text: str, pos: int) -> int:
    blanks = _BLANK.match(text, pos)
    return pos if blanks is None else blanks.end()


def looks_like_sql(text: str, bounds: InputBounds) -> bool:
    """True when `text` is SQL that PostgreSQL's own parser reads, rather than a question.

    Text that starts like SQL but is past the input bounds counts as SQL without being parsed,
    so that the safety policy refuses it naming the limit.
    """
    if not starts_like_sql(text):
        return False
    if sql_bounds_violation(text, bounds) is not None:
        return True
    try:
        # The JSON form: PostgreSQL's stack check applies and no Python tree is built; the
        # tree builder of pglast.parse_sql segfaults near 24,000 chained operators.
        parse_sql_json(text)
    except ParseError:
        return False
    return True
