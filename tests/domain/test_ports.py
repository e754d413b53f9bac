import pytest

from domain.models import SchemaSnapshot
from domain.ports import Database, SchemaStore


def test_an_adapter_missing_a_port_method_cannot_be_built() -> None:
    class HalfStore(SchemaStore):
        async def get(self, database: str) -> SchemaSnapshot | None:
            return None

    with pytest.raises(TypeError, match="put"):
        HalfStore()  # type: ignore[abstract]


def test_every_port_method_is_abstract() -> None:
    assert Database.__abstractmethods__ == {"name", "fetch", "explain", "introspect"}
