"""Liveness, readiness and metrics routes for a load balancer, an orchestrator, a scraper."""

from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse

# Each database's problem, or None when it is ready.
Readiness = Callable[[], Awaitable[Mapping[str, str | None]]]


async def healthz(request: Request) -> JSONResponse:
    """The process is up and serving HTTP."""
    return JSONResponse({"status": "ok"})


def readyz(readiness: Readiness) -> Callable[[Request], Awaitable[JSONResponse]]:
    """A route answering 200 when every database is ready, else 503 naming the problems."""

    async def route(request: Request) -> JSONResponse:
        found = await readiness()
        problems = {name: problem for name, problem in found.items() if problem is not None}
        status = 503 if problems else 200
        body = {"status": "unready" if problems else "ready", "databases": dict(found)}
        return JSONResponse(body, status_code=status)

    return route


def metrics(render: Callable[[], str]) -> Callable[[Request], Awaitable[PlainTextResponse]]:
    """A route serving the metrics in the Prometheus text format, for a scraper."""

    async def route(request: Request) -> PlainTextResponse:
        return PlainTextResponse(render(), media_type="text/plain; version=0.0.4")

    return route
