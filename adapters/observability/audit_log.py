"""The audit trail: one JSON line per tool call saying who asked what of which database."""

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from adapters.observability.call_observer import CallObserver
from adapters.observability.call_record import CallRecord
from application.caller import current_caller

Timer = Callable[[], float]


class AuditedRecord:
    """A call record that also writes the audit line when the call finishes."""

    def __init__(
        self, inner: CallRecord, line: dict[str, object], out: TextIO, timer: Timer
    ) -> None:
        self._inner = inner
        self._line = line
        self._out = out
        self._timer = timer
        self._started = timer()
        self._written = False

    async def stage(self, name: str) -> None:
        """Pass the stage on."""
        await self._inner.stage(name)

    def finish(
        self,
        *,
        code: str | None,
        rows: int | None = None,
        attempts: int | None = None,
        sql: str | None = None,
        database: str | None = None,
    ) -> None:
        """Finish the inner record and write the audit line once: counts, never row values."""
        self._inner.finish(code=code, rows=rows, attempts=attempts, sql=sql, database=database)
        if self._written:
            return
        self._written = True
        duration_ms = round((self._timer() - self._started) * 1000, 1)
        self._line |= {"database": database or self._line["database"], "sql": sql}
        self._line |= {"rows": rows, "code": code, "duration_ms": duration_ms}
        self._out.write(json.dumps(self._line) + "\n")
        self._out.flush()


class AuditedCalls:
    """An observer that writes an audit line per call beside what `inner` records."""

    def __init__(
        self, inner: CallObserver, out: TextIO, *, timer: Timer = time.perf_counter
    ) -> None:
        self._inner = inner
        self._out = out
        self._timer = timer

    def start(
        self,
        tool: str,
        database: str | None,
        *,
        question: str | None = None,
        request_id: str | None = None,
    ) -> AuditedRecord:
        """Begin the inner record and the audit line of one call."""
        caller = current_caller()
        line: dict[str, object] = {
            "audit": "tool_call",
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "subject": None if caller is None else caller.subject,
            "tool": tool,
            "database": database,
        }
        inner = self._inner.start(tool, database, question=question, request_id=request_id)
        return AuditedRecord(inner, line, self._out, self._timer)
