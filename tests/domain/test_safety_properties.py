"""Property tests: safe fragments compose into accepted queries; one poisoned part refuses them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import ErrorCode, UnsafeSql
from domain.safety.checked import SafetyConfig
from domain.safety.policy import SafetyPolicy

POLICY = SafetyPolicy(SafetyConfig())
EXAMPLES = settings(max_examples=60, deadline=None)

COLUMNS = st.sampled_from(["c.id", "c.name", "c.email", "c.country", "c.created_at::text"])
LITERALS = st.sampled_from(["1", "'x'", "NULL", "2.5", "E'a\\nb'", "$$;$$", "'pg_sleep(1)'"])
WRAPPERS = st.sampled_from(
    [
        "lower({})",
        "upper(CAST({} AS text))",
        "coalesce({}::text, 'none')",
        "length({}::text)",
        "({}::text || '-')",
        "CASE WHEN {} IS NULL THEN 0 ELSE 1 END",
        "md5({}::text)",
        "nullif({}::text, '')",
        "greatest({}::text, 'a')",
        "pg_catalog.btrim({}::text)",
        "(SELECT {})",
    ]
)


@st.composite
def safe_expressions(draw: st.DrawFn) -> str:
    """A column or literal wrapped in a few allowed functions and operators."""
    expression = draw(st.one_of(COLUMNS, LITERALS))
    for wrapper in draw(st.lists(WRAPPERS, max_size=3)):
        expression = wrapper.format(expression)
    return expression


SHAPES = st.sampled_from(
    [
        "SELECT {e} AS v FROM customers c WHERE {e} IS NOT NULL ORDER BY 1 LIMIT 5",
        "WITH q AS (SELECT {e} AS v FROM customers c) SELECT v, count(*) FROM q GROUP BY v",
        "SELECT v FROM customers c CROSS JOIN LATERAL (SELECT {e} AS v) AS z LIMIT 3",
        "SELECT {e} AS v FROM customers c UNION ALL SELECT {e} FROM customers c",
        "SELECT row_number() OVER (PARTITION BY {e} ORDER BY c.id) FROM customers c",
        "SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 WHERE {e} IS NULL) ORDER BY {e}",
    ]
)

FORBIDDEN_CALLS = st.sampled_from(
    [
        ("pg_read_file", "'/etc/passwd'"),
        ("pg_sleep", "1"),
        ("set_config", "'work_mem', '1GB', true"),
        ("current_setting", "'data_directory'"),
        ("nextval", "'orders_id_seq'"),
        ("lo_import", "'/etc/passwd'"),
        ("dblink", "'dbname=shop', 'SELECT 1'"),
        ("txid_current", ""),
        ("query_to_xml", "'SELECT 1', true, true, ''"),
        ("pg_terminate_backend", "1"),
        ("pg_advisory_lock", "1"),
    ]
)


@st.composite
def forbidden_calls(draw: st.DrawFn) -> str:
    """A forbidden call, its name in any letter case, maybe quoted or pg_catalog-qualified."""
    name, arguments = draw(FORBIDDEN_CALLS)
    upper = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    spelt = "".join(ch.upper() if up else ch for ch, up in zip(name, upper, strict=True))
    spelt = draw(st.sampled_from([spelt, f'"{name}"', f"pg_catalog.{spelt}"]))
    return f"{spelt}({arguments})"


WRITES = st.sampled_from(
    [
        "WITH w AS (DELETE FROM canary RETURNING 1) {q}",
        "WITH w AS (INSERT INTO canary VALUES (9, 'x') RETURNING 1) {q}",
        "WITH w AS (UPDATE canary SET note = 'x' RETURNING 1) {q}",
        "{q}; DELETE FROM canary",
        "{q} /* */ ; DROP TABLE canary",
        "COMMIT; {q}",
        "SELECT * FROM ({q} FOR UPDATE) AS locked",
        "SELECT * INTO pgmcp_copy FROM ({q}) AS s",
        "EXPLAIN ANALYZE {q}",
    ]
)


@EXAMPLES
@given(SHAPES, safe_expressions())
def test_a_query_composed_of_safe_fragments_is_accepted(shape: str, expression: str) -> None:
    checked = POLICY.check(shape.format(e=expression))

    assert checked.kind == "SELECT"


@EXAMPLES
@given(SHAPES, safe_expressions(), forbidden_calls(), WRAPPERS)
def test_a_forbidden_call_anywhere_in_a_safe_query_is_refused(
    shape: str, expression: str, call: str, wrapper: str
) -> None:
    poisoned = f"coalesce({expression}::text, {wrapper.format(call)}::text)"

    with pytest.raises(UnsafeSql) as refused:
        POLICY.check(shape.format(e=poisoned))

    assert refused.value.code == ErrorCode.SQL_SECURITY


@EXAMPLES
@given(SHAPES, safe_expressions(), WRITES)
def test_a_write_wrapped_around_a_safe_query_is_refused(
    shape: str, expression: str, write: str
) -> None:
    with pytest.raises(UnsafeSql) as refused:
        POLICY.check(write.format(q=shape.format(e=expression)))

    assert refused.value.code == ErrorCode.SQL_SECURITY
