"""Cutting statement text at PostgreSQL's own token boundaries (pglast's scanner)."""

from itertools import accumulate

from pglast import parser

_COMMENTS = frozenset({"SQL_COMMENT", "C_COMMENT"})
_SEMICOLON = "ASCII_59"
_OPEN, _CLOSE = "ASCII_40", "ASCII_41"
_EXPLAIN_FLAGS = frozenset({"ANALYZE", "ANALYSE", "VERBOSE"})


def trim_statement(sql: str) -> str:
    """The text without surrounding whitespace, comments and trailing semicolons.

    Raises pglast.parser.ParseError when the text does not even scan (an unterminated string).
    """
    text = sql.strip()
    if "--" not in text and "/*" not in text:
        return text.rstrip("; \t\r\n\f\v")
    # A trailing line comment would swallow whatever the caller appends (a row limit).
    tokens = [t for t in parser.scan(text) if t.name not in _COMMENTS]
    while tokens and tokens[-1].name == _SEMICOLON:
        tokens.pop()
    return text[tokens[0].start : tokens[-1].end + 1] if tokens else ""


def explained_query(text: str) -> str:
    """The statement an EXPLAIN explains: the text after EXPLAIN and its options."""
    tokens = [t for t in parser.scan(text) if t.name not in _COMMENTS]
    index = 1
    if tokens[index].name == _OPEN:
        depths = accumulate((t.name == _OPEN) - (t.name == _CLOSE) for t in tokens[1:])
        index += next(i for i, depth in enumerate(depths) if depth == 0) + 1
    while tokens[index].name in _EXPLAIN_FLAGS:
        index += 1
    return text[tokens[index].start :]
