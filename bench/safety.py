"""Time SafetyPolicy.check on a small query and on a 60-line analytics query.

Then the input-bounds scan alone on both, the whole gate (safety and access policies) on the
largest statements the default bounds admit, and the refusal of statements past them.
Prints median and p99 per check after a warm-up; no assertions. Run: python -m bench.safety
"""

import gc
import statistics
import time
from collections.abc import Callable
from functools import partial

from domain.access.policy import AccessPolicy, AccessView
from domain.access.rules import AccessRules
from domain.errors import UnsafeSql
from domain.safety.checked import SafetyConfig
from domain.safety.input_bounds import InputBounds, sql_bounds_violation
from domain.safety.policy import SafetyPolicy
from tests.domain.shop_snapshot import SHOP
from tests.domain.sql_fixtures import load_sql_cases

SMALL = (
    "SELECT id, name, email FROM customers WHERE country = 'FR' ORDER BY created_at DESC LIMIT 10"
)

# The 60-line analytics query of the accept corpus: CTEs, windows, FILTER, WITHIN GROUP.
ANALYTICS = next(
    case.sql for case in load_sql_cases("own_accept.sql") if case.id == "oa-multiline-analytics"
)
WARMUP = 200
ITERATIONS = 2000


_VALUES = ",".join(map(str, range(9_990)))
LARGEST_ADMITTED = {
    "IN list of 9,990 values": f"SELECT id FROM customers WHERE id IN ({_VALUES})",
    "SELECT * and 9,990 values": f"SELECT * FROM customers WHERE id IN ({_VALUES})",
    "select list of 9,990 columns": "SELECT " + ",".join(["id"] * 9_990) + " FROM customers",
    "one 199 KB string": "SELECT '" + "x" * 199_000 + "'",
}
PAST_BOUNDS = {
    "1 MB expression": "SELECT " + "1+" * 500_000 + "1",
    "5,000 chained operators": "SELECT " + "+".join(["1"] * 5_001),
    "10,000 nested parentheses": "SELECT " + "(" * 10_000 + "1" + ")" * 10_000,
}


def _time(work: Callable[[], object], iterations: int = ITERATIONS) -> str:
    for _ in range(min(WARMUP, iterations)):
        work()
    gc.freeze()  # as the server does once it has started
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    samples.sort()
    p99 = samples[max(int(len(samples) * 0.99) - 1, 0)]
    return f"median {statistics.median(samples) * 1000:.3f} ms  p99 {p99 * 1000:.3f} ms"


def _time_checks(policy: SafetyPolicy, sql: str) -> str:
    return _time(lambda: policy.check(sql))


def _gate(policy: SafetyPolicy, access: AccessView, sql: str) -> None:
    access.check(policy.check(sql))


def _refused(policy: SafetyPolicy, sql: str) -> None:
    try:
        policy.check(sql)
    except UnsafeSql:
        return
    raise AssertionError("admitted")


def main() -> None:
    """Print the timings of both queries, then of the bounds."""
    policy = SafetyPolicy(SafetyConfig())
    lines = ANALYTICS.count("\n") + 1
    print(f"small query ({len(SMALL)} chars):      {_time_checks(policy, SMALL)}")
    print(f"analytics query ({lines} lines): {_time_checks(policy, ANALYTICS)}")
    bounds = InputBounds()
    for name, sql in (("small", SMALL), ("analytics", ANALYTICS)):
        scan = _time(partial(sql_bounds_violation, sql, bounds))
        print(f"  of which the bounds scan, {name + ':':10} {scan}")
    rules = AccessRules.from_names(enabled=True, blocked_columns=("customers.email",))
    access = AccessPolicy(rules).on(SHOP)
    print("whole gate (safety + access control) on the largest admitted statements:")
    for name, sql in LARGEST_ADMITTED.items():
        gate = _time(partial(_gate, policy, access, sql), iterations=5)
        print(f"  {name:30} {len(sql):7,} chars  {gate}")
    print("refusals past the bounds:")
    for name, sql in PAST_BOUNDS.items():
        refusal = _time(partial(_refused, policy, sql), iterations=50)
        print(f"  {name:30} {refusal}")


if __name__ == "__main__":
    main()
