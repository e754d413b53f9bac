"""Schema snapshots kept per replica, invalidated everywhere when one replica sees a change."""

import dataclasses
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from domain.models import SchemaSnapshot
from domain.ports import SchemaStore

logger = logging.getLogger(__name__)


class RedisInvalidatedSchemaStore(SchemaStore):
    """A local store whose snapshots go stale when Redis says the schema changed elsewhere.

    - Each database has a generation counter in Redis; a replica that loads a snapshot
      differing from the one it held (a migration ran) increments it.
    - A replica holding an older generation than Redis's treats its snapshot as missing, so
      the catalog reloads it; reloading because told to does not increment again.
    - Redis unreachable: the local snapshot serves (the TTL still bounds its age).
    """

    def __init__(self, inner: SchemaStore, redis: Redis, *, prefix: str = "pg-mcp:schema:") -> None:
        self._inner = inner
        self._redis = redis
        self._prefix = prefix
        self._held: dict[str, int] = {}  # the generation each local snapshot belongs to

    async def get(self, database: str) -> SchemaSnapshot | None:
        """The local snapshot, unless another replica has since seen the schema change."""
        snapshot = await self._inner.get(database)
        if snapshot is None:
            return None
        generation = await self._generation(database)
        if generation is not None and generation > self._held.get(database, 0):
            return None
        return snapshot

    async def put(self, snapshot: SchemaSnapshot) -> None:
        """Keep the snapshot; tell the other replicas when it differs from the one held."""
        database = snapshot.database
        held = await self._inner.get(database)
        generation = await self._generation(database)
        told = generation is not None and generation > self._held.get(database, 0)
        if held is None or told:
            self._held[database] = generation or 0
        elif _changed(held, snapshot):
            self._held[database] = await self._bump(database)
        await self._inner.put(snapshot)

    async def _generation(self, database: str) -> int | None:
        try:
            value = await self._redis.get(self._prefix + database)
        except RedisError as exc:
            logger.warning("schema generations unreachable (%s)", type(exc).__name__)
            return None
        return int(value) if value is not None else 0

    async def _bump(self, database: str) -> int:
        try:
            return int(await self._redis.incr(self._prefix + database))
        except RedisError as exc:
            logger.warning("schema change not shared (%s)", type(exc).__name__)
            return self._held.get(database, 0)


def _changed(held: SchemaSnapshot, loaded: SchemaSnapshot) -> bool:
    """Whether two snapshots differ in anything but the moment they were loaded."""
    return dataclasses.replace(loaded, loaded_at=held.loaded_at) != held
