"""A call as a trace: a root span per call, a child span per stage."""

from opentelemetry import trace
from opentelemetry.trace import Span, StatusCode, Tracer

from adapters.observability.call_record import CallFacts


class CallTrace:
    """The spans of one call; SQL goes on the root span only when log_requests is on."""

    def __init__(self, tracer: Tracer, call: CallFacts, *, log_requests: bool) -> None:
        self._tracer = tracer
        self._log_requests = log_requests
        attributes = {"pg_mcp.tool": call.tool, "pg_mcp.request_id": call.request_id}
        if call.database is not None:
            attributes["pg_mcp.database"] = call.database
        self._root = tracer.start_span(f"pg_mcp.{call.tool}", attributes=attributes)
        self._stage: Span | None = self._child(call)

    def stage_began(self, call: CallFacts) -> None:
        """End the previous stage's span and start this one's."""
        self._end_stage()
        self._stage = self._child(call)

    def finished(self, call: CallFacts) -> None:
        """End the stage span, then the root span with the call's outcome."""
        self._end_stage()
        root = self._root
        root.set_attribute("pg_mcp.attempts", call.attempts)
        if call.rows is not None:
            root.set_attribute("pg_mcp.row_count", call.rows)
        if call.sql is not None and self._log_requests:
            root.set_attribute("db.query.text", call.sql)
        if call.code is not None:
            root.set_attribute("error.type", call.code)
            root.set_status(StatusCode.ERROR, call.code)
        root.end()

    def _child(self, call: CallFacts) -> Span:
        attributes = {"pg_mcp.attempt": call.drafts} if call.stage == "llm" else {}
        return self._tracer.start_span(
            f"pg_mcp.stage.{call.stage}",
            context=trace.set_span_in_context(self._root),
            attributes=attributes,
        )

    def _end_stage(self) -> None:
        if self._stage is not None:
            self._stage.end()
            self._stage = None
