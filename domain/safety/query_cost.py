"""The cost policy: a statement the planner estimates above the operator's limit is refused."""

from domain.errors import UnsafeSql
from domain.models import QueryPlan
from domain.refusal_rules import RefusalRule


def check_query_cost(plan: QueryPlan, limit: float | None) -> None:
    """Refuse a plan whose total cost is above `limit` (None: no limit).

    Raises:
        UnsafeSql: rule max_query_cost, with the estimate and the limit.
    """
    if limit is not None and plan.total_cost > limit:
        raise UnsafeSql(
            f"The planner estimates this query at cost {plan.total_cost:,.0f}, above the "
            f"limit of {limit:,.0f}; filter, aggregate or join on keys to make it cheaper",
            rule=RefusalRule.MAX_QUERY_COST,
        )
