"""A span exporter that writes one compact JSON object per finished span to a text stream."""

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import format_span_id, format_trace_id


def span_to_json(span: ReadableSpan) -> dict[str, object]:
    """The fields of a span an operator reads: ids, name, times, status and attributes."""
    context = span.get_span_context()
    start, end = span.start_time or 0, span.end_time or 0
    return {
        # Beside the log lines on stderr: "kind" tells a reader which is which.
        "kind": "span",
        "ts": datetime.fromtimestamp(start / 1e9, UTC).isoformat(timespec="milliseconds"),
        "trace_id": format_trace_id(context.trace_id) if context else None,
        "span_id": format_span_id(context.span_id) if context else None,
        "parent_id": format_span_id(span.parent.span_id) if span.parent else None,
        "name": span.name,
        "start_ns": start,
        "duration_ms": round((end - start) / 1e6, 3),
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
    }


class JsonLinesSpanExporter(SpanExporter):
    """Writes spans as JSON lines (stderr in the server: stdout carries the MCP protocol)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Write each span on a line of its own."""
        lines = "".join(
            json.dumps(span_to_json(span), separators=(",", ":"), default=str) + "\n"
            for span in spans
        )
        with self._lock:
            self._stream.write(lines)
            self._stream.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Nothing to release: the stream belongs to the caller."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the stream."""
        with self._lock:
            self._stream.flush()
        return True
