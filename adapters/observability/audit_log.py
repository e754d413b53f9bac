"""The audit trail: one JSON line per tool call saying who asked what of which database."""

import json
from datetime import UTC, datetime
from typing import TextIO

from adapters.observability.call_record import TOTAL, CallFacts
from application.caller import current_caller


class AuditLine:
    """The audit sink of one call: who called and when, taken at its start; counts, no values."""

    def __init__(self, out: TextIO, call: CallFacts) -> None:
        self._out = out
        caller = current_caller()
        self._line: dict[str, object] = {
            "audit": "tool_call",
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "subject": None if caller is None else caller.subject,
            "tool": call.tool,
        }

    def stage_began(self, call: CallFacts) -> None:
        """Stages are not audited."""

    def finished(self, call: CallFacts) -> None:
        """Write the line: database, SQL, row count, code and duration; never row values."""
        self._line |= {"database": call.database, "sql": call.sql, "rows": call.rows}
        self._line |= {"code": call.code, "duration_ms": round(call.spent[TOTAL] * 1000, 1)}
        self._out.write(json.dumps(self._line) + "\n")
        self._out.flush()
