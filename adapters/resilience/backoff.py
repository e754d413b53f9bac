"""Retries with tenacity: the backoff, the loop, and the `Retries` concern."""

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


class Retries:
    """Retries a call's transient failures with backoff (an `Around`).

    Only a failure starts tenacity's loop (about 90 µs to build, which every successful call
    would pay for nothing); the failure is replayed as its first attempt, so attempt numbers,
    backoff and logging are exactly as if the loop had run from the start.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        what: str,
        transient: Transient,
        retry_after: RetryAfter = no_retry_after,
        on_retry: OnRetry | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._policy = policy
        self._what = what
        self._transient = transient
        self._retry_after = retry_after
        self._on_retry = on_retry
        self._sleep = sleep

    async def __call__(self, call: Callable[[], Awaitable[T]]) -> T:
        """The call's result; the last error once the attempts are spent."""
        try:
            return await call()
        except Exception as exc:
            if not self._transient(exc):
                raise
            failed = [exc]

        async def attempt() -> T:
            if failed:
                raise failed.pop()
            return await call()

        result: T = await self._loop()(attempt)
        return result

    def _loop(self) -> AsyncRetrying:
        """A fresh retry loop (one per call: tenacity keeps per-run state on the object)."""
        policy = self._policy

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            wait = state.next_action.sleep if state.next_action else 0.0
            logger.warning(
                "%s failed (attempt %d of %d), retrying in %.2f s: %s",
                self._what,
                state.attempt_number,
                policy.max_attempts,
                wait,
                exc,
            )
            if self._on_retry is not None:
                self._on_retry(state.attempt_number)

        return AsyncRetrying(
            sleep=self._sleep,
            stop=stop_after_attempt(policy.max_attempts),
            wait=RetryAfterBackoff(policy, self._retry_after),
            retry=retry_if_exception(self._transient),
            before_sleep=before_sleep,
            reraise=True,
        )
