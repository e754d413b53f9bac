"""Measure schema-context selection on the synthetic ERP: recall, context size and time.

Recall is the share of the written questions whose needed tables all appear in the context.
Prints one block per schema size; no assertions. Run: python -m bench.schema_context
"""

import json
import statistics
import time
from pathlib import Path

from application.schema.retrieval.context import render_schema_context
from application.schema.retrieval.index import SchemaIndex
from application.schema.retrieval.ranking import DEFAULT_CONTEXT_TOKENS, select_schema_context
from application.schema.retrieval.tokens import estimate_tokens
from tests.erp_schema import erp_snapshot

QUESTIONS = Path(__file__).parents[1] / "tests" / "fixtures" / "erp" / "questions.json"
SIZES = (2000, 10_000)


def main() -> None:
    """Print recall, tokens and timings for each schema size."""
    questions = [q for q in json.loads(QUESTIONS.read_text("utf-8")) if q["database"] == "erp"]
    for size in SIZES:
        measure(size, questions)


def measure(size: int, questions: list[dict[str, object]]) -> None:
    """Select a context for every question on a schema of `size` tables and report."""
    snapshot = erp_snapshot(size)
    whole = render_schema_context(snapshot)
    started = time.perf_counter()
    index = SchemaIndex.build(snapshot)
    build = time.perf_counter() - started
    timings, tokens, found, misses = [], [], 0, []
    for question in questions:
        text = str(question["question"])
        started = time.perf_counter()
        context = select_schema_context(index, text, max_tokens=DEFAULT_CONTEXT_TOKENS)
        timings.append(time.perf_counter() - started)
        tokens.append(estimate_tokens(context))
        shown = {line.split()[0] for line in context.splitlines() if line[:1].isalpha()}
        needed = set(question["tables"])  # type: ignore[call-overload]
        if needed <= shown:
            found += 1
        else:
            misses.append(f"{text} (missing {', '.join(sorted(needed - shown))})")
    share = found / len(questions)
    median, worst = statistics.median(timings) * 1000, max(timings) * 1000
    whole_tokens = estimate_tokens(whole)
    print(f"{size} tables; whole schema ~{whole_tokens} tokens, {len(whole) // 4} by chars/4")
    print(f"  recall at {DEFAULT_CONTEXT_TOKENS} tokens: {found}/{len(questions)} = {share:.3f}")
    print(f"  context tokens: mean {statistics.mean(tokens):.0f}, max {max(tokens)}")
    print(f"  index build (once per snapshot): {build * 1000:.0f} ms")
    print(f"  select: median {median:.1f} ms, max {worst:.1f} ms")
    for miss in misses:
        print(f"  miss: {miss}")


if __name__ == "__main__":
    main()
