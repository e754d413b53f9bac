"""Okapi BM25 over weighted term counts: which documents best match a bag of query terms."""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Self

# The usual constants: k1 saturates repeated terms, b normalises for document length.
K1 = 1.2
B = 0.75


@dataclass(frozen=True, slots=True, kw_only=True)
class Bm25Index:
    """An inverted index that scores documents against query terms with BM25."""

    size: int
    postings: Mapping[str, tuple[tuple[int, float], ...]]
    idf: Mapping[str, float]
    length_norms: tuple[float, ...]

    @classmethod
    def build(cls, documents: Sequence[Mapping[str, float]]) -> Self:
        """Index documents given as term -> weighted count."""
        postings: dict[str, list[tuple[int, float]]] = {}
        for position, document in enumerate(documents):
            for term, count in document.items():
                postings.setdefault(term, []).append((position, count))
        lengths = [sum(document.values()) for document in documents]
        average = (sum(lengths) / len(lengths)) if lengths else 1.0
        size = len(documents)
        return cls(
            size=size,
            postings={term: tuple(hits) for term, hits in postings.items()},
            idf={term: _idf(size, len(hits)) for term, hits in postings.items()},
            length_norms=tuple(K1 * (1 - B + B * length / (average or 1.0)) for length in lengths),
        )

    def scores(self, query: Iterable[str]) -> list[float]:
        """One score per document, in document order; 0.0 where no query term occurs."""
        totals = [0.0] * self.size
        for document, parts in self.contributions(query).items():
            totals[document] = sum(parts.values())
        return totals

    def contributions(self, query: Iterable[str]) -> dict[int, dict[str, float]]:
        """For each matching document, what each query term adds to its score."""
        found: dict[int, dict[str, float]] = {}
        for term in dict.fromkeys(query):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for position, count in self.postings[term]:
                part = idf * count * (K1 + 1) / (count + self.length_norms[position])
                found.setdefault(position, {})[term] = part
        return found


def _idf(size: int, frequency: int) -> float:
    # Lucene's variant stays positive even for terms found in most documents.
    return math.log(1 + (size - frequency + 0.5) / (frequency + 0.5))
