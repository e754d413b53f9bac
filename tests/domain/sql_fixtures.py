"""Loads the SQL safety corpus: entries of `-- key: value` header lines, then the SQL verbatim."""

import re
from dataclasses import dataclass
from pathlib import Path

SQL_FIXTURES = Path(__file__).parents[1] / "fixtures" / "sql"
_SEPARATOR = "\n-- ----\n"
_HEADER = re.compile(r"-- (\w+): (.*)")


@dataclass(frozen=True, slots=True, kw_only=True)
class SqlCase:
    """One corpus entry: its id, SQL text and header fields (title, expect, layer ...)."""

    id: str
    sql: str
    headers: dict[str, str]

    @property
    def rule(self) -> str | None:
        """The rule expected to refuse it, from `-- expect: ERR_005 <rule>`."""
        parts = self.headers["expect"].split()
        return parts[1] if len(parts) > 1 else None

    @property
    def extra_types(self) -> frozenset[str]:
        """The schema's enum types the entry casts to, from `-- types: order_status`."""
        return frozenset(self.headers.get("types", "").split())

    @property
    def allowed_statements(self) -> frozenset[str]:
        """SELECT plus the kinds named by `-- allow: EXPLAIN SHOW`."""
        return frozenset({"SELECT", *self.headers.get("allow", "").split()})


def load_sql_cases(*names: str) -> list[SqlCase]:
    """Every entry of the named fixture files (e.g. "reject.sql"), in file order."""
    cases = []
    for name in names:
        for entry in (SQL_FIXTURES / name).read_text().split(_SEPARATOR):
            lines = entry.split("\n")
            count = next(i for i, line in enumerate(lines) if not _HEADER.fullmatch(line))
            headers = {m[1]: m[2] for m in map(_HEADER.fullmatch, lines[:count]) if m}
            if "id" in headers:
                sql = "\n".join(lines[count:]).removesuffix("\n")
                cases.append(SqlCase(id=headers["id"], sql=sql, headers=headers))
    return cases
