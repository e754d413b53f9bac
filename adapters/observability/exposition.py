"""The metrics as Prometheus text, for an MCP resource or a local HTTP endpoint."""

from dataclasses import dataclass
from threading import Thread
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, generate_latest, start_http_server

# Scrapes come from the same host (a local agent); never listen on every interface.
_LOOPBACK = "127.0.0.1"


def render_metrics(registry: CollectorRegistry) -> str:
    """Every metric of the registry in the Prometheus text exposition format."""
    return generate_latest(registry).decode("utf-8")


@dataclass(frozen=True, slots=True)
class MetricsEndpoint:
    """A running HTTP endpoint serving /metrics on 127.0.0.1."""

    server: WSGIServer
    thread: Thread

    @property
    def port(self) -> int:
        """The port it listens on (useful when 0 asked for any free port)."""
        return int(self.server.server_port)

    def close(self) -> None:
        """Stop serving and release the port."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_metrics_http(registry: CollectorRegistry, port: int) -> MetricsEndpoint:
    """Serve the registry at http://127.0.0.1:port/metrics from a daemon thread."""
    server, thread = start_http_server(port, addr=_LOOPBACK, registry=registry)
    return MetricsEndpoint(server, thread)
