from application.results.checks import ResultWarning, check_result
from domain.models import ColumnInfo, QueryResult

COLUMNS = (
    ColumnInfo(name="name", type="text"),
    ColumnInfo(name="country", type="text"),
    ColumnInfo(name="phone", type="text"),
)


def codes(warnings: tuple[ResultWarning, ...]) -> list[str]:
    return [warning.code for warning in warnings]


def test_a_plain_result_has_no_warnings() -> None:
    result = QueryResult(columns=COLUMNS, rows=(("Ada", "UK", None), ("Bob", None, "555")))

    assert check_result(result, max_rows=10) == ()


def test_an_empty_result_warns() -> None:
    result = QueryResult(columns=COLUMNS, rows=())

    assert codes(check_result(result, max_rows=10)) == ["empty_result"]


def test_columns_null_in_every_row_are_named() -> None:
    result = QueryResult(columns=COLUMNS, rows=(("Ada", None, None), ("Bob", None, None)))

    (warning,) = check_result(result, max_rows=10)

    assert warning.code == "all_null_columns"
    assert '"country"' in warning.message
    assert '"phone"' in warning.message
    assert '"name"' not in warning.message


def test_a_truncated_result_warns_that_the_answer_may_be_incomplete() -> None:
    result = QueryResult(columns=COLUMNS[:1], rows=(("Ada",), ("Bob",)), truncated=True)

    (warning,) = check_result(result, max_rows=2)

    assert warning.code == "row_cap_reached"
    assert "incomplete" in warning.message


def test_a_row_count_exactly_at_the_cap_warns() -> None:
    result = QueryResult(columns=COLUMNS[:1], rows=(("Ada",), ("Bob",)))

    assert codes(check_result(result, max_rows=2)) == ["row_cap_reached"]


def test_a_result_cut_by_the_size_limit_below_the_cap_warns() -> None:
    result = QueryResult(columns=COLUMNS[:1], rows=(("Ada",),), truncated=True)

    (warning,) = check_result(result, max_rows=100)

    assert warning.code == "row_cap_reached"
    assert "size limit" in warning.message


def test_a_result_below_the_cap_does_not_warn_about_the_cap() -> None:
    result = QueryResult(columns=COLUMNS[:1], rows=(("Ada",),))

    assert check_result(result, max_rows=2) == ()


def test_several_warnings_come_together() -> None:
    result = QueryResult(columns=COLUMNS[1:], rows=((None, None),), truncated=True)

    assert codes(check_result(result, max_rows=1)) == ["all_null_columns", "row_cap_reached"]
