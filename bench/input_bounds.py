"""Where the real parsers fail, which sets the input bounds' defaults; run each try in a child.

For each shape (chained +, chained NOT, nested parentheses, subqueries, CASE, function calls)
and each stage (pglast's tree builder and JSON parser, sqlglot's parse and .sql(), the safety
policy with its bounds lifted, and that plus the access policy), bisects the first size that
raises RecursionError, another error, or kills the process (a signal). Then times sqlglot on
nested ARRAY[ and pglast's scanner on large inputs. Takes minutes. Run: python -m bench.input_bounds
"""

import subprocess
import sys
import time
from collections.abc import Callable

from pglast import parser

from domain.safety.dialect import parse_statements

SHAPES = {
    "chained +": "'SELECT ' + '+'.join(['1'] * (n + 1))",
    "chained NOT": "'SELECT 1 WHERE ' + 'NOT ' * n + 'true'",
    "nested ( )": "'SELECT ' + '(' * n + '1' + ')' * n",
    "nested subqueries": "'SELECT ' + '(SELECT ' * n + '1' + ')' * n",
    "nested CASE": "'SELECT ' + 'CASE WHEN true THEN ' * n + '1' + ' END' * n",
    "nested abs(": "'SELECT ' + 'abs(' * n + '1' + ')' * n",
}
LIFTED = (
    "InputBounds(max_sql_bytes=10**9, max_sql_tokens=10**9, max_sql_depth=10**6, "
    "max_sql_chain=10**6)"
)
STAGES = {
    "pglast.parse_sql": "import pglast; pglast.parse_sql(sql)",
    "pglast parse_sql_json": "from pglast import parser; parser.parse_sql_json(sql)",
    "sqlglot parse": "from domain.safety.dialect import parse_statements; parse_statements(sql)",
    "sqlglot .sql()": (
        "from domain.safety.dialect import parse_statements; "
        "parse_statements(sql)[0].sql(dialect='postgres')"
    ),
    "safety policy": (
        "from domain.safety.policy import SafetyPolicy; from domain.safety.checked import "
        "SafetyConfig; from domain.safety.input_bounds import InputBounds; "
        f"SafetyPolicy(SafetyConfig(input_bounds={LIFTED}))._check(sql)"
    ),
    "safety + access": (
        "from domain.safety.policy import SafetyPolicy; from domain.safety.checked import "
        "SafetyConfig; from domain.safety.input_bounds import InputBounds; "
        "from domain.access.policy import AccessPolicy; from domain.access.rules import "
        "AccessRules; from tests.domain.shop_snapshot import SHOP; "
        f"c = SafetyPolicy(SafetyConfig(input_bounds={LIFTED}))._check(sql); "
        "AccessPolicy(AccessRules.from_names(enabled=True, blocked_columns=('customers.email',)))"
        ".check(c, SHOP).tree.sql(dialect='postgres')"
    ),
}
CHILD = """
import sys
n = int(sys.argv[1])
sql = {shape}
try:
    {stage}
    print("ok")
except RecursionError:
    print("RecursionError")
except Exception as exc:
    print(type(exc).__name__ + ": " + str(exc).splitlines()[0][:50])
"""


def _try(shape: str, stage: str, n: int) -> str:
    code = CHILD.format(shape=SHAPES[shape], stage=STAGES[stage])
    done = subprocess.run(
        [sys.executable, "-c", code, str(n)], capture_output=True, text=True, timeout=600
    )
    if done.returncode < 0:
        return f"killed by signal {-done.returncode}"
    return (done.stdout.strip().splitlines() or [done.stderr.strip()[-60:]])[-1]


def first_failure(shape: str, stage: str, high: int = 40_000) -> str:
    """The largest size that passes and what the next one does, to about 2%."""
    low, outcome = 1, _try(shape, stage, high)
    if outcome == "ok":
        return f"passes at {high:,}"
    while high - low > max(1, low // 50):
        middle = (low + high) // 2
        result = _try(shape, stage, middle)
        if result == "ok":
            low = middle
        else:
            high, outcome = middle, result
    return f"passes at {low:,}, at {high:,}: {outcome}"


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    """Print every threshold, then the timings."""
    for shape in SHAPES:
        for stage in STAGES:
            print(f"{shape:18} {stage:22} {first_failure(shape, stage)}", flush=True)
    for depth in (8, 10, 12, 14, 16):
        arrays = "SELECT " + "ARRAY[" * depth + "1" + "]" * depth
        seconds = _seconds(lambda: parse_statements(arrays))  # noqa: B023 - called at once
        print(f"sqlglot parse, ARRAY[ nested {depth:2}: {seconds:.3f} s")
    for tokens in (50_000, 100_000, 200_000):
        chain = "SELECT " + "1+" * (tokens // 2)
        seconds = _seconds(lambda: parser.scan(chain))  # noqa: B023 - called at once
        print(f"pglast scan, {tokens:,} tokens: {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
