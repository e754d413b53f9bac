"""A finished call in the server's metrics: its outcome, each stage's time, repairs, refusals."""

from adapters.observability.call_record import CallFacts
from adapters.observability.server_metrics import ServerMetrics

_RATE_LIMITED = "ERR_009"


class CallMetrics:
    """The metrics sink of every call (it keeps nothing per call)."""

    def __init__(self, metrics: ServerMetrics) -> None:
        self._metrics = metrics

    def stage_began(self, call: CallFacts) -> None:
        """Stages are counted when the call ends."""

    def finished(self, call: CallFacts) -> None:
        """Count the call, observe each stage's seconds, the repairs and a rate-limit refusal."""
        metrics = self._metrics
        metrics.record_call(call.tool, call.code)
        for stage, seconds in call.spent.items():
            metrics.observe_stage(call.tool, stage, seconds)
        metrics.count_repairs(call.tool, call.drafts - 1)
        if call.code == _RATE_LIMITED:
            # Refused before any stage: the per-client window; later: the chat-model bucket.
            metrics.count_refusal("requests" if call.drafts == 0 else "llm")
