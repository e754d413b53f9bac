from domain.models import ColumnInfo, QueryResult, RelationName, SchemaSnapshot, Table


def test_row_count_is_the_number_of_rows_returned() -> None:
    result = QueryResult(columns=(ColumnInfo(name="a", type="int4"),), rows=((1,), (2,)))

    assert result.row_count == 2


def test_a_table_is_found_by_plain_or_qualified_name_in_any_case() -> None:
    orders = Table(schema="sales", name="Orders")
    snapshot = SchemaSnapshot(database="db", tables=(orders,))

    assert snapshot.find_table("orders") is orders
    assert snapshot.find_table("SALES.orders") is orders
    assert snapshot.find_table("customers") is None


def test_a_relation_name_reads_as_schema_dot_name_and_is_its_pair() -> None:
    name = RelationName("crm", "key.ring")

    assert str(name) == "crm.key.ring"
    assert name == ("crm", "key.ring")
    assert name != RelationName("crm.key", "ring")
