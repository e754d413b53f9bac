"""One tool call in flight: the stages it passes and their time, told to the call's sinks."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

RATE_LIMIT = "rate_limit"
TOTAL = "total"
# A use case reports the stage it starts; the time until the next report belongs to it.
STAGE_NAMES = {"schema": "schema", "drafting": "llm", "checking": "safety", "running": "database"}


@dataclass(slots=True, kw_only=True)
class CallFacts:
    """What is known of one call: filled in as it goes, complete once it has finished.

    spent: seconds per stage (and TOTAL once finished); drafts: chat-model stages entered.
    """

    tool: str
    database: str | None
    request_id: str
    question: str | None
    stage: str = RATE_LIMIT
    drafts: int = 0
    spent: dict[str, float] = field(default_factory=dict)
    code: str | None = None
    rows: int | None = None
    attempts: int = 0
    sql: str | None = None


class CallSink(Protocol):
    """One way a call is reported: metrics, a trace, a log line, an audit line."""

    def stage_began(self, call: CallFacts) -> None:
        """The call entered call.stage."""
        ...

    def finished(self, call: CallFacts) -> None:
        """The call ended; call holds its outcome and the time spent in each stage."""
        ...


class CallRecord:
    """Times the stages of one tool call and tells its sinks; finish() reports it once."""

    def __init__(
        self, facts: CallFacts, sinks: Sequence[CallSink], timer: Callable[[], float]
    ) -> None:
        self.facts = facts
        self._sinks = sinks
        self._timer = timer
        self._started = self._stage_started = timer()
        self._finished = False

    async def stage(self, name: str) -> None:
        """Note that the call began `name` (one of application.progress.STAGES)."""
        now = self._timer()
        self._close_stage(now)
        self.facts.stage = STAGE_NAMES.get(name, "other")
        self._stage_started = now
        if self.facts.stage == "llm":
            self.facts.drafts += 1
        for sink in self._sinks:
            sink.stage_began(self.facts)

    def finish(
        self,
        *,
        code: str | None,
        rows: int | None = None,
        attempts: int | None = None,
        sql: str | None = None,
        database: str | None = None,
    ) -> None:
        """Report the call: `code` is its error code (None on success); later calls are ignored.

        database: the one that answered, when the request named none (it was routed).
        """
        if self._finished:
            return
        self._finished = True
        facts = self.facts
        facts.database = database or facts.database
        facts.code = None if code is None else str(code)  # an ErrorCode is a StrEnum: its value
        facts.rows, facts.sql = rows, sql
        facts.attempts = facts.drafts if attempts is None else attempts
        now = self._timer()
        self._close_stage(now)
        facts.spent[TOTAL] = now - self._started
        for sink in self._sinks:
            sink.finished(facts)

    def _close_stage(self, now: float) -> None:
        spent = self.facts.spent
        spent[self.facts.stage] = spent.get(self.facts.stage, 0.0) + now - self._stage_started
