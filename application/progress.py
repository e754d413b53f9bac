"""How a use case reports which stage it is in, for clients that show progress."""

from enum import StrEnum
from typing import Protocol


class Stage(StrEnum):
    """The stages of a call, in the order they begin."""

    SCHEMA = "schema"
    DRAFTING = "drafting"
    CHECKING = "checking"
    RUNNING = "running"


STAGES = tuple(Stage)


class Progress(Protocol):
    """Receives the stage a use case has reached."""

    async def __call__(self, stage: Stage) -> None:
        """Report that `stage` has begun."""
        ...


async def no_progress(stage: Stage) -> None:
    """A Progress that reports nothing."""
