"""Use case: describe a database's schema in one of three formats, or list the databases."""

from dataclasses import replace

from application.messages import DatabaseSummary, DescribeRequest, SchemaDescription
from application.routing.databases import DatabaseDirectory
from application.schema.catalog import SchemaCatalog
from application.schema.formats import render_ddl, render_detailed, render_summary
from domain.errors import DatabaseUnavailable, PgMcpError, SchemaLoadFailed
from domain.models import SchemaSnapshot

_RENDERERS = {"summary": render_summary, "detailed": render_detailed, "ddl": render_ddl}


class DescribeSchema:
    """Describes the schema a client may see.

    - Blocked tables and columns are left out (access control).
    - refresh=True reloads the schema from the database first.
    - Every rendering stays within a fixed budget, whatever the size of the schema.
    - With several databases and none named, it lists them with a line each.
    """

    def __init__(self, *, databases: DatabaseDirectory, catalog: SchemaCatalog) -> None:
        self._databases = databases
        self._catalog = catalog

    async def execute(self, request: DescribeRequest) -> SchemaDescription:
        """Load (or reload) and render the schema.

        Raises:
            InvalidRequest, SchemaLoadFailed, DatabaseUnavailable.
        """
        if request.database is None and len(self._databases.names) > 1:
            return await self._listing(request)
        database = self._databases.pick(request.database)
        try:
            visible = (await self._catalog.schema(database, refresh=request.refresh)).visible
        except PgMcpError as error:
            raise error.about(database=database.name) from None
        rendering = _RENDERERS[request.format](visible)
        shown = replace(visible, tables=visible.tables[: rendering.shown])
        return SchemaDescription(snapshot=shown, format=request.format, text=rendering.text)

    async def _listing(self, request: DescribeRequest) -> SchemaDescription:
        summaries = [await self._summary(name, request.refresh) for name in self._databases.names]
        lines = [f"{len(summaries)} databases; pass database=<name> to see one:"]
        lines += [f"- {s.name}: {s.summary}" for s in summaries]
        return SchemaDescription(
            snapshot=SchemaSnapshot(database=""),
            format=request.format,
            text="\n".join(lines),
            databases=tuple(summaries),
        )

    async def _summary(self, name: str, refresh: bool) -> DatabaseSummary:
        try:
            schema = await self._catalog.schema(self._databases.pick(name), refresh=refresh)
            snapshot = schema.visible
        except (DatabaseUnavailable, SchemaLoadFailed) as error:
            return DatabaseSummary(name=name, relations=None, summary=f"unavailable ({error.code})")
        largest = sorted(snapshot.tables, key=lambda t: -(t.row_estimate or 0))[:5]
        names = ", ".join(t.qualified_name for t in largest)
        return DatabaseSummary(
            name=name,
            relations=len(snapshot.tables),
            summary=f"{len(snapshot.tables)} relations; largest: {names or 'none'}",
        )
