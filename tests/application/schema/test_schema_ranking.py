import json
import re
from pathlib import Path

import pytest

from application.schema.retrieval.bm25 import Bm25Index
from application.schema.retrieval.context import render_schema_context
from application.schema.retrieval.index import SchemaIndex
from application.schema.retrieval.ranking import select_schema_context
from application.schema.retrieval.tokens import estimate_tokens, terms
from domain.models import Column, EnumType, ForeignKey, SchemaSnapshot, Table
from tests.erp_schema import erp_snapshot, small_erp_snapshot

QUESTIONS = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "erp" / "questions.json").read_text("utf-8")
)
BUDGET = 6000


@pytest.fixture(scope="module")
def erp() -> SchemaSnapshot:
    return erp_snapshot(2000)


@pytest.fixture(scope="module")
def erp_index(erp: SchemaSnapshot) -> SchemaIndex:
    return SchemaIndex.build(erp)


def shown_tables(context: str) -> set[str]:
    return {
        line.split()[0]
        for line in context.splitlines()
        if line and not line.startswith((" ", "--", "enum "))
    }


def test_every_question_names_tables_that_exist(erp: SchemaSnapshot) -> None:
    by_database = {"erp": erp, "erp_small": small_erp_snapshot()}
    assert len([q for q in QUESTIONS if q["database"] == "erp"]) >= 60
    for question in QUESTIONS:
        snapshot = by_database[question["database"]]
        assert all(snapshot.find_table(name) for name in question["tables"]), question


def test_the_generated_erp_has_two_thousand_commented_tables_with_keys(erp: SchemaSnapshot) -> None:
    assert len(erp.tables) == 2000
    assert len({t.qualified_name for t in erp.tables}) == 2000
    assert {t.schema for t in erp.tables} >= {"sales", "purchasing", "hr", "finance", "crm"}
    assert all(t.comment for t in erp.tables)
    assert sum(len(t.foreign_keys) for t in erp.tables) > 2000


def test_context_holds_all_tables_a_question_needs_for_95_percent_of_questions(
    erp_index: SchemaIndex,
) -> None:
    asked = [q for q in QUESTIONS if q["database"] == "erp"]
    answered = [
        q
        for q in asked
        if set(q["tables"]) <= shown_tables(select_schema_context(erp_index, q["question"]))
    ]
    assert len(answered) / len(asked) >= 0.95


@pytest.mark.parametrize("budget", [800, 2500, BUDGET])
def test_context_never_exceeds_the_token_budget(erp_index: SchemaIndex, budget: int) -> None:
    for question in QUESTIONS[::5]:
        context = select_schema_context(erp_index, question["question"], max_tokens=budget)
        assert estimate_tokens(context) <= budget


def test_a_cut_context_says_how_many_tables_were_left_out(erp_index: SchemaIndex) -> None:
    context = select_schema_context(erp_index, "Which customers placed the most orders?")
    last = context.splitlines()[-1]
    match = re.fullmatch(r"-- (\d+) more tables not shown; ask get_schema for others", last)
    assert match is not None
    assert int(match.group(1)) == 2000 - len(shown_tables(context))


def test_a_small_schema_is_returned_whole() -> None:
    small = small_erp_snapshot()
    context = select_schema_context(
        SchemaIndex.build(small), "Which customers placed the most orders?"
    )
    assert len(small.tables) == 30
    assert context == render_schema_context(small)
    assert len(shown_tables(context)) == 30
    assert "more tables not shown" not in context
    assert estimate_tokens(context) == SchemaIndex.build(small).full_tokens


def test_the_same_question_on_the_same_schema_gives_the_same_context() -> None:
    question = "Which vendor bills are past their due date and still unpaid?"
    first = select_schema_context(SchemaIndex.build(erp_snapshot(2000)), question)
    again = select_schema_context(SchemaIndex.build(erp_snapshot(2000)), question)
    assert first == again


def test_tables_linked_by_foreign_keys_both_ways_join_the_best_match() -> None:
    snapshot = linked_snapshot()
    context = select_schema_context(
        SchemaIndex.build(snapshot), "How many widgets are there?", max_tokens=150
    )
    shown = shown_tables(context)
    assert {"shop.widgets", "shop.makers", "shop.pictures"} <= shown
    assert "shop.a_filler_39" not in shown


def test_enums_used_by_shown_columns_come_with_them_and_no_others() -> None:
    snapshot = linked_snapshot()
    context = select_schema_context(
        SchemaIndex.build(snapshot), "How many widgets are there?", max_tokens=150
    )
    assert "enum shop.widget_colour: 'red', 'blue'" in context
    assert "shop.unused_mood" not in context


def test_plurals_and_past_tenses_meet_their_base_word() -> None:
    assert terms("invoiced invoices") == terms("invoice invoice")
    assert terms("statuses salespeople entries") == terms("status salesperson entry")
    assert terms("orderHeaders order_headers") == ["order", "header", "order", "header"]


def test_bm25_prefers_the_shorter_document_with_the_same_match() -> None:
    index = Bm25Index.build([{"order": 3.0}, {"order": 3.0, "archive": 6.0}, {"staff": 1.0}])
    short, long, other = index.scores(["order"])
    assert short > long > other == 0.0


def test_token_estimates_add_up_line_by_line() -> None:
    first, second = "sales.order_headers  -- Sales orders", "  id bigint PK not null"
    combined = estimate_tokens(f"{first}\n{second}")
    assert combined == estimate_tokens(first) + estimate_tokens(second) + 1
    assert estimate_tokens("customer_id bigint -> crm.customers.id") >= len("customer_id") // 6


def linked_snapshot() -> SchemaSnapshot:
    """widgets references makers and is referenced by pictures; fillers, sorted first, take room."""

    def key(column: str, table: str) -> ForeignKey:
        return ForeignKey(
            name=f"{column}_fkey",
            columns=(column,),
            ref_schema="shop",
            ref_table=table,
            ref_columns=("id",),
        )

    ident = Column(name="id", data_type="bigint", nullable=False)
    tables = [
        Table(
            schema="shop",
            name="widgets",
            comment="Widgets we sell",
            columns=(
                ident,
                Column(name="maker_id", data_type="bigint"),
                Column(name="colour", data_type="shop.widget_colour"),
            ),
            foreign_keys=(key("maker_id", "makers"),),
        ),
        Table(schema="shop", name="makers", comment="Factories", columns=(ident,)),
        Table(
            schema="shop",
            name="pictures",
            columns=(ident, Column(name="subject_id", data_type="bigint")),
            foreign_keys=(key("subject_id", "widgets"),),
        ),
    ]
    filler = tuple(Column(name=f"note_{n}", data_type="text") for n in range(2))
    tables.extend(
        Table(schema="shop", name=f"a_filler_{n:02}", columns=(ident, *filler)) for n in range(40)
    )
    return SchemaSnapshot(
        database="shop",
        tables=tuple(tables),
        enums=(
            EnumType(schema="shop", name="widget_colour", labels=("red", "blue")),
            EnumType(schema="shop", name="unused_mood", labels=("calm",)),
        ),
    )
