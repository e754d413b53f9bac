"""Which known column values a question names: 'Hamburg', 'partially received', 'games'.

A value matches when its words appear in the question in order, compared lower-cased and
lightly stemmed ('books' meets 'book'). A short value (three letters or fewer) must be written
as stored, so that the word 'in' does not name India's 'IN'.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self

from application.schema.retrieval.tokens import STOP_WORDS, stem
from domain.models import ColumnValue, RelationName

_WORD = re.compile(r"[^\W_]+")
SHORT_VALUE = 3
# A value held by more columns than this names none of them in particular ('north' in every
# region column): it still matches, but only this many of its columns are reported.
MAX_HOLDERS = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueIndex:
    """Known values by their first word, each with the columns holding it."""

    by_first_word: dict[str, tuple[tuple[tuple[str, ...], str], ...]]
    holders: dict[str, tuple[tuple[RelationName, str], ...]]
    by_column: dict[tuple[RelationName, str], tuple[str, ...]]
    size: int

    @classmethod
    def build(cls, values: Iterable[ColumnValue]) -> Self:
        """Index the values that could be named in a question (not numbers, nor stop words)."""
        holders: dict[str, dict[tuple[RelationName, str], None]] = {}
        by_column: dict[tuple[RelationName, str], dict[str, None]] = {}
        for entry in values:
            key = (entry.table, entry.column)
            by_column.setdefault(key, {})[entry.value] = None
            holders.setdefault(entry.value, {})[key] = None
        found: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for value in holders:
            words = _words(value)
            if words and not _unmatchable(value, words):
                found.setdefault(words[0], []).append((words, value))
        return cls(
            by_first_word={w: tuple(hits) for w, hits in found.items()},
            holders={value: tuple(columns) for value, columns in holders.items()},
            by_column={key: tuple(column) for key, column in by_column.items()},
            size=sum(len(column) for column in by_column.values()),
        )

    def match(self, question: str) -> list[ColumnValue]:
        """The indexed values the question names, longest first, with their columns."""
        raw = _WORD.findall(question)
        words = tuple(stem(word.lower()) for word in raw)
        matched: dict[str, int] = {}
        for start, word in enumerate(words):
            for value_words, value in self.by_first_word.get(word, ()):
                end = start + len(value_words)
                if value in matched or words[start:end] != value_words:
                    continue
                if len(value) <= SHORT_VALUE and " ".join(raw[start:end]) != value:
                    continue
                matched[value] = len(value_words)
        return [
            ColumnValue(table=table, column=column, value=value)
            for value in sorted(matched, key=lambda value: -matched[value])
            for table, column in self.holders[value][:MAX_HOLDERS]
        ]

    def values_of(self, table: RelationName, column: str) -> tuple[str, ...]:
        """Every indexed value of one column, in the order they were given."""
        return self.by_column.get((table, column), ())


def _words(text: str) -> tuple[str, ...]:
    return tuple(stem(word.lower()) for word in _WORD.findall(text))


def _unmatchable(value: str, words: tuple[str, ...]) -> bool:
    # Numbers and question words would match nearly every question without naming anything.
    if all(word.isdigit() for word in words):
        return True
    return len(words) == 1 and value.lower() in STOP_WORDS and not value.isupper()
