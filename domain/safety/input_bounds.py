"""Limits on a question's and a statement's size and nesting, checked before any parser runs.

The parsers recurse: sqlglot raises RecursionError near 500 chained operators or 140 nested
subqueries, pglast's tree builder segfaults near 24,000 chained operators, and sqlglot's time
about doubles with each nested ARRAY[ (16 levels: 0.8 s). One linear scan, cut short at the first
limit passed, measures what those depend on. bench/input_bounds.py prints the thresholds.
"""

import re
from dataclasses import dataclass

from domain.errors import InvalidRequest, UnsafeSql
from domain.refusal_rules import RefusalRule

# Not configurable: sqlglot's parse time doubles with about every level past this.
MAX_BRACKET_DEPTH = 8

# One lexeme of PostgreSQL's lexer, close enough to count; strings, quoted names and comments
# are skipped whole, so that what they hold never counts (and cannot hide what follows). An E''
# string goes on past a newline into the next quote, escapes and all: 'a'<newline>'b' is 'ab'.
_LEXEME = re.compile(
    r"""\s*(?:
      (?P<string>[Ee]'(?:[^'\\]|\\.|'')*(?:'|\Z)
        (?:(?<=')(?:[\ \t\f]|--[^\n\r]*)*[\n\r](?:[\ \t\n\r\f\v]|--[^\n\r]*[\n\r])*'
           (?:[^'\\]|\\.|'')*(?:'|\Z))*
      |(?:[BbXxNn]|[Uu]&)?'(?:[^']|'')*(?:'|\Z))
    | (?P<quoted>(?:[Uu]&)?"(?:[^"]|"")*(?:"|\Z))
    | (?P<dollar>\$(?:[^\W\d]\w*)?\$)
    | (?P<line>--[^\n]*)
    | (?P<block>/\*)
    | (?P<word>[^\W\d][\w$]*)
    | (?P<open>[(\[])
    | (?P<close>[)\]])
    | (?P<comma>[,;])
    | (?P<op>(?:[+*<>=~!@\#%^&|`?:]|/(?!\*)|-(?!-))+)
    | (?P<other>\$\d+|\d[\w.]*(?:[eE][-+]\d+)?|\.\d[\w.]*|\S)
    )""",
    re.VERBOSE | re.DOTALL,
)
# Keywords that join two operands the way + does; each adds a level to sqlglot's tree.
_OPERATOR_WORDS = frozenset(
    {"and", "or", "not", "is", "in", "like", "ilike", "similar", "between", "collate"}
    | {"escape", "overlaps", "isnull", "notnull"}
)
_OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?:"
# Each of these nests the statement once more however they are punctuated.
_STATEMENT_WORDS = frozenset({"union", "intersect", "except", "join"})


@dataclass(frozen=True, slots=True, kw_only=True)
class InputBounds:
    """The largest question and statement accepted; past them nothing is parsed."""

    max_question_chars: int = 10_000
    max_sql_bytes: int = 200_000
    max_sql_tokens: int = 20_000
    max_sql_depth: int = 64
    max_sql_chain: int = 200

    @property
    def max_argument_chars(self) -> int:
        """The longest text that may be either a question or a statement."""
        return max(self.max_question_chars, self.max_sql_bytes)


def check_argument(text: str, bounds: InputBounds) -> None:
    """Refuse a text longer than any question or statement may be.

    Raises:
        InvalidRequest: it is longer than both limits.
    """
    if len(text) > bounds.max_argument_chars:
        raise InvalidRequest(
            f"The query is {len(text):,} characters; at most {bounds.max_argument_chars:,} "
            "are accepted (max_question_chars for a question, max_sql_bytes for SQL)"
        )


def check_question(question: str, bounds: InputBounds) -> None:
    """Refuse a question in plain language longer than the limit.

    Raises:
        InvalidRequest: it is longer than max_question_chars.
    """
    if len(question) > bounds.max_question_chars:
        raise InvalidRequest(
            f"The question is {len(question):,} characters; at most "
            f"{bounds.max_question_chars:,} are accepted (max_question_chars)"
        )


def sql_bounds_violation(sql: str, bounds: InputBounds) -> UnsafeSql | None:
    """Why the statement is too large or too deeply nested to parse, or None."""
    # A character is at least one byte: the encoding is only needed near the limit.
    if len(sql) > bounds.max_sql_bytes or len(sql.encode()) > bounds.max_sql_bytes:
        size = len(sql.encode())
        return UnsafeSql(
            f"the statement is {size:,} bytes; at most {bounds.max_sql_bytes:,} are accepted",
            rule=RefusalRule.MAX_SQL_BYTES,
        )
    if _surely_within(sql, bounds):
        return None
    return _Scan(bounds).run(sql)


def check_sql(sql: str, bounds: InputBounds) -> None:
    """Refuse a statement too large or too deeply nested to parse safely.

    Raises:
        UnsafeSql: a limit is passed; `rule` names it (max_sql_bytes, max_sql_depth ...).
    """
    violation = sql_bounds_violation(sql, bounds)
    if violation is not None:
        raise violation


def too_deep_to_check() -> UnsafeSql:
    """The refusal for a statement whose check ran out of stack (RecursionError)."""
    return UnsafeSql(
        "the statement is nested too deeply to check; use fewer nested expressions",
        rule=RefusalRule.MAX_SQL_DEPTH,
    )


def _surely_within(sql: str, bounds: InputBounds) -> bool:
    """True when counts over the raw text, which can only overstate the scan's, pass every limit.

    A substring count finds every keyword token (and some more inside longer words and strings),
    so most statements are admitted by a few C-speed counts instead of the scan.
    """
    text = sql.lower()
    opens = sum(map(text.count, "([")) + text.count("case")
    operators = sum(map(text.count, _OPERATOR_CHARS)) + sum(map(text.count, _OPERATOR_WORDS))
    return (
        len(text) <= bounds.max_sql_tokens
        and text.count("[") <= MAX_BRACKET_DEPTH
        and opens <= bounds.max_sql_depth
        and opens + operators <= bounds.max_sql_chain
        and sum(map(text.count, _STATEMENT_WORDS)) <= bounds.max_sql_chain
    )


class _Scan:
    """One pass over the lexemes: tokens, nesting and the longest operator chain.

    The chain is the number of operators on the way from the statement to the deepest operand,
    an estimate of the depth of the parsed tree: a comma starts the count again at the
    enclosing parenthesis, a closing parenthesis makes what it closes one operand.
    """

    def __init__(self, bounds: InputBounds) -> None:
        self._bounds = bounds
        self._stack: list[tuple[str, int]] = []
        self._brackets = 0
        self._chain = 0
        self._statement_chain = 0

    def run(self, sql: str) -> UnsafeSql | None:
        pos, tokens, end = 0, 0, len(sql)
        while pos < end:
            match = _LEXEME.match(sql, pos)
            if match is None:  # only whitespace is left
                return None
            pos = _skip_quoted(sql, match)
            tokens += 1
            if tokens > self._bounds.max_sql_tokens:
                return UnsafeSql(
                    f"the statement has more than {self._bounds.max_sql_tokens:,} tokens",
                    rule=RefusalRule.MAX_SQL_TOKENS,
                )
            violation = self._take(match)
            if violation is not None:
                return violation
        return None

    def _take(self, match: re.Match[str]) -> UnsafeSql | None:
        kind = match.lastgroup
        if kind == "word":
            return self._word(match.group(kind).lower())
        if kind == "open":
            return self._open(match.group(kind))
        if kind == "close":
            self._close()
        elif kind == "comma":
            self._chain = self._stack[-1][1] + 1 if self._stack else 0
        elif kind == "op":
            # Counted per character: PostgreSQL splits a run such as +-+- into four operators.
            self._chain += len(match.group(kind))
        return self._chain_violation()

    def _word(self, word: str) -> UnsafeSql | None:
        if word == "case":
            return self._open(word)
        if word == "end":
            self._close()
        elif word in _OPERATOR_WORDS:
            self._chain += 1
        elif word in _STATEMENT_WORDS:
            self._statement_chain += 1
        return self._chain_violation()

    def _open(self, text: str) -> UnsafeSql | None:
        self._stack.append((text, self._chain))
        self._chain += 1
        self._brackets += text == "["
        if len(self._stack) > self._bounds.max_sql_depth:
            return UnsafeSql(
                "the statement nests parentheses, brackets or CASE more than "
                f"{self._bounds.max_sql_depth} deep",
                rule=RefusalRule.MAX_SQL_DEPTH,
            )
        if self._brackets > MAX_BRACKET_DEPTH:
            return UnsafeSql(
                f"the statement nests square brackets more than {MAX_BRACKET_DEPTH} deep",
                rule=RefusalRule.MAX_BRACKET_DEPTH,
            )
        return self._chain_violation()

    def _close(self) -> None:
        if self._stack:  # an unbalanced closer is PostgreSQL's syntax error to report
            text, self._chain = self._stack.pop()
            self._brackets -= text == "["

    def _chain_violation(self) -> UnsafeSql | None:
        if max(self._chain, self._statement_chain) <= self._bounds.max_sql_chain:
            return None
        return UnsafeSql(
            f"an expression chains more than {self._bounds.max_sql_chain} operators, "
            "joins or set operations",
            rule=RefusalRule.MAX_SQL_CHAIN,
        )


def _skip_quoted(sql: str, match: re.Match[str]) -> int:
    """Where scanning resumes: past a dollar-quoted string or a (nested) block comment."""
    if match.lastgroup == "dollar":
        close = sql.find(match.group("dollar"), match.end())
        return len(sql) if close < 0 else close + len(match.group("dollar"))
    if match.lastgroup == "block":
        return block_comment_end(sql, match.end())
    return match.end()


def block_comment_end(sql: str, pos: int) -> int:
    """Index past the comment whose body starts at pos; PostgreSQL nests them.

    Each search result is kept until passed, so the scan stays linear however they nest.
    """
    depth, opener, closer = 1, sql.find("/*", pos), sql.find("*/", pos)
    while closer >= 0:
        if 0 <= opener < closer:
            depth, pos = depth + 1, opener + 2
            opener = sql.find("/*", pos)
            if closer < pos:  # "/*/" : the star belongs to the opener
                closer = sql.find("*/", pos)
            continue
        depth, pos = depth - 1, closer + 2
        if depth == 0:
            return pos
        closer = sql.find("*/", pos)
        if 0 <= opener < pos:
            opener = sql.find("/*", pos)
    return len(sql)
