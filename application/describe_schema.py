"""Use case: describe a database's schema in one of three formats."""

from dataclasses import dataclass
from typing import Literal

from application.databases import DatabaseDirectory
from application.schema_catalog import SchemaCatalog
from application.schema_formats import render_ddl, render_detailed, render_summary
from application.visible_schemas import VisibleSchemas
from domain.models import SchemaSnapshot

SchemaFormat = Literal["summary", "detailed", "ddl"]

_RENDERERS = {"summary": render_summary, "detailed": render_detailed, "ddl": render_ddl}


@dataclass(frozen=True, slots=True, kw_only=True)
class DescribeRequest:
    """Which database to describe, how, and whether to reload it first."""

    database: str | None = None
    format: SchemaFormat = "summary"
    refresh: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaDescription:
    """The visible part of a schema, and its rendering in the requested format."""

    snapshot: SchemaSnapshot
    format: SchemaFormat
    text: str


class DescribeSchema:
    """Describes the schema a client may see.

    - Blocked tables and columns are left out (access control).
    - refresh=True reloads the schema from the database first.
    """

    def __init__(
        self, *, databases: DatabaseDirectory, catalog: SchemaCatalog, visible: VisibleSchemas
    ) -> None:
        self._databases = databases
        self._catalog = catalog
        self._visible = visible

    async def execute(self, request: DescribeRequest) -> SchemaDescription:
        """Load (or reload) and render the schema.

        Raises:
            InvalidRequest, SchemaLoadFailed, DatabaseUnavailable.
        """
        database = self._databases.pick(request.database)
        snapshot = await self._catalog.snapshot(database, refresh=request.refresh)
        visible = self._visible.of(snapshot)
        text = _RENDERERS[request.format](visible)
        return SchemaDescription(snapshot=visible, format=request.format, text=text)
