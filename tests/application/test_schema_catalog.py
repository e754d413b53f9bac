import pytest

from application.describe_schema import DescribeRequest
from domain.access.rules import AccessRules
from tests.application.shop import build_world


@pytest.mark.anyio
async def test_the_schema_is_read_once_within_the_ttl() -> None:
    world = build_world([], {}, ttl=60)

    await world.describe.execute(DescribeRequest())
    world.clock.advance(59)
    await world.describe.execute(DescribeRequest())

    assert world.database.introspections == 1


@pytest.mark.anyio
async def test_the_schema_is_reloaded_after_the_ttl() -> None:
    world = build_world([], {}, ttl=60)

    await world.describe.execute(DescribeRequest())
    world.clock.advance(61)
    await world.describe.execute(DescribeRequest())

    assert world.database.introspections == 2


@pytest.mark.anyio
async def test_refresh_reloads_at_once() -> None:
    world = build_world([], {}, ttl=60)

    await world.describe.execute(DescribeRequest())
    await world.describe.execute(DescribeRequest(refresh=True))

    assert world.database.introspections == 2


@pytest.mark.anyio
@pytest.mark.parametrize("fmt", ["summary", "detailed", "ddl"])
async def test_every_format_names_the_tables(fmt: str) -> None:
    world = build_world([], {})

    description = await world.describe.execute(DescribeRequest(format=fmt))  # type: ignore[arg-type]

    assert "customers" in description.text
    assert "orders" in description.text


@pytest.mark.anyio
async def test_detailed_and_ddl_show_columns_and_keys() -> None:
    world = build_world([], {})

    detailed = await world.describe.execute(DescribeRequest(format="detailed"))
    ddl = await world.describe.execute(DescribeRequest(format="ddl"))

    assert "customer_id integer" in detailed.text
    assert "-> public.customers.id" in detailed.text
    assert "FOREIGN KEY (customer_id) REFERENCES public.customers (id)" in ddl.text
    assert "PRIMARY KEY (id)" in ddl.text


@pytest.mark.anyio
async def test_blocked_tables_and_columns_are_left_out_of_the_schema() -> None:
    rules = AccessRules.from_names(
        enabled=True, blocked_tables=("orders",), blocked_columns=("users.password",)
    )
    world = build_world([], {}, rules=rules)

    description = await world.describe.execute(DescribeRequest(format="detailed"))

    assert "orders" not in description.text
    assert "password" not in description.text
    assert "username" in description.text
