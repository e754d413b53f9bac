"""How a use case reports which stage it is in, for clients that show progress."""

from typing import Protocol

STAGES = ("schema", "drafting", "checking", "running")


class Progress(Protocol):
    """Receives the stage a use case has reached."""

    async def __call__(self, stage: str) -> None:
        """Report that `stage` (one of STAGES) has begun."""
        ...


async def no_progress(stage: str) -> None:
    """A Progress that reports nothing."""
