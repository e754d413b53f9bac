import os
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing

import pytest

from adapters.llm.openai_chat_model import OpenAIChatModel, OpenAIConfig
from tests.e2e.stdio import byte_compile_pg_mcp
from tests.fake_llm_server import FakeLLMServer
from tests.pg import FIXTURES, create_database, running_cluster


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: a worker more than the cores. A test waits on a server process or PostgreSQL
    half of its time; on 2 cores, 3 workers ran the suite in 85-91 s against 2's 95-103 s."""
    return len(os.sched_getaffinity(0)) + 1


def pytest_configure(config: pytest.Config) -> None:
    """Byte-compile pg-mcp once, before xdist's workers start: the suite starts about 60
    pg-mcp processes, and each would compile every module again where bytecode is not written."""
    if not hasattr(config, "workerinput"):  # the controller, or a run without xdist
        byte_compile_pg_mcp()


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def pg_admin_dsn() -> Iterator[str]:
    """Admin DSN of the throwaway cluster shared by the whole run."""
    with running_cluster() as dsn:
        yield dsn


@pytest.fixture(scope="session")
def shop_dsn(pg_admin_dsn: str) -> str:
    """A database holding the small shop schema of the safety corpus (read-only use only)."""
    return create_database(pg_admin_dsn, (FIXTURES / "shop_schema.sql",), prefix="shop")


@pytest.fixture
def fresh_shop_dsn(pg_admin_dsn: str) -> str:
    """A new shop database for a test that checks nothing changed."""
    return create_database(pg_admin_dsn, (FIXTURES / "shop_schema.sql",), prefix="shopx")


@pytest.fixture
def llm_server() -> Iterator[FakeLLMServer]:
    """A local OpenAI-compatible server serving the model "fake-model"."""
    with FakeLLMServer(model="fake-model") as server:
        yield server


@pytest.fixture
async def openai_model(llm_server: FakeLLMServer) -> AsyncIterator[OpenAIChatModel]:
    """The real OpenAI chat-model adapter pointed at llm_server."""
    config = OpenAIConfig(
        api_key="sk-test", base_url=llm_server.base_url, model="fake-model", timeout=5.0
    )
    async with aclosing(OpenAIChatModel(config)) as model:
        yield model
