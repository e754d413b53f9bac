"""Starts the record of each tool call at the MCP boundary, with the sinks that report it."""

import time
import uuid
from collections.abc import Callable
from typing import TextIO

from opentelemetry.trace import Tracer

from adapters.observability.audit_log import AuditLine
from adapters.observability.call_log import CallLog
from adapters.observability.call_metrics import CallMetrics
from adapters.observability.call_record import CallFacts, CallRecord, CallSink
from adapters.observability.call_trace import CallTrace
from adapters.observability.server_metrics import ServerMetrics


class CallObserver:
    """Hands out a CallRecord per tool call, reported to a log line and, each when given, to
    metrics, a trace and an audit line (None: off).

    Questions and SQL reach the log and the trace only when log_requests is on; row values never.
    """

    def __init__(
        self,
        *,
        metrics: ServerMetrics | None = None,
        tracer: Tracer | None = None,
        log_requests: bool = False,
        timer: Callable[[], float] = time.perf_counter,
        audit: TextIO | None = None,
    ) -> None:
        self._metrics = None if metrics is None else CallMetrics(metrics)
        self._tracer = tracer
        self._log_requests = log_requests
        self._log = CallLog(log_requests=log_requests)
        self._timer = timer
        self._audit = audit

    def start(
        self,
        tool: str,
        database: str | None,
        *,
        question: str | None = None,
        request_id: str | None = None,
    ) -> CallRecord:
        """Begin the record of one call of `tool`; call finish() on it once the call is over."""
        facts = CallFacts(
            tool=tool,
            database=database,
            request_id=request_id or uuid.uuid4().hex[:16],
            question=question if self._log_requests else None,
        )
        sinks: list[CallSink] = [self._log]
        if self._metrics is not None:
            sinks.append(self._metrics)
        if self._tracer is not None:
            sinks.append(CallTrace(self._tracer, facts, log_requests=self._log_requests))
        if self._audit is not None:
            sinks.append(AuditLine(self._audit, facts))
        return CallRecord(facts, sinks, self._timer)
