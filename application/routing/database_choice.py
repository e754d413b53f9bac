"""Which database a question goes to: the named one, the only one, or the best-fitting one."""

import asyncio
import logging
from collections.abc import Mapping

from application.routing.chosen import Chosen, Prepared
from application.routing.databases import DatabaseDirectory
from application.routing.loading import RoutingLoads
from application.routing.model_choice import choice_conversation, chosen_name, summary
from application.routing.routing import Routing
from application.routing.scores import Candidate, Ranked, rank_databases
from application.routing.value_votes import value_bonus
from application.schema.catalog import SchemaCatalog
from application.schema.prepared import PreparedSchema
from application.values.value_catalog import ValueCatalog
from domain.errors import AIServiceUnavailable, DatabaseUnavailable, PgMcpError, RateLimited
from domain.models import SchemaSnapshot
from domain.ports import ChatModel, Clock, Database

logger = logging.getLogger(__name__)

# When the runner-up scores at least this share of the best, the scores alone do not decide.
CLOSE_SHARE = 0.8


class DatabaseChoice:
    """Resolves the database for a question, with its prepared schema and the reason."""

    def __init__(
        self,
        *,
        databases: DatabaseDirectory,
        catalog: SchemaCatalog,
        values: ValueCatalog,
        clock: Clock,
        chat_model: ChatModel | None = None,
        grace: float | None = None,
    ) -> None:
        self._databases = databases
        self._catalog = catalog
        self._values = values
        self._chat_model = chat_model
        extra = {} if grace is None else {"grace": grace}
        self._loads: RoutingLoads[Prepared] = RoutingLoads(self._prepare, clock=clock, **extra)

    async def reload(self, database: Database, stale: PreparedSchema) -> PreparedSchema | None:
        """A newer schema of the database, or None when `stale` is too recent to replace."""
        return await self._catalog.reload(database, stale)

    async def choose(self, name: str | None, question: str) -> Chosen:
        """The database and its schema; routed by the question when several and none named.

        A named database is the only one touched. Routing loads the candidates concurrently
        and leaves out one that is down, still loading, or behind an open circuit.

        Raises:
            InvalidRequest: the name is unknown.
            DatabaseUnavailable, SchemaLoadFailed: the (only) candidate cannot be read.
        """
        if name is not None or len(self._databases.names) == 1:
            database = self._databases.pick(name)
            routing = Routing(reason="named" if name is not None else "only database")
            try:
                schema = await self._catalog.schema(database)
            except PgMcpError as error:
                raise error.about(database=database.name) from None
            return Chosen(database=database, schema=schema, routing=routing)
        loaded = await self._loads.load([self._databases.pick(n) for n in self._databases.names])
        if not loaded.ready:
            none = Routing(reason="best match", skipped=loaded.skipped)
            raise DatabaseUnavailable("No configured database is reachable").about(
                routing=none.as_json()
            )
        return await self._route(question, loaded.ready, loaded.skipped)

    async def _route(
        self, question: str, ready: Mapping[str, Prepared], skipped: dict[str, str]
    ) -> Chosen:
        candidates = [
            Candidate(snapshot=p.visible, description=self._described(name, p.visible))
            for name, p in ready.items()
        ]
        bonus = value_bonus(question, {name: p.values for name, p in ready.items()})
        ranked = rank_databases(question, candidates, bonus)
        order = sorted(ready, key=lambda n: -ranked.scores[n])  # stable: ties keep order
        picked = await self._settle(question, order, ranked, ready)
        best = picked or order[0]
        runner_up = next((n for n in order if n != best), None)
        reason = "best match" if picked is None else "model choice"
        routing = Routing(reason=reason, scores=ranked.scores, runner_up=runner_up, skipped=skipped)
        others = tuple(ready[n] for n in order if n != best)
        database = ready[best].database
        # Routing may have used an older snapshot; the answer is written against a fresh one.
        try:
            schema = await self._catalog.schema(database)
        except PgMcpError as error:
            raise error.about(database=database.name, routing=routing.as_json()) from None
        return Chosen(database=database, schema=schema, routing=routing, others=others)

    async def _settle(
        self, question: str, order: list[str], ranked: Ranked, ready: Mapping[str, Prepared]
    ) -> str | None:
        """The model's pick among the databases scoring close to the best; None: not asked."""
        scores = ranked.scores
        close = [n for n in order if _close(scores[order[0]], scores[n])]
        if len(close) < 2:
            return None
        summaries = {
            n: summary(self._described(n, ready[n].visible), ranked.tables[n]) for n in close
        }
        return await self._ask_model(question, summaries)

    def _described(self, name: str, visible: SchemaSnapshot) -> str:
        """The operator's description and the schemas' own comments: what the database holds."""
        comments = [comment for _, comment in visible.schema_comments]
        return " ".join([self._databases.description(name), *comments]).strip()

    async def _ask_model(self, question: str, summaries: dict[str, str]) -> str | None:
        if self._chat_model is None:
            return None
        try:
            reply = await self._chat_model.complete(choice_conversation(question, summaries))
        except (AIServiceUnavailable, RateLimited) as error:
            # The scores still name a database: the question is answered without the model's pick.
            logger.warning("model could not choose among databases: %s", error.code)
            return None
        return chosen_name(reply.text, list(summaries))

    async def warm(self) -> None:
        """Load every database's snapshot and value index now, not at the first question.

        A database that cannot be read is left for routing to skip; warming never fails for it.
        """

        async def warm_one(name: str) -> None:
            await self._values.index(await self._catalog.schema(self._databases.pick(name)))

        await asyncio.gather(*map(warm_one, self._databases.names), return_exceptions=True)

    async def _prepare(self, database: Database) -> Prepared:
        schema = await self._catalog.for_routing(database)
        # Values being read do not hold routing back: they vote from the next question on.
        return Prepared(database=database, schema=schema, values=self._values.current(schema))


def _close(best: float, other: float) -> bool:
    return best > 0 and other >= CLOSE_SHARE * best
