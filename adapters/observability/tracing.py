"""Turns tracing on: spans go to a stream as JSON lines, or over OTLP when it is configured."""

import importlib
import logging
import sys
from typing import TextIO

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter

from adapters.observability.json_span_exporter import JsonLinesSpanExporter

logger = logging.getLogger(__name__)

SERVICE_NAME = "pg-mcp"
TRACER_NAME = "pg_mcp"
_OTLP_EXPORTERS = {
    "http/protobuf": "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "grpc": "opentelemetry.exporter.otlp.proto.grpc.trace_exporter",
}


def configure_tracing(
    enabled: bool,
    stream: TextIO | None = None,
    *,
    otlp_protocol: str | None = None,
    install_globally: bool = False,
) -> TracerProvider | None:
    """A tracer provider exporting to `stream` (stderr), or over OTLP when otlp_protocol is set.

    `otlp_protocol` ("http/protobuf" or "grpc") is given when OTEL_EXPORTER_OTLP_ENDPOINT is set;
    the exporter reads the endpoint and headers from the standard OTEL_* variables itself.
    `install_globally` also makes it the process-wide provider, so the MCP SDK's own request
    spans become the parents of pg-mcp's spans. None when tracing is off.
    """
    if not enabled:
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
    provider.add_span_processor(_processor(stream or sys.stderr, otlp_protocol))
    if install_globally:
        trace.set_tracer_provider(provider)
    return provider


def tracer_of(provider: TracerProvider | None) -> trace.Tracer | None:
    """The tracer pg-mcp records with, or None when tracing is off."""
    return provider.get_tracer(TRACER_NAME) if provider is not None else None


def shutdown_tracing(provider: TracerProvider | None) -> None:
    """Export what is pending and stop the exporters."""
    if provider is not None:
        provider.shutdown()


def _processor(stream: TextIO, otlp_protocol: str | None) -> SpanProcessor:
    exporter = _otlp_exporter(otlp_protocol) if otlp_protocol else None
    if exporter is not None:
        return BatchSpanProcessor(exporter)
    # One line per span as it ends, so a crash loses nothing and tests need no flush.
    return SimpleSpanProcessor(JsonLinesSpanExporter(stream))


def _otlp_exporter(protocol: str) -> SpanExporter | None:
    module_name = _OTLP_EXPORTERS.get(protocol, _OTLP_EXPORTERS["http/protobuf"])
    try:
        # Optional extra `otlp`: imported only when OTLP export is asked for.
        module = importlib.import_module(module_name)
    except ImportError:
        logger.warning(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but the OTLP exporter is not installed "
            "(pip install 'pgmcp-ask[otlp]'); writing spans to stderr instead"
        )
        return None
    exporter: SpanExporter = module.OTLPSpanExporter()
    return exporter
