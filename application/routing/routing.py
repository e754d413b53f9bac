"""Why a question went to the database it went to: what a reply tells the client."""

from dataclasses import dataclass, field

from domain.models import JsonValue


@dataclass(frozen=True, slots=True, kw_only=True)
class Routing:
    """How the database was chosen; scores, runner_up and skipped only when it was routed.

    reason: "named", "only database", "best match", "model choice" or "fallback".
    """

    reason: str
    scores: dict[str, float] = field(default_factory=dict)
    runner_up: str | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    note: str = ""

    @property
    def routed(self) -> bool:
        """True when the database was chosen by scoring the question (not named, not the only)."""
        return bool(self.scores)

    def reply(self) -> dict[str, JsonValue] | None:
        """What a reply says of the routing: the facts when routed, else nothing."""
        return self.as_json() if self.routed else None

    def as_json(self) -> dict[str, JsonValue]:
        """The routing as structured content: only the facts that apply."""
        found: dict[str, JsonValue] = {"reason": self.reason}
        if self.scores:
            found["scores"] = dict(self.scores)
        if self.runner_up is not None:
            found["runner_up"] = self.runner_up
        if self.skipped:
            found["skipped"] = dict(self.skipped)
        if self.note:
            found["note"] = self.note
        return found
