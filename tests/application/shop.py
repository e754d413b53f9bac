"""A hand-built snapshot of the shop schema and the objects a use-case test needs."""

from dataclasses import dataclass

from adapters.memory.fake_clock import FakeClock
from adapters.memory.in_memory_schema_store import InMemorySchemaStore
from adapters.memory.scripted_chat_model import ScriptedChatModel
from adapters.memory.table_database import Outcome, TableDatabase
from application.answer_question import AnswerQuestion
from application.authoring.sql_author import SqlAuthor
from application.describe_schema import DescribeSchema
from application.explain_query import ExplainQuery
from application.results.validation import ResultValidator
from application.routing.database_choice import DatabaseChoice
from application.routing.databases import DatabaseDirectory
from application.schema.catalog import SchemaCatalog
from application.values.value_catalog import ValueCatalog
from domain.access.rules import AccessRules
from domain.models import Column, ForeignKey, SchemaSnapshot, Table
from domain.safety.checked import SafetyConfig
from domain.safety.policy import SafetyPolicy

SHOP = SchemaSnapshot(
    database="shop",
    tables=(
        Table(
            schema="public",
            name="customers",
            columns=(
                Column(name="id", data_type="integer", nullable=False),
                Column(name="name", data_type="text", nullable=False),
                Column(name="country", data_type="text", comment="ISO country code"),
            ),
            primary_key=("id",),
            comment="People who buy from the shop",
        ),
        Table(
            schema="public",
            name="orders",
            columns=(
                Column(name="id", data_type="integer", nullable=False),
                Column(name="customer_id", data_type="integer", nullable=False),
                Column(name="placed_at", data_type="timestamp with time zone"),
            ),
            primary_key=("id",),
            foreign_keys=(
                ForeignKey(
                    name="orders_customer_id_fkey",
                    columns=("customer_id",),
                    ref_schema="public",
                    ref_table="customers",
                    ref_columns=("id",),
                ),
            ),
        ),
        Table(
            schema="public",
            name="users",
            columns=(
                Column(name="id", data_type="integer", nullable=False),
                Column(name="username", data_type="text"),
                Column(name="password", data_type="text"),
            ),
            primary_key=("id",),
        ),
    ),
)


@dataclass
class World:
    """The use cases over in-memory adapters, with the fakes exposed for assertions."""

    chat: ScriptedChatModel
    database: TableDatabase
    clock: FakeClock
    answer: AnswerQuestion
    explain: ExplainQuery
    describe: DescribeSchema


def build_world(
    replies: list[str],
    results: dict[str, Outcome],
    *,
    rules: AccessRules | None = None,
    max_repairs: int = 2,
    ttl: float = 60.0,
    validation: bool = False,
    strict: bool = False,
    snapshot: SchemaSnapshot = SHOP,
    show_values: bool = False,
    candidates: int = 1,
) -> World:
    """Wire the use cases around a scripted chat model and a table database."""
    clock = FakeClock()
    chat = ScriptedChatModel(replies)
    database = TableDatabase(name="shop", snapshot=snapshot, clock=clock, results=results)
    directory = DatabaseDirectory({"shop": database})
    catalog = SchemaCatalog(store=InMemorySchemaStore(), clock=clock, ttl=ttl, rules=rules)
    author = SqlAuthor(
        chat_model=chat,
        safety=SafetyPolicy(SafetyConfig()),
        max_repairs=max_repairs,
        context_tokens=6000,
        show_values=show_values,
        candidates=candidates,
    )
    choice = DatabaseChoice(
        databases=directory,
        catalog=catalog,
        values=ValueCatalog({}),
        clock=clock,
        chat_model=chat,
    )
    return World(
        chat=chat,
        database=database,
        clock=clock,
        answer=AnswerQuestion(
            choice=choice,
            author=author,
            validator=ResultValidator(chat, enabled=validation, strict=strict),
            max_rows=100,
            timeout=5.0,
            show_parameter_values=show_values,
        ),
        explain=ExplainQuery(choice=choice, author=author, timeout=5.0),
        describe=DescribeSchema(databases=directory, catalog=catalog),
    )
