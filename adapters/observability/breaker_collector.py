"""Reads the state of each circuit breaker when Prometheus scrapes."""

from collections.abc import Iterable, Iterator
from typing import Protocol

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

# The states of adapters.resilience.CircuitState, spelled out so this package imports no other
# adapter; every state gets a sample (0 or 1) so that a change shows as a step in a graph.
STATES = ("closed", "open", "half_open")


class NamedBreaker(Protocol):
    """What the collector reads from a circuit breaker."""

    @property
    def name(self) -> str:
        """What the breaker guards, e.g. "database 'shop'"."""
        ...

    @property
    def state(self) -> str:
        """One of STATES."""
        ...


class BreakerCollector(Collector):
    """One gauge sample per breaker and state: 1 for the state the breaker is in, else 0."""

    def __init__(self, breakers: Iterable[NamedBreaker]) -> None:
        self._breakers = tuple(breakers)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The state of every breaker."""
        family = GaugeMetricFamily(
            "pg_mcp_circuit_state",
            "Circuit breaker state (1 for the current state, 0 for the others)",
            labels=["breaker", "state"],
        )
        for breaker in self._breakers:
            current = str(breaker.state)
            for state in STATES:
                family.add_metric([breaker.name, state], 1.0 if state == current else 0.0)
        yield family
