"""Liveness, readiness and metrics routes for a load balancer, an orchestrator, a scraper."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse


@dataclass(frozen=True, slots=True, kw_only=True)
class Readiness:
    """What a replica found: each database's problem and Redis's (None when fine)."""

    databases: Mapping[str, str | None]
    redis: str | None = None
    has_redis: bool = False
    # Failing closed, a replica that cannot reach Redis refuses every call: it is not ready.
    needs_redis: bool = False

    @property
    def ready(self) -> bool:
        """True when this replica can answer calls."""
        redis_down = self.needs_redis and self.redis is not None
        return not redis_down and all(problem is None for problem in self.databases.values())

    def body(self) -> dict[str, object]:
        """The JSON /readyz answers with; `redis` only when PG_MCP_REDIS_URL is set."""
        body: dict[str, object] = {
            "status": "ready" if self.ready else "unready",
            "databases": dict(self.databases),
        }
        if self.has_redis:
            body["redis"] = self.redis
        return body


async def healthz(request: Request) -> JSONResponse:
    """The process is up and serving HTTP."""
    return JSONResponse({"status": "ok"})


def readyz(
    readiness: Callable[[], Awaitable[Readiness]],
) -> Callable[[Request], Awaitable[JSONResponse]]:
    """A route answering 200 when the replica can answer calls, else 503 naming the problems."""

    async def route(request: Request) -> JSONResponse:
        found = await readiness()
        return JSONResponse(found.body(), status_code=200 if found.ready else 503)

    return route


def metrics(render: Callable[[], str]) -> Callable[[Request], Awaitable[PlainTextResponse]]:
    """A route serving the metrics in the Prometheus text format, for a scraper."""

    async def route(request: Request) -> PlainTextResponse:
        return PlainTextResponse(render(), media_type="text/plain; version=0.0.4")

    return route
