"""Reads the SQL out of a chat model's reply: JSON, a ```sql fence, or bare SQL."""

import json
import re

from application.authoring.sql_input import starts_like_sql
from domain.errors import SqlGenerationFailed
from domain.models import SqlDraft

_FENCE = re.compile(r"```[ \t]*([A-Za-z]*)[ \t]*\n(.*?)```", re.DOTALL)

SQL_DRAFT_SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {
        "sql": {"type": "string", "description": "One PostgreSQL SELECT statement"},
        "explanation": {"type": "string", "description": "One sentence on what it returns"},
    },
    "required": ["sql"],
    "additionalProperties": False,
}


def parse_sql_reply(text: str) -> SqlDraft:
    """The SQL draft in the model's reply.

    Raises:
        SqlGenerationFailed: the reply holds no SQL statement.
    """
    stripped = text.strip()
    draft = _from_json(stripped) or _from_fence(stripped) or _from_bare(stripped)
    if draft is None or not draft.sql:
        raise SqlGenerationFailed("The AI model replied without a SQL statement")
    return draft


def _from_json(text: str) -> SqlDraft | None:
    body = _from_fence_body(text, ("json", "")) or text
    if not body.startswith("{"):
        return None
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sql"), str):
        return None
    explanation = data.get("explanation")
    return SqlDraft(
        sql=_clean(data["sql"]), explanation=explanation if isinstance(explanation, str) else ""
    )


def _from_fence_body(text: str, languages: tuple[str, ...]) -> str | None:
    for match in _FENCE.finditer(text):
        if match.group(1).lower() in languages:
            return match.group(2).strip()
    return None


def _from_fence(text: str) -> SqlDraft | None:
    body = _from_fence_body(text, ("sql", "postgresql", "postgres", "psql", ""))
    if body is None or not starts_like_sql(body):
        return None
    return SqlDraft(sql=_clean(body), explanation=_FENCE.sub("", text).strip())


def _from_bare(text: str) -> SqlDraft | None:
    return SqlDraft(sql=_clean(text)) if starts_like_sql(text) else None


def _clean(sql: str) -> str:
    return sql.strip().rstrip(";").strip()
