"""The real monotonic clock."""

import time

from domain.ports import Clock


class SystemClock(Clock):
    """time.monotonic(), which never goes backwards."""

    def now(self) -> float:
        """Seconds on the monotonic clock."""
        return time.monotonic()
