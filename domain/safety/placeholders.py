"""Placeholders where PostgreSQL's own scanner finds them: `:name` rewritten to `$n`, `$n` counted.

A `:` token directly followed by a word is a placeholder, so nothing inside a string, comment,
dollar quote or quoted name is one, and `::` casts and `:=` are other tokens; inside a subscript
`a[1:n]` the colon is a slice's. The rewritten text is what the gate checks, and afterwards
PostgreSQL's tree must hold exactly these `$n`, in this order: each stands where only a value can.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from pglast import parser
from pglast.parser import ParseError

from domain.errors import InvalidRequest, UnsafeSql
from domain.models import Given, JsonValue, Parameter
from domain.refusal_rules import RefusalRule
from domain.safety.checked import CheckedSql

MAX_PARAMETERS = 100
# What `:name` can spell: a bare word PostgreSQL reads as one token (NAMEDATALEN - 1 bytes).
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_COMMENTS = frozenset({"SQL_COMMENT", "C_COMMENT"})
_COLON, _COMMA, _PARAM = "ASCII_58", "ASCII_44", "PARAM"
_OPEN_BRACKET, _OPEN_PAREN = "ASCII_91", "ASCII_40"
_CLOSERS = frozenset({"ASCII_93", "ASCII_41"})


@dataclass(frozen=True, slots=True, kw_only=True)
class PlacedSql:
    """The text with `$n` placeholders, the value of each `$n`, and the `$n` in text order."""

    sql: str
    arguments: tuple[Parameter, ...] = ()
    order: tuple[int, ...] = ()


class _Colon(NamedTuple):
    start: int  # of the colon
    end: int  # past the word
    word: str
    in_subscript: bool


def place_parameters(sql: str, given: Given | None) -> PlacedSql:
    """`sql` with each `:name` of an object rewritten to `$n`, or its `$n` matched to a list.

    Raises:
        InvalidRequest: a placeholder without a value, a value no placeholder uses, `:name`
            with a list or `$n` with an object, or a name `:name` cannot spell.
    """
    check_given(given)
    try:
        # No colon and no dollar sign: nothing to scan for.
        colons, numbers = _placeholders(sql) if ":" in sql or "$" in sql else ([], [])
    except ParseError:
        return PlacedSql(sql=sql)  # the gate refuses text PostgreSQL cannot even scan
    if isinstance(given, Mapping):
        return _named(sql, colons, numbers, given)
    if given is not None:
        return _positional(colons, numbers, given, sql)
    placeholders = [f":{c.word}" for c in colons if not c.in_subscript]
    placeholders += [f"${n}" for n in numbers]
    if placeholders:
        raise InvalidRequest(
            f"The placeholder {placeholders[0]} has no value: pass it in `parameters`"
        )
    return PlacedSql(sql=sql)


def check_given(given: Given | None) -> None:
    """Refuse too many values, or a name that `:name` cannot spell, before any use of them.

    Raises:
        InvalidRequest: more than MAX_PARAMETERS values, or a name that is no plain word.
    """
    if given is None:
        return
    if len(given) > MAX_PARAMETERS:
        raise InvalidRequest(f"At most {MAX_PARAMETERS} parameters may be given")
    if isinstance(given, Mapping):
        bad = next((name for name in given if not _NAME.fullmatch(name)), None)
        if bad is not None:
            raise InvalidRequest(
                f"Parameter name {bad[:64]!r} is not a plain name: letters, digits and "
                "underscores, not starting with a digit, at most 63"
            )


def bind_placed(checked: CheckedSql, placed: PlacedSql) -> CheckedSql:
    """The checked statement with its values, once PostgreSQL reads every placeholder as a value.

    Raises:
        UnsafeSql: PostgreSQL reads the placeholders otherwise (one ran into a name).
    """
    if checked.placeholders != placed.order:
        raise UnsafeSql(
            "a placeholder is not read as a value where it stands; write it apart, e.g. `= :name`",
            rule=RefusalRule.PLACEHOLDER_NOT_A_VALUE,
        )
    return replace(checked, arguments=placed.arguments)


def _placeholders(sql: str) -> tuple[list[_Colon], list[int]]:
    # pglast's scanner gives character positions (its parse tree, byte locations).
    tokens = [t for t in parser.scan(sql) if t.name not in _COMMENTS]
    colons: list[_Colon] = []
    numbers: list[int] = []
    opened: list[str] = []  # "array", "subscript" or "paren", innermost last
    for index, token in enumerate(tokens):
        kind = token.name
        if kind == _OPEN_BRACKET:
            opened.append(_bracket(tokens[index - 1].name if index else "", opened))
        elif kind == _OPEN_PAREN:
            opened.append("paren")
        elif kind in _CLOSERS and opened:
            opened.pop()
        elif kind == _PARAM:
            numbers.append(int(sql[token.start + 1 : token.end + 1]))
        elif kind == _COLON and index + 1 < len(tokens):
            after = tokens[index + 1]
            word = sql[after.start : after.end + 1]
            if after.start == token.end + 1 and _NAME.fullmatch(word):
                in_subscript = opened[-1:] == ["subscript"]
                colons.append(_Colon(token.start, after.end + 1, word, in_subscript))
    return colons, numbers


def _bracket(before: str, opened: list[str]) -> str:
    """ARRAY[...] and the brackets nested in it build arrays; any other bracket subscripts."""
    nested = before in (_OPEN_BRACKET, _COMMA) and opened[-1:] == ["array"]
    return "array" if before == "ARRAY" or nested else "subscript"


def _named(
    sql: str, colons: list[_Colon], numbers: list[int], given: Mapping[str, JsonValue]
) -> PlacedSql:
    if numbers:
        raise InvalidRequest(
            f"${numbers[0]} takes its value from a list: with named parameters write :name"
        )
    slices = [c.word for c in colons if c.in_subscript and c.word in given]
    if slices:
        raise InvalidRequest(
            f"Inside [ ] `:{slices[0]}` reads as a slice bound; write the parameter in "
            f"parentheses, `[(:{slices[0]})]`, or a column with a space, `[1: {slices[0]}]`"
        )
    used = [c for c in colons if not c.in_subscript]
    missing = next((c.word for c in used if c.word not in given), None)
    if missing is not None:
        raise InvalidRequest(f"The placeholder :{missing} has no value in `parameters`")
    positions = {word: n for n, word in enumerate(dict.fromkeys(c.word for c in used), 1)}
    unused = [name for name in given if name not in positions]
    if unused:
        raise InvalidRequest(f"No :name placeholder uses the parameter(s) {', '.join(unused)}")
    pieces: list[str] = []
    start = 0
    for colon in used:
        pieces += [sql[start : colon.start], f"${positions[colon.word]}"]
        start = colon.end
    pieces.append(sql[start:])
    return PlacedSql(
        sql="".join(pieces),
        arguments=tuple(Parameter(name=w, value=given[w]) for w in positions),
        order=tuple(positions[c.word] for c in used),
    )


def _positional(
    colons: list[_Colon], numbers: list[int], given: Sequence[JsonValue], sql: str
) -> PlacedSql:
    named = next((c.word for c in colons if not c.in_subscript), None)
    if named is not None:
        raise InvalidRequest(
            f":{named} takes its value from an object: with a list of parameters write $1..$n"
        )
    expected = set(range(1, len(given) + 1))
    missing = sorted(set(numbers) - expected)
    if missing:
        raise InvalidRequest(
            f"The placeholder ${missing[0]} has no value: {len(given)} parameter(s) given"
        )
    unused = sorted(expected - set(numbers))
    if unused:
        raise InvalidRequest(f"No placeholder uses the parameter ${unused[0]}")
    return PlacedSql(
        sql=sql,
        arguments=tuple(Parameter(name=f"${n}", value=v) for n, v in enumerate(given, 1)),
        order=tuple(numbers),
    )
