"""Schema invalidation through a real Redis: one replica sees a change, the others reload."""

import pytest
from redis.asyncio import Redis

from adapters.memory.in_memory_schema_store import InMemorySchemaStore
from adapters.redis.schema_generations import RedisInvalidatedSchemaStore
from domain.models import SchemaSnapshot

BEFORE = SchemaSnapshot(database="shop", loaded_at=1.0)
AFTER = SchemaSnapshot(database="shop", loaded_at=2.0, extension_functions=(("ext", "f"),))


def _replica(redis: Redis) -> RedisInvalidatedSchemaStore:
    return RedisInvalidatedSchemaStore(InMemorySchemaStore(), redis)


@pytest.mark.anyio
async def test_a_change_seen_by_one_replica_makes_the_others_reload(redis: Redis) -> None:
    first, second = _replica(redis), _replica(redis)
    await first.put(BEFORE)
    await second.put(BEFORE)

    await first.put(AFTER)

    assert await first.get("shop") is AFTER
    assert await second.get("shop") is None
    await second.put(AFTER)
    assert await second.get("shop") is AFTER
    assert await first.get("shop") is AFTER


@pytest.mark.anyio
async def test_reloading_an_unchanged_schema_invalidates_nobody(redis: Redis) -> None:
    first, second = _replica(redis), _replica(redis)
    await first.put(BEFORE)
    await second.put(BEFORE)

    await first.put(SchemaSnapshot(database="shop", loaded_at=5.0))

    assert await second.get("shop") is BEFORE
