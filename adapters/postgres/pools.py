"""Opens one pool per configured database, side by side, and closes them all together."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg

from adapters.postgres.pool import PoolConfig, open_pool


async def open_pools(configs: Sequence[PoolConfig]) -> AsyncIterator[dict[str, asyncpg.Pool]]:
    """Yield the pools by database name; close every one of them afterwards."""
    async with AsyncExitStack() as stack:
        # Concurrently: a database that is slow to answer must not hold up the others' start.
        managers = [asynccontextmanager(open_pool)(config) for config in configs]
        opened = await asyncio.gather(
            *(manager.__aenter__() for manager in managers), return_exceptions=True
        )
        for manager, result in zip(managers, opened, strict=True):
            if not isinstance(result, BaseException):
                stack.push_async_exit(manager)
        pools: dict[str, asyncpg.Pool] = {}
        for config, result in zip(configs, opened, strict=True):
            if isinstance(result, BaseException):
                raise result
            pools[config.name] = result
        yield pools
