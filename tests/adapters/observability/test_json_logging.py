import io
import json
import logging
from collections.abc import Iterator

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.observability.call_observer import CallObserver
from adapters.observability.json_logging import JsonLogFormatter, configure_json_logging
from adapters.observability.redaction import Redactor, dsn_password

DSN = "postgresql://app:Pa55word-XYZ@db.internal:5432/shop"
API_KEY = "sk-test-SECRET123"


@pytest.fixture
def root_handlers() -> Iterator[None]:
    """configure_json_logging replaces the root handlers; put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def json_logger(stream: io.StringIO, secrets: tuple[str, ...] = ()) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter(Redactor(secrets)))
    logger = logging.getLogger(f"test.json.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_object_with_its_extra_fields() -> None:
    stream = io.StringIO()
    json_logger(stream).warning("pool %s is slow", "shop", extra={"database": "shop", "ms": 12})

    (entry,) = lines(stream)
    assert entry["level"] == "WARNING"
    assert entry["message"] == "pool shop is slow"
    assert (entry["database"], entry["ms"]) == ("shop", 12)
    assert {"ts", "logger"} <= entry.keys()


def test_a_dsn_password_and_an_api_key_in_a_message_are_masked() -> None:
    stream = io.StringIO()
    json_logger(stream).error("cannot reach %s with key %s", DSN, API_KEY)

    text = stream.getvalue()
    assert "Pa55word-XYZ" not in text
    assert "SECRET123" not in text
    assert lines(stream)[0]["message"] == (
        "cannot reach postgresql://app:***@db.internal:5432/shop with key sk-***"
    )


def test_secrets_inside_exception_text_and_extra_fields_are_masked() -> None:
    stream = io.StringIO()
    logger = json_logger(stream)
    try:
        raise ConnectionError(f"connect failed for {DSN} (api key {API_KEY})")
    except ConnectionError:
        logger.exception("start failed", extra={"dsn": DSN})

    (entry,) = lines(stream)
    assert "ConnectionError" in str(entry["exc"])
    assert "Pa55word-XYZ" not in stream.getvalue()
    assert "SECRET123" not in stream.getvalue()


def test_a_configured_secret_is_masked_wherever_it_appears() -> None:
    stream = io.StringIO()
    password = "p@ss:w/rd!"
    json_logger(stream, secrets=(password,)).info("the password is %s", password)

    assert password not in stream.getvalue()


def test_the_password_of_a_dsn_is_found_for_the_secrets_list() -> None:
    assert (dsn_password(DSN), dsn_password("postgresql://app@db/shop")) == ("Pa55word-XYZ", None)


@pytest.mark.usefixtures("root_handlers")
def test_configured_json_logging_writes_one_line_per_tool_call() -> None:
    stream = io.StringIO()
    configure_json_logging("INFO", stream, secrets=(API_KEY,))
    calls = CallObserver(timer=FakeClock().now)
    calls.start("query", "shop", question="top customers?").finish(
        code=None, rows=3, sql="SELECT 1"
    )
    calls.start("query", "shop", request_id="req-7").finish(code="ERR_005")
    calls.start("query", None).finish(code=None, rows=1, database="hr")
    calls.start("query", None).finish(code="ERR_008")

    ok, refused, routed, unrouted = lines(stream)
    assert {k: ok[k] for k in ("level", "tool", "database", "outcome", "code", "rows")} == {
        "level": "INFO",
        "tool": "query",
        "database": "shop",
        "outcome": "ok",
        "code": None,
        "rows": 3,
    }
    assert "question" not in ok
    assert "sql" not in ok
    assert (refused["request_id"], refused["code"], refused["level"]) == (
        "req-7",
        "ERR_005",
        "WARNING",
    )
    # A routed call logs the database that answered; one that never reached a database, none.
    assert routed["database"] == "hr"
    assert "database" not in unrouted
    assert isinstance(ok["duration_ms"], float)


@pytest.mark.usefixtures("root_handlers")
def test_with_log_requests_the_call_line_holds_the_question_and_sql() -> None:
    stream = io.StringIO()
    configure_json_logging("INFO", stream)
    calls = CallObserver(log_requests=True, timer=FakeClock().now)
    calls.start("query", "shop", question="top customers?").finish(code=None, sql="SELECT 1")

    (entry,) = lines(stream)
    assert (entry["question"], entry["sql"]) == ("top customers?", "SELECT 1")
