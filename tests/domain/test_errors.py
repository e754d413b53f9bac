import json

import pytest

from domain import errors
from domain.errors import ErrorCode, PgMcpError
from domain.refusal_rules import RefusalRule


def _error_classes() -> list[type[PgMcpError]]:
    return [
        cls
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, PgMcpError) and cls is not PgMcpError
    ]


def test_every_public_code_has_exactly_one_error_class() -> None:
    codes = [cls.code for cls in _error_classes()]

    assert sorted(codes) == sorted(ErrorCode)


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda cls: cls.__name__)
def test_an_error_without_a_message_uses_its_default(cls: type[PgMcpError]) -> None:
    error = cls()

    assert error.message == cls.default_message
    assert str(error) == cls.default_message


def test_error_details_carry_the_extra_facts() -> None:
    refused = errors.UnsafeSql("no", rule=RefusalRule.DATA_MODIFYING)
    assert json.dumps(refused.details()) == '{"rule": "data_modifying"}'
    assert errors.RateLimited(retry_after=1.23456).details() == {"retry_after": 1.235}
    assert errors.SqlExecutionFailed("x", sqlstate="42703").details() == {"sqlstate": "42703"}
    assert errors.QueryTimedOut().details() == {}
