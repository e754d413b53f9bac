"""Reads the Prometheus text a scrape would see, sample by sample."""

from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from adapters.observability.exposition import render_metrics


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    """The value of the sample `name` with exactly these labels in the rendered text, or None."""
    for family in text_string_to_metric_families(render_metrics(registry)):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    return None
