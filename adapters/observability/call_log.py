"""A finished call as one log line: INFO on success, WARNING with its code on failure."""

import logging

from adapters.observability.call_record import TOTAL, CallFacts

logger = logging.getLogger(__name__)


class CallLog:
    """The log sink of every call; the question and SQL only when log_requests is on."""

    def __init__(self, *, log_requests: bool) -> None:
        self._log_requests = log_requests

    def stage_began(self, call: CallFacts) -> None:
        """Stages are not logged one by one."""

    def finished(self, call: CallFacts) -> None:
        """Write the call's line: tool, outcome, code, rows, attempts, duration, database."""
        level = logging.INFO if call.code is None else logging.WARNING
        if not logger.isEnabledFor(level):
            return
        duration_ms = round(call.spent[TOTAL] * 1000, 1)
        outcome = "ok" if call.code is None else "error"
        fields: dict[str, object] = {
            "request_id": call.request_id,
            "tool": call.tool,
            "duration_ms": duration_ms,
            "outcome": outcome,
            "code": call.code,
            "rows": call.rows,
            "attempts": call.attempts,
        }
        if call.database is not None:  # unknown when the call failed before choosing one
            fields["database"] = call.database
        if self._log_requests:
            fields["question"] = call.question
            fields["sql"] = call.sql
        logger.log(
            level,
            "%s %s %s in %.1f ms",
            call.tool,
            outcome,
            call.code or "",
            duration_ms,
            extra=fields,
        )
