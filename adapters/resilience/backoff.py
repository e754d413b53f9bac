"""The tenacity retry loop both retrying wrappers share."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_base, wait_exponential, wait_random

from adapters.resilience.retry_policy import RetryPolicy

logger = logging.getLogger(__name__)

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[None]]
Transient = Callable[[BaseException], bool]
RetryAfter = Callable[[BaseException], float | None]
OnRetry = Callable[[int], None]


def no_retry_after(exc: BaseException) -> float | None:
    """The default: no error carries a server's Retry-After."""
    return None


class RetryAfterBackoff(wait_base):
    """Exponential backoff plus jitter, but never shorter than the server's Retry-After."""

    def __init__(self, policy: RetryPolicy, retry_after: RetryAfter) -> None:
        # Jitter of up to one base delay spreads out callers that failed together.
        self._backoff = wait_exponential(
            multiplier=policy.base_delay, max=policy.max_delay, exp_base=policy.multiplier
        ) + wait_random(0, policy.base_delay)
        self._max_delay = policy.max_delay
        self._retry_after = retry_after

    def __call__(self, retry_state: RetryCallState) -> float:
        """Seconds to wait before the next attempt, at most max_delay."""
        delay = min(self._backoff(retry_state), self._max_delay)
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        asked = self._retry_after(exc) if exc is not None else None
        if asked is not None:
            delay = max(delay, min(asked, self._max_delay))
        return delay


def async_retrying(
    policy: RetryPolicy,
    *,
    what: str,
    transient: Transient,
    retry_after: RetryAfter = no_retry_after,
    on_retry: OnRetry | None = None,
    sleep: Sleep = asyncio.sleep,
) -> AsyncRetrying:
    """A fresh retry loop (one per call: tenacity keeps per-run state on the object)."""

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        logger.warning(
            "%s failed (attempt %d of %d), retrying in %.2f s: %s",
            what,
            state.attempt_number,
            policy.max_attempts,
            wait,
            exc,
        )
        if on_retry is not None:
            on_retry(state.attempt_number)

    return AsyncRetrying(
        sleep=sleep,
        stop=stop_after_attempt(policy.max_attempts),
        wait=RetryAfterBackoff(policy, retry_after),
        retry=retry_if_exception(transient),
        before_sleep=before_sleep,
        reraise=True,
    )


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    transient: Transient,
    retrying: Callable[[], AsyncRetrying],
) -> T:
    """Call once; only a transient failure starts the retry loop, replayed as its first attempt.

    Building a tenacity loop costs about 90 µs, which every successful call would pay for
    nothing; the replay keeps attempt numbers, backoff and logging exactly as if it had run.
    """
    try:
        return await call()
    except Exception as exc:
        if not transient(exc):
            raise
        failed = [exc]

    async def attempt() -> T:
        if failed:
            raise failed.pop()
        return await call()

    result: T = await retrying()(attempt)
    return result
