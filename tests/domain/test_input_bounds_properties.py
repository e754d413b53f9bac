"""Property: the bounds scan never sees less nesting than PostgreSQL's own lexer does."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pglast import parser
from pglast.parser import ParseError

from domain.safety.input_bounds import InputBounds, sql_bounds_violation

BOUNDS = InputBounds(max_sql_depth=8, max_sql_chain=10_000, max_sql_tokens=10_000)
# Whole quoted and commented pieces holding openers that must not count, and loose quote and
# comment marks, so that any place where the scan and PostgreSQL's lexer disagree shows up.
_QUOTED = ("'('", "''", "'\\'", "E'\\'('", "e'\\\\'", "E'(''('", '"("', "U&'('", "b'1'")
_DOLLARS = ("$$($$", "$a$($$($a$", "a$b", "$1")
_COMMENTED = ("/* ( */", "/* /* ( */ ( */", "-- ( [\n", "/*/ ( */", "+/* ( */")
_LOOSE = ("'", "E'", '"', "/*", "*/", "\\", "(", ")", "]", "end ", " ", "\n", "-- x\n", "+", "-")
PIECES = st.sampled_from((*_QUOTED, *_DOLLARS, *_COMMENTED, *_LOOSE))
# Nine or more openers, each after a little noise that may quote or comment it away.
NESTED_TEXT = st.lists(
    st.tuples(st.lists(PIECES, max_size=3), st.sampled_from(["(", "[", "ARRAY[", "case "])),
    min_size=9,
    max_size=14,
).map(lambda levels: "".join("".join(noise) + opener for noise, opener in levels))
_OPENERS = {"ASCII_40", "ASCII_91", "CASE"}
_CLOSERS = {"ASCII_41", "ASCII_93", "END_P"}


def _postgres_depth(text: str) -> int:
    depth = deepest = 0
    for token in parser.scan(text):
        if token.name in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token.name in _CLOSERS and depth:
            depth -= 1
    return deepest


@settings(max_examples=200, deadline=None)
@given(NESTED_TEXT)
def test_text_nested_deeper_than_the_limit_for_postgresql_is_refused(text: str) -> None:
    try:
        depth = _postgres_depth(text)
    except ParseError:
        assume(False)
        raise
    assume(depth > BOUNDS.max_sql_depth)

    assert sql_bounds_violation(text, BOUNDS) is not None
