"""Several drafts of one question: run those the gate passes on a few rows, keep the majority's.

Drafts that return the same rows (in any order) agree; the largest group wins, ties going to
the earliest draft, and when none runs the first draft goes on to be repaired as usual.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from domain.errors import PgMcpError, QueryTimedOut, SqlExecutionFailed, UnsafeSql
from domain.models import JsonValue, QueryResult, SqlDraft
from domain.safety.checked import CheckedSql

Check = Callable[[str], Awaitable[CheckedSql]]
Probe = Callable[[CheckedSql], Awaitable[QueryResult]]
# Enough rows to tell two result sets apart, few enough that probing stays cheap.
PROBE_ROWS = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateReport:
    """What choosing among drafts cost: model calls, distinct drafts, probes run, agreement."""

    drafted: int
    distinct: int
    ran: int
    agreeing: int

    def as_json(self) -> dict[str, JsonValue]:
        """The report as structured content."""
        return {
            "drafted": self.drafted,
            "distinct": self.distinct,
            "ran": self.ran,
            "agreeing": self.agreeing,
            "probe_rows": PROBE_ROWS,
        }


async def more_drafts(draft: Callable[[], Awaitable[SqlDraft]], count: int) -> list[SqlDraft]:
    """`count` more drafts asked for side by side; one the model fails to give is left out."""
    found = await asyncio.gather(*(draft() for _ in range(count)), return_exceptions=True)
    for failure in found:
        if isinstance(failure, BaseException) and not isinstance(failure, PgMcpError):
            raise failure
    return [draft for draft in found if isinstance(draft, SqlDraft)]


async def pick_by_agreement(
    drafts: Sequence[SqlDraft], check: Check, probe: Probe
) -> tuple[SqlDraft, CandidateReport]:
    """The draft whose rows most other drafts return too; the first draft when none runs."""
    distinct = list({draft.sql.strip(): draft for draft in drafts}.values())
    groups: dict[tuple[str, ...], list[SqlDraft]] = {}
    ran = 0
    for draft in distinct:
        try:
            result = await probe(await check(draft.sql))
        except (UnsafeSql, SqlExecutionFailed, QueryTimedOut):
            continue  # refused or failing drafts do not vote
        ran += 1
        groups.setdefault(_rows_key(result), []).append(draft)
    if not groups:
        report = CandidateReport(drafted=len(drafts), distinct=len(distinct), ran=0, agreeing=0)
        return drafts[0], report
    best = max(groups.values(), key=len)  # max keeps the first of equals: the earliest draft
    report = CandidateReport(
        drafted=len(drafts), distinct=len(distinct), ran=ran, agreeing=len(best)
    )
    return best[0], report


def _rows_key(result: QueryResult) -> tuple[str, ...]:
    # Same rows in another order still agree: an ORDER BY the question did not ask for differs.
    return (str(len(result.columns)), *sorted(repr(row) for row in result.rows))
