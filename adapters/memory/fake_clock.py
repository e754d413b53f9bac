"""A clock that moves only when told to."""

from domain.ports import Clock


class FakeClock(Clock):
    """Monotonic time that tests advance by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start

    def now(self) -> float:
        """The current fake time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds`."""
        self._now += seconds
