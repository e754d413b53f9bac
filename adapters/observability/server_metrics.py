"""The Prometheus metrics of one server, kept in a registry of their own."""

from collections.abc import Callable
from functools import cache

from prometheus_client import CollectorRegistry, Counter, Histogram

# Stage latencies run from a cached schema (milliseconds) to a slow model (tens of seconds).
_STAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

NO_CODE = "none"


class ServerMetrics:
    """Counters and histograms of tool calls, stages, the chat model, retries and refusals."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        # Never the global default registry: two servers in one process must not share counts.
        self.registry = registry if registry is not None else CollectorRegistry()
        self._calls = Counter(
            "pg_mcp_tool_calls",
            "MCP tool calls by tool, outcome (ok/error) and error code",
            ("tool", "outcome", "code"),
            registry=self.registry,
        )
        self._stages = Histogram(
            "pg_mcp_stage_duration_seconds",
            "Time a tool call spent in each stage (rate_limit, schema, llm, safety, database, "
            "total)",
            ("tool", "stage"),
            buckets=_STAGE_BUCKETS,
            registry=self.registry,
        )
        self._llm_calls = Histogram(
            "pg_mcp_llm_call_duration_seconds",
            "Latency of each chat-model call by outcome",
            ("outcome",),
            buckets=_STAGE_BUCKETS,
            registry=self.registry,
        )
        self._tokens = Counter(
            "pg_mcp_llm_tokens",
            "Chat-model tokens by direction (in: prompt, out: completion)",
            ("direction",),
            registry=self.registry,
        )
        self._retries = Counter(
            "pg_mcp_retries",
            "Retries of transient failures by target",
            ("target",),
            registry=self.registry,
        )
        self._repairs = Counter(
            "pg_mcp_repair_attempts",
            "Drafts after the first one, written to repair a rejected or failing statement",
            ("tool",),
            registry=self.registry,
        )
        self._refusals = Counter(
            "pg_mcp_rate_limit_refusals",
            "Calls refused by a rate limit, by kind (requests: per client; llm: model bucket)",
            ("kind",),
            registry=self.registry,
        )
        # labels() checks names and takes a lock each time; a call records six or more series. A
        # series appears on its first use, as before.
        self._call_series = cache(self._calls.labels)
        self._stage_series = cache(self._stages.labels)
        self._llm_series = cache(self._llm_calls.labels)
        self._token_series = cache(self._tokens.labels)

    def record_call(self, tool: str, code: str | None) -> None:
        """Count one finished tool call; `code` is the error code, None on success."""
        outcome = "ok" if code is None else "error"
        self._call_series(tool, outcome, code or NO_CODE).inc()

    def observe_stage(self, tool: str, stage: str, seconds: float) -> None:
        """Record the time one call spent in one stage."""
        self._stage_series(tool, stage).observe(seconds)

    def observe_llm_call(self, seconds: float, *, ok: bool) -> None:
        """Record the latency of one chat-model call."""
        self._llm_series("ok" if ok else "error").observe(seconds)

    def count_tokens(self, tokens_in: int, tokens_out: int) -> None:
        """Add the tokens one chat-model reply used."""
        self._token_series("in").inc(tokens_in)
        self._token_series("out").inc(tokens_out)

    def count_repairs(self, tool: str, repairs: int) -> None:
        """Add the repair drafts one call needed."""
        if repairs > 0:
            self._repairs.labels(tool=tool).inc(repairs)

    def count_refusal(self, kind: str) -> None:
        """Count one call refused by a rate limit of `kind` ("requests" or "llm")."""
        self._refusals.labels(kind=kind).inc()

    def on_retry(self, target: str) -> Callable[[int], None]:
        """An on_retry callback for a retrying wrapper of `target` ("llm" or "database")."""
        counter = self._retries.labels(target=target)

        def count(attempt: int) -> None:
            counter.inc()

        return count
