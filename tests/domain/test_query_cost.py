import pytest

from domain.errors import ErrorCode, UnsafeSql
from domain.models import QueryPlan
from domain.refusal_rules import RefusalRule
from domain.safety.query_cost import check_query_cost


def plan(cost: float) -> QueryPlan:
    return QueryPlan(total_cost=cost, plan_rows=1, text="Seq Scan on t", plan={})


@pytest.mark.parametrize(
    ("cost", "limit"), [(10.0, None), (1e12, None), (999.0, 1000.0), (1000.0, 1000.0)]
)
def test_a_plan_within_the_limit_or_without_one_passes(cost: float, limit: float | None) -> None:
    check_query_cost(plan(cost), limit)


def test_a_plan_above_the_limit_is_refused_naming_both_figures() -> None:
    with pytest.raises(UnsafeSql) as caught:
        check_query_cost(plan(1_250_000.4), 1_000_000.0)

    assert caught.value.code is ErrorCode.SQL_SECURITY
    assert caught.value.rule is RefusalRule.MAX_QUERY_COST
    assert "cost 1,250,000" in caught.value.message
    assert "limit of 1,000,000" in caught.value.message
