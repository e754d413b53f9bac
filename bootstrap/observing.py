"""Factories that turn ObservabilitySettings into metrics, tracing and instrumented ports."""

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import TextIO

from opentelemetry.trace import Tracer
from prometheus_client import CollectorRegistry

from adapters.observability.breaker_collector import BreakerCollector
from adapters.observability.pool_collector import PoolCollector, SizedPool
from adapters.observability.server_metrics import ServerMetrics
from adapters.resilience.circuit_breaker import CircuitBreaker
from bootstrap.settings import ObservabilitySettings


def metrics(settings: ObservabilitySettings) -> ServerMetrics | None:
    """The server's metrics, or None when PG_MCP_METRICS_ENABLED is off."""
    return ServerMetrics() if settings.metrics_enabled else None


def retry_counter(metrics: ServerMetrics | None, target: str) -> Callable[[int], None] | None:
    """An on_retry callback counting retries of `target`, or None when metrics are off."""
    return None if metrics is None else metrics.on_retry(target)


def breakers(databases: Mapping[str, CircuitBreaker], llm: CircuitBreaker) -> list[CircuitBreaker]:
    """Every circuit breaker of the server: one per database, one for the chat model."""
    return [*databases.values(), llm]


def metrics_registry(
    metrics: ServerMetrics | None,
    pools: Mapping[str, SizedPool],
    breakers: list[CircuitBreaker],
) -> CollectorRegistry | None:
    """The registry to expose, with pool and breaker collectors; None when metrics are off."""
    if metrics is None:
        return None
    metrics.registry.register(PoolCollector(pools))
    metrics.registry.register(BreakerCollector(breakers))
    return metrics.registry


def open_tracing(settings: ObservabilitySettings) -> Iterator[Tracer | None]:
    """Yield pg-mcp's tracer (None when tracing is off); flush the spans at shutdown."""
    if not settings.tracing_enabled:
        yield None
        return
    # The SDK costs ~50 ms to import; only servers with tracing on pay it.
    from adapters.observability.tracing import configure_tracing, shutdown_tracing, tracer_of

    provider = configure_tracing(
        True, sys.stderr, otlp_protocol=_otlp_protocol(), install_globally=True
    )
    try:
        yield tracer_of(provider)
    finally:
        shutdown_tracing(provider)


def _otlp_protocol() -> str | None:
    """The standard OTEL_* variables decide whether spans leave over OTLP."""
    if not (
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    ):
        return None
    return os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")


def open_audit_log(target: str) -> Iterator[TextIO | None]:
    """Where audit lines go for PG_MCP_AUDIT_LOG: stderr, a file appended to, or nowhere."""
    if not target:
        yield None
    elif target == "stderr":
        yield sys.stderr
    else:
        with open(target, "a", encoding="utf-8") as out:
            yield out
