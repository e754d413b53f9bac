"""Starts the record of each tool call at the MCP boundary."""

import time
import uuid
from collections.abc import Callable

from opentelemetry.trace import Tracer

from adapters.observability.call_record import CallRecord
from adapters.observability.server_metrics import ServerMetrics


class CallObserver:
    """Hands out a CallRecord per tool call; metrics and tracing are each optional (None: off).

    Questions and SQL reach the log and the trace only when log_requests is on; row values never.
    """

    def __init__(
        self,
        *,
        metrics: ServerMetrics | None = None,
        tracer: Tracer | None = None,
        log_requests: bool = False,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._metrics = metrics
        self._tracer = tracer
        self._log_requests = log_requests
        self._timer = timer

    def start(
        self,
        tool: str,
        database: str | None,
        *,
        question: str | None = None,
        request_id: str | None = None,
    ) -> CallRecord:
        """Begin the record of one call of `tool`; call finish() on it once the call is over."""
        return CallRecord(
            tool=tool,
            database=database,
            request_id=request_id or uuid.uuid4().hex[:16],
            question=question if self._log_requests else None,
            metrics=self._metrics,
            tracer=self._tracer,
            log_requests=self._log_requests,
            timer=self._timer,
        )
