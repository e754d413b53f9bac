"""Prepared schemas from the store's snapshots, reloaded from the database past the TTL."""

import asyncio

from application.schema.prepared import PreparedSchema
from domain.access.rules import AccessRules
from domain.models import SchemaSnapshot
from domain.ports import Clock, Database, SchemaStore

# A statement naming a relation the snapshot lacks reloads it, but such reloads come at most
# this often: made-up names must not turn every call into a full catalog read.
MIN_RELOAD_INTERVAL = 2.0


class SchemaCatalog:
    """Serves each database's prepared schema, loading it at most once at a time.

    A snapshot is prepared under the access rules once, when first served after its load.
    """

    def __init__(
        self, *, store: SchemaStore, clock: Clock, ttl: float, rules: AccessRules | None = None
    ) -> None:
        self._store = store
        self._clock = clock
        self._ttl = ttl
        self._rules = rules or AccessRules()
        self._locks: dict[str, asyncio.Lock] = {}
        self._asked: dict[str, float] = {}
        self._refreshing: dict[str, asyncio.Task[PreparedSchema]] = {}
        self._prepared: dict[str, PreparedSchema] = {}

    async def for_routing(self, database: Database) -> PreparedSchema:
        """The stored snapshot even when stale (reloaded in the background), else a loaded one.

        Routing compares databases; an older snapshot of one that is not chosen costs nothing,
        while waiting for its reload would delay every question.
        """
        cached = await self._store.get(database.name)
        if cached is None:
            return await self.schema(database)
        running = self._refreshing.get(database.name)
        if not self._fresh(cached) and (running is None or running.done()):
            task = asyncio.ensure_future(self.schema(database))
            # Retrieved here: a failed background reload is not reported as lost.
            task.add_done_callback(lambda done: done.cancelled() or done.exception())
            self._refreshing[database.name] = task
        return self._prepare(cached)

    async def reload(self, database: Database, stale: PreparedSchema) -> PreparedSchema | None:
        """A newer schema than `stale`, for a name it lacks; None when none may be had yet."""
        latest = await self._store.get(database.name)
        if latest is not None and latest is not stale.snapshot:
            return self._prepare(latest)
        now = self._clock.now()
        if now - self._asked.get(database.name, -MIN_RELOAD_INTERVAL) < MIN_RELOAD_INTERVAL:
            return None
        self._asked[database.name] = now
        return await self.schema(database, refresh=True)

    async def schema(self, database: Database, *, refresh: bool = False) -> PreparedSchema:
        """The prepared schema of `database`, reloaded when stale or when refresh is asked."""
        cached = await self._store.get(database.name)
        if cached is not None and not refresh and self._fresh(cached):
            return self._prepare(cached)
        lock = self._locks.setdefault(database.name, asyncio.Lock())
        async with lock:
            # Another caller may have reloaded it while this one waited for the lock.
            latest = await self._store.get(database.name)
            if latest is not None and latest is not cached and self._fresh(latest):
                return self._prepare(latest)
            snapshot = await database.introspect()
            await self._store.put(snapshot)
            return self._prepare(snapshot)

    def _prepare(self, snapshot: SchemaSnapshot) -> PreparedSchema:
        """The snapshot prepared, once: the store hands out the same object until a reload."""
        prepared = self._prepared.get(snapshot.database)
        if prepared is None or prepared.snapshot is not snapshot:
            prepared = PreparedSchema(snapshot, self._rules)
            self._prepared[snapshot.database] = prepared
        return prepared

    def _fresh(self, snapshot: SchemaSnapshot) -> bool:
        return self._clock.now() - snapshot.loaded_at < self._ttl
