"""Scores that compare databases of 5 and of 10,000 tables on one scale for a question.

All candidates' tables (and each database's description) are indexed together, so a term is
as rare in one database as in the others. A database scores its best table's match, plus half
of what its next two tables add and all that its description adds; a term counts once however
many satellite copies (history, archive, ...) of a table match it. Values named in the
question add their weight (value_votes).
"""

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from application.schema.retrieval.bm25 import Bm25Index
from application.schema.retrieval.index import table_terms
from application.schema.retrieval.tokens import question_terms, terms
from domain.models import SchemaSnapshot

TOP_TABLES = 3
# What the second and third tables add counts half: terms met in unrelated tables of a big
# schema say less than terms met together in one (measured on bench.routing).
OTHER_SHARE = 0.5
# A description is the operator's own word on what a database holds: its terms weigh as a
# table name's, and what it adds counts whole.
DESCRIPTION_WEIGHT = 3.0
DESCRIBED = 1.0
_KEPT = 8
MAX_TABLES_NAMED = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A database that may answer: its visible snapshot and the operator's description."""

    snapshot: SchemaSnapshot
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Corpus:
    """Every candidate's tables and description in one BM25 index, and whose each document is."""

    candidates: tuple[Candidate, ...]
    owners: tuple[int, ...]
    names: tuple[str, ...]
    descriptions: frozenset[int]
    bm25: Bm25Index


_corpora: dict[tuple[int, ...], _Corpus] = {}


def database_scores(
    question: str,
    candidates: Sequence[Candidate],
    value_bonus: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Each candidate's score for `question`, by database name, in candidate order."""
    return rank_databases(question, candidates, value_bonus).scores


@dataclass(frozen=True, slots=True, kw_only=True)
class Ranked:
    """Each database's score and its best-matching tables, best first."""

    scores: dict[str, float]
    tables: dict[str, list[str]]


def rank_databases(
    question: str,
    candidates: Sequence[Candidate],
    value_bonus: Mapping[str, float] | None = None,
) -> Ranked:
    """Scores by database name, in candidate order, with each one's best tables."""
    corpus = _corpus(tuple(candidates))
    found = corpus.bm25.contributions(question_terms(question))
    by_owner: dict[int, list[dict[str, float]]] = {}
    described: dict[int, dict[str, float]] = {}
    for document, parts in found.items():
        if document in corpus.descriptions:
            described[corpus.owners[document]] = parts
        else:
            by_owner.setdefault(corpus.owners[document], []).append(parts)
    bonus = value_bonus or {}
    scores = {}
    for position, candidate in enumerate(candidates):
        name = candidate.snapshot.database
        covered = _covered(by_owner.get(position, []), described.get(position, {}))
        scores[name] = round(covered + bonus.get(name, 0.0), 3)
    return Ranked(scores=scores, tables=_best_tables(corpus, found))


def _best_tables(corpus: _Corpus, found: dict[int, dict[str, float]]) -> dict[str, list[str]]:
    """Each database's best-matching tables, best first, at most MAX_TABLES_NAMED."""
    tables: dict[str, list[str]] = {c.snapshot.database: [] for c in corpus.candidates}
    for document in sorted(found, key=lambda document: -sum(found[document].values())):
        if document not in corpus.descriptions:
            owner = corpus.candidates[corpus.owners[document]].snapshot.database
            if len(tables[owner]) < MAX_TABLES_NAMED:
                tables[owner].append(corpus.names[document])
    return tables


def _covered(tables: list[dict[str, float]], description: dict[str, float]) -> float:
    """What the best few tables and the description cover of the question, each term once."""
    best = heapq.nlargest(TOP_TABLES, tables, key=lambda parts: sum(parts.values()))
    covered = dict(best[0]) if best else {}
    score = sum(covered.values())
    for share, parts in [*((OTHER_SHARE, p) for p in best[1:]), (DESCRIBED, description)]:
        for term, part in parts.items():
            gain = part - covered.get(term, 0.0)
            if gain > 0:
                score += share * gain
                covered[term] = part
    return score


def _corpus(candidates: tuple[Candidate, ...]) -> _Corpus:
    key = tuple(id(candidate.snapshot) for candidate in candidates)
    cached = _corpora.get(key)
    if cached is not None and _same(cached.candidates, candidates):
        return cached
    documents: list[dict[str, float]] = []
    owners: list[int] = []
    names: list[str] = []
    descriptions: set[int] = set()
    for position, candidate in enumerate(candidates):
        for table in candidate.snapshot.tables:
            documents.append(table_terms(table))
            owners.append(position)
            names.append(table.qualified_name)
        if candidate.description:
            descriptions.add(len(documents))
            documents.append(_description_terms(candidate.description))
            owners.append(position)
            names.append("")
    corpus = _Corpus(
        candidates=candidates,
        owners=tuple(owners),
        names=tuple(names),
        descriptions=frozenset(descriptions),
        bm25=Bm25Index.build(documents),
    )
    if len(_corpora) >= _KEPT:
        del _corpora[next(iter(_corpora))]
    _corpora[key] = corpus
    return corpus


def _same(cached: tuple[Candidate, ...], wanted: tuple[Candidate, ...]) -> bool:
    # Identity, not equality: comparing two 10,000-table snapshots field by field is slow.
    return len(cached) == len(wanted) and all(
        a.snapshot is b.snapshot and a.description == b.description
        for a, b in zip(cached, wanted, strict=True)
    )


def _description_terms(description: str) -> dict[str, float]:
    counts: dict[str, float] = {}
    for term in terms(description):
        counts[term] = counts.get(term, 0.0) + DESCRIPTION_WEIGHT
    return counts
