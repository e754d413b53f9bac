"""One tool call in flight: the stages it passes, then metrics, a trace and one log line."""

import logging
from collections.abc import Callable

from opentelemetry import trace
from opentelemetry.trace import Span, StatusCode, Tracer

from adapters.observability.server_metrics import ServerMetrics

logger = logging.getLogger(__name__)

RATE_LIMIT = "rate_limit"
TOTAL = "total"
# A use case reports the stage it starts; the time until the next report belongs to it.
STAGE_NAMES = {"schema": "schema", "drafting": "llm", "checking": "safety", "running": "database"}
_RATE_LIMITED = "ERR_009"


class CallRecord:
    """Times the stages of one tool call and reports the call once it is finished."""

    def __init__(
        self,
        *,
        tool: str,
        database: str | None,
        request_id: str,
        question: str | None,
        metrics: ServerMetrics | None,
        tracer: Tracer | None,
        log_requests: bool,
        timer: Callable[[], float],
    ) -> None:
        self.tool = tool
        self.database = database
        self.request_id = request_id
        self._question = question
        self._metrics = metrics
        self._log_requests = log_requests
        self._timer = timer
        self._started = self._stage_started = timer()
        self._stage = RATE_LIMIT
        self._spent: dict[str, float] = {}
        self._drafts = 0
        self._finished = False
        self._tracer = tracer
        self._span = self._root_span(tracer) if tracer is not None else None
        self._stage_span = self._child_span()

    async def stage(self, name: str) -> None:
        """Note that the call began `name` (one of application.progress.STAGES)."""
        self.enter(name)

    def enter(self, name: str) -> None:
        """The same as stage(), for callers that are not coroutines."""
        now = self._timer()
        self._close_stage(now)
        self._stage = STAGE_NAMES.get(name, "other")
        self._stage_started = now
        if self._stage == "llm":
            self._drafts += 1
        self._stage_span = self._child_span()

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
        self.database = database or self.database
        code = None if code is None else str(code)  # an ErrorCode is a StrEnum; keep the value
        now = self._timer()
        self._close_stage(now)
        self._spent[TOTAL] = now - self._started
        attempts = self._drafts if attempts is None else attempts
        if self._metrics is not None:
            self._record_metrics(self._metrics, code)
        if self._span is not None:
            self._end_span(self._span, code, rows, attempts, sql)
        self._log(code, rows, attempts, sql)

    def _close_stage(self, now: float) -> None:
        self._spent[self._stage] = self._spent.get(self._stage, 0.0) + now - self._stage_started
        if self._stage_span is not None:
            self._stage_span.end()
            self._stage_span = None

    def _record_metrics(self, metrics: ServerMetrics, code: str | None) -> None:
        metrics.record_call(self.tool, code)
        for stage, seconds in self._spent.items():
            metrics.observe_stage(self.tool, stage, seconds)
        metrics.count_repairs(self.tool, self._drafts - 1)
        if code == _RATE_LIMITED:
            # Refused before any stage: the per-client window; later: the chat-model bucket.
            metrics.count_refusal("requests" if self._drafts == 0 else "llm")

    def _root_span(self, tracer: Tracer) -> Span:
        attributes: dict[str, str] = {
            "pg_mcp.tool": self.tool,
            "pg_mcp.request_id": self.request_id,
        }
        if self.database is not None:
            attributes["pg_mcp.database"] = self.database
        return tracer.start_span(f"pg_mcp.{self.tool}", attributes=attributes)

    def _child_span(self) -> Span | None:
        if self._tracer is None or self._span is None:
            return None
        attributes = {"pg_mcp.attempt": self._drafts} if self._stage == "llm" else {}
        return self._tracer.start_span(
            f"pg_mcp.stage.{self._stage}",
            context=trace.set_span_in_context(self._span),
            attributes=attributes,
        )

    def _end_span(
        self, span: Span, code: str | None, rows: int | None, attempts: int, sql: str | None
    ) -> None:
        span.set_attribute("pg_mcp.attempts", attempts)
        if rows is not None:
            span.set_attribute("pg_mcp.row_count", rows)
        if sql is not None and self._log_requests:
            span.set_attribute("db.query.text", sql)
        if code is not None:
            span.set_attribute("error.type", code)
            span.set_status(StatusCode.ERROR, code)
        span.end()

    def _log(self, code: str | None, rows: int | None, attempts: int, sql: str | None) -> None:
        level = logging.INFO if code is None else logging.WARNING
        if not logger.isEnabledFor(level):
            return
        duration_ms = round(self._spent[TOTAL] * 1000, 1)
        outcome = "ok" if code is None else "error"
        fields: dict[str, object] = {
            "request_id": self.request_id,
            "tool": self.tool,
            "duration_ms": duration_ms,
            "outcome": outcome,
            "code": code,
            "rows": rows,
            "attempts": attempts,
        }
        if self.database is not None:  # unknown when the call failed before choosing one
            fields["database"] = self.database
        if self._log_requests:
            fields["question"] = self._question
            fields["sql"] = sql
        logger.log(
            level, "%s %s %s in %.1f ms", self.tool, outcome, code or "", duration_ms, extra=fields
        )
