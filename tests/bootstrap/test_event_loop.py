"""Servers run on uvloop where it is installed, and on asyncio where it is not."""

import asyncio
import builtins
from typing import Any

import pytest

from bootstrap.event_loop import run_server


async def _loop_kind(seen: list[str]) -> None:
    seen.append(type(asyncio.get_running_loop()).__module__.split(".")[0])


def test_a_server_runs_on_uvloop() -> None:
    seen: list[str] = []

    run_server(_loop_kind(seen))

    assert seen == ["uvloop"]


def test_without_uvloop_a_server_runs_on_asyncio(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_uvloop(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "uvloop":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_uvloop)
    seen: list[str] = []

    run_server(_loop_kind(seen))

    assert seen == ["asyncio"]
