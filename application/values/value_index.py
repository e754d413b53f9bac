"""Which known column values a question names: 'Hamburg', 'partially received', 'games'.

A value matches when its words appear in the question in order, compared lower-cased and
lightly stemmed ('books' meets 'book'). A short value (three letters or fewer) must be written
as stored, so that the word 'in' does not name India's 'IN'.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self

from application.schema_tokens import STOP_WORDS, stem
from domain.models import ColumnValue

_WORD = re.compile(r"[^\W_]+")
SHORT_VALUE = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueIndex:
    """Known values by their first word, for matching the words of a question."""

    by_first_word: dict[str, tuple[tuple[tuple[str, ...], ColumnValue], ...]]
    by_column: dict[tuple[str, str], tuple[str, ...]]
    size: int

    @classmethod
    def build(cls, values: Iterable[ColumnValue]) -> Self:
        """Index the values that could be named in a question (not numbers, nor stop words)."""
        found: dict[str, list[tuple[tuple[str, ...], ColumnValue]]] = {}
        by_column: dict[tuple[str, str], dict[str, None]] = {}
        size = 0
        for entry in values:
            by_column.setdefault((entry.table, entry.column), {})[entry.value] = None
            words = _words(entry.value)
            if not words or _unmatchable(entry.value, words):
                continue
            found.setdefault(words[0], []).append((words, entry))
            size += 1
        return cls(
            by_first_word={w: tuple(hits) for w, hits in found.items()},
            by_column={key: tuple(column) for key, column in by_column.items()},
            size=size,
        )

    def values_of(self, table: str, column: str) -> tuple[str, ...]:
        """Every indexed value of one column, in the order they were given."""
        return self.by_column.get((table, column), ())

    def match(self, question: str) -> list[ColumnValue]:
        """The indexed values the question names, longest first, each column value once."""
        raw = _WORD.findall(question)
        words = tuple(stem(word.lower()) for word in raw)
        matched: dict[ColumnValue, int] = {}
        for start, word in enumerate(words):
            for value_words, entry in self.by_first_word.get(word, ()):
                end = start + len(value_words)
                if words[start:end] != value_words or entry in matched:
                    continue
                if len(entry.value) <= SHORT_VALUE and " ".join(raw[start:end]) != entry.value:
                    continue
                matched[entry] = len(value_words)
        return sorted(matched, key=lambda entry: -matched[entry])


def _words(text: str) -> tuple[str, ...]:
    return tuple(stem(word.lower()) for word in _WORD.findall(text))


def _unmatchable(value: str, words: tuple[str, ...]) -> bool:
    # Numbers and question words would match nearly every question without naming anything.
    if all(word.isdigit() for word in words):
        return True
    return len(words) == 1 and value.lower() in STOP_WORDS and not value.isupper()
