"""Opens one pool per configured database and closes them all together."""

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg

from adapters.postgres.pool import PoolConfig, open_pool


async def open_pools(configs: Sequence[PoolConfig]) -> AsyncIterator[dict[str, asyncpg.Pool]]:
    """Yield the pools by database name; close every one of them afterwards."""
    async with AsyncExitStack() as stack:
        pools = {
            config.name: await stack.enter_async_context(asynccontextmanager(open_pool)(config))
            for config in configs
        }
        yield pools
