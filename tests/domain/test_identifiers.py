"""Names written out as PostgreSQL will read them back."""

import pytest

from domain.safety.identifiers import quote_identifier, written_name


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("orders", "orders"),
        ("order_items2", "order_items2"),
        ("Orders", '"Orders"'),
        ("my.schema", '"my.schema"'),
        ('we"ird', '"we""ird"'),
        ("2024", '"2024"'),
        ("Ünits", '"Ünits"'),
    ],
)
def test_a_name_is_bare_only_when_postgresql_would_read_it_back_unchanged(
    name: str, written: str
) -> None:
    assert written_name(name) == written
    assert written_name(name) in (name, quote_identifier(name))
