"""The use cases wired around given databases and a scripted model, for routing tests."""

from collections.abc import Mapping

from adapters.memory.fake_clock import FakeClock
from adapters.memory.in_memory_schema_store import InMemorySchemaStore
from adapters.memory.scripted_chat_model import ScriptedChatModel
from application.answer_question import AnswerQuestion
from application.authoring.sql_author import SqlAuthor
from application.results.validation import ResultValidator
from application.routing.database_choice import DatabaseChoice
from application.routing.databases import DatabaseDirectory
from application.schema.catalog import SchemaCatalog
from application.values.value_catalog import ValueCatalog
from domain.ports import ChatModel, Database, ValueReader
from domain.safety.checked import SafetyConfig
from domain.safety.policy import SafetyPolicy


def routing_choice(
    databases: Mapping[str, Database],
    *,
    chat: ChatModel | None = None,
    readers: Mapping[str, ValueReader] | None = None,
    descriptions: Mapping[str, str] | None = None,
    grace: float | None = None,
    clock: FakeClock | None = None,
) -> DatabaseChoice:
    """A DatabaseChoice over `databases`: a fresh catalog (TTL 600 s), no access rules."""
    clock = clock or FakeClock()
    return DatabaseChoice(
        databases=DatabaseDirectory(databases, descriptions),
        catalog=SchemaCatalog(store=InMemorySchemaStore(), clock=clock, ttl=600),
        values=ValueCatalog(readers or {}),
        clock=clock,
        chat_model=chat,
        grace=grace,
    )


def sql_author(
    chat: ScriptedChatModel,
    *,
    values: ValueCatalog | None = None,
    max_repairs: int = 0,
) -> SqlAuthor:
    """A SqlAuthor with the default gate and, unless asked, no repairs."""
    return SqlAuthor(
        chat_model=chat,
        safety=SafetyPolicy(SafetyConfig()),
        max_repairs=max_repairs,
        context_tokens=6000,
        values=values,
    )


def answering(
    choice: DatabaseChoice, chat: ScriptedChatModel, *, max_repairs: int = 0
) -> AnswerQuestion:
    """AnswerQuestion over `choice`, drafting with `chat`, no result validation."""
    return AnswerQuestion(
        choice=choice,
        author=sql_author(chat, max_repairs=max_repairs),
        validator=ResultValidator(chat, enabled=False, strict=False),
        max_rows=100,
        timeout=10,
    )
