import json

import pytest

from adapters.postgres.result_budget import FIRST_BATCH, MIN_BATCH, ResultBudget, json_size
from domain.errors import ErrorCode, SqlExecutionFailed
from domain.models import Row


def rows(count: int, width: int = 10) -> list[Row]:
    """Rows of one size each, so that the budget's average is exact."""
    return [(n % 10, "x" * width) for n in range(count)]


def dumped(kept: list[Row]) -> int:
    return len(json.dumps(kept, separators=(",", ":")))


def test_json_size_is_an_upper_bound_of_the_utf8_bytes() -> None:
    row = ("é", "日本", "😀", None, 1.5)

    assert json_size(row) >= len(json.dumps(row, ensure_ascii=False).encode())


def test_without_a_byte_cap_one_batch_fetches_one_row_more_than_max_rows() -> None:
    budget = ResultBudget(max_rows=10)

    assert budget.next_batch() == 11
    budget.add(rows(11), last=False)

    assert len(budget.rows) == 10
    assert budget.truncated
    assert budget.next_batch() == 0


def test_a_short_batch_ends_the_result_untruncated() -> None:
    budget = ResultBudget(max_rows=10, max_bytes=10_000)

    budget.add(rows(3), last=True)

    assert (len(budget.rows), budget.truncated, budget.next_batch()) == (3, False, 0)


@pytest.mark.parametrize("cap", [50, 200, 1_000, 5_000])
def test_rows_are_kept_while_their_json_array_fits_the_cap(cap: int) -> None:
    budget = ResultBudget(max_rows=1_000, max_bytes=cap)
    source = rows(500)

    while size := budget.next_batch():
        batch, source = source[:size], source[size:]
        budget.add(batch, last=len(batch) < size)

    assert budget.truncated
    assert dumped(budget.rows) == budget.used <= cap
    assert dumped(rows(len(budget.rows) + 1)) > cap


def test_batches_are_sized_to_what_is_left_of_the_cap() -> None:
    budget = ResultBudget(max_rows=100_000, max_bytes=100_000)
    assert budget.next_batch() == FIRST_BATCH

    budget.add(rows(FIRST_BATCH, width=400), last=False)

    budget.add(rows(budget.next_batch() - 1, width=400), last=False)

    assert not budget.truncated
    assert 100_000 - budget.used < json_size(rows(1, width=400)[0]) + 1
    assert budget.next_batch() == MIN_BATCH


def test_a_first_row_larger_than_the_cap_fails_with_err_006_and_a_hint() -> None:
    budget = ResultBudget(max_rows=10, max_bytes=100)

    with pytest.raises(SqlExecutionFailed) as caught:
        budget.add([(1, "x" * 200)], last=False)

    assert caught.value.code is ErrorCode.SQL_EXECUTION
    assert caught.value.hint
