"""stdio on the loop's own pipes: lines in, replies out, long lines refused, stray output kept
off the wire. Each case runs in a child process whose stdin and stdout really are pipes or a
socket, as an MCP client spawns a server."""

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest

from adapters.mcp.stdio_pipes import MAX_LINE_BYTES

ROOT = Path(__file__).resolve().parents[3]

# Echoes each line's length in bytes (its newline excluded), after writing to fd 1 the ways a
# stray library call would; says "restored" once stdout is the wire again.
ECHO = """
import asyncio, os, sys
from adapters.mcp.stdio_pipes import pipe_stdio

async def main():
    async with pipe_stdio() as pipes:
        if pipes is None:
            print("not on pipes", file=sys.stderr)
            raise SystemExit(3)
        lines, output = pipes
        os.write(1, b"stray write\\n")
        print("stray print", flush=True)
        print("stray buffered")  # still in sys.stdout's buffer when the wire is put back
        async for line in lines:
            await output.write(f"{len(line.rstrip(chr(10)).encode())}\\n")
            await output.flush()
    os.write(1, b"restored\\n")

asyncio.run(main())
"""


def _echo(stdin: Any, stdout: Any, stderr: Any) -> subprocess.Popen[bytes]:
    # Block-buffered, as sys.stdout is on a pipe unless PYTHONUNBUFFERED says otherwise.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.Popen(
        [sys.executable, "-c", ECHO], stdin=stdin, stdout=stdout, stderr=stderr, cwd=ROOT, env=env
    )


@contextmanager
def _spawned(
    kind: str,
) -> Iterator[tuple[IO[bytes], IO[bytes], Callable[[], None], subprocess.Popen[bytes]]]:
    """The echo child: what writes to its stdin, what reads its stdout, what ends its stdin."""
    if kind == "pipes":
        with _echo(subprocess.PIPE, subprocess.PIPE, subprocess.PIPE) as child:
            assert child.stdin is not None
            assert child.stdout is not None
            yield child.stdin, child.stdout, child.stdin.close, child
        return
    # As Node spawns a child: a socket pair for each of stdin and stdout.
    (ours_in, theirs_in), (ours_out, theirs_out) = socket.socketpair(), socket.socketpair()
    with ours_in, theirs_in, ours_out, theirs_out:
        child = _echo(theirs_in, theirs_out, subprocess.PIPE)
        theirs_in.close()
        theirs_out.close()
        with child, ours_in.makefile("wb") as write, ours_out.makefile("rb") as read:
            yield write, read, lambda: ours_in.shutdown(socket.SHUT_WR), child


def _exchange(kind: str, data: bytes) -> tuple[list[str], str]:
    """Send `data`, end the child's stdin; return its stdout lines and its stderr."""
    with _spawned(kind) as (write, read, end, child):
        write.write(data)
        write.flush()
        end()
        out = read.read().decode()
        assert child.stderr is not None
        err = child.stderr.read().decode()
        assert child.wait(timeout=30) == 0, err
    return out.splitlines(), err


def _request(request_id: object, size: int, *, id_last: bool = False) -> bytes:
    """A tools/call of exactly `size` bytes before its newline, its id first or last."""
    filler = "x" * size
    if id_last:  # the TypeScript SDK's order
        body = {"method": "tools/call", "params": {"q": filler}, "jsonrpc": "2.0", "id": request_id}
    else:  # the Python SDK's
        body = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": {"q": filler}}
    line = json.dumps(body, separators=(",", ":")).encode()
    over = len(line) - size
    body["params"] = {"q": "x" * (size - over)}
    line = json.dumps(body, separators=(",", ":")).encode()
    assert len(line) == size
    return line + b"\n"


def _refusal(line: str) -> tuple[Any, int, str]:
    reply = json.loads(line)
    assert reply["jsonrpc"] == "2.0"
    return reply["id"], reply["error"]["code"], reply["error"]["message"]


@pytest.fixture(params=["pipes", "socket"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_lines_are_read_and_replies_written_and_stray_output_goes_to_stderr(kind: str) -> None:
    lines, err = _exchange(kind, b'{"a":1}\n\n{"b":"\xc3\xa9"}\r\nlast, without newline')

    assert lines == ["7", "0", "11", "21", "restored"]  # \r stays: JSON reads it as blank
    for stray in ("stray write", "stray print", "stray buffered"):
        assert stray in err


def test_a_line_at_the_limit_is_read_and_one_past_it_refused_with_its_id(kind: str) -> None:
    data = (
        _request(1, MAX_LINE_BYTES)
        + _request(2, MAX_LINE_BYTES + 1)
        + _request("two-b", 3 * MAX_LINE_BYTES, id_last=True)
        + b'{"a":1}\n'
    )

    lines, err = _exchange(kind, data)

    assert lines[0] == str(MAX_LINE_BYTES)
    for line, request_id in zip(lines[1:3], (2, "two-b"), strict=True):
        refused_id, code, message = _refusal(line)
        assert (refused_id, code) == (request_id, -32600)
        assert f"more than {MAX_LINE_BYTES:,} bytes" in message
    assert lines[3:] == ["7", "restored"]
    assert "refused a message of more than" in err


@pytest.mark.parametrize(
    "body",
    [
        # an id only inside the parameters, before or after them: not the request's
        {"jsonrpc": "2.0", "method": "tools/call", "params": {"id": 7, "q": "x" * MAX_LINE_BYTES}},
        {"jsonrpc": "2.0", "method": "tools/call", "params": {"q": "x" * MAX_LINE_BYTES, "id": 7}},
        ["not", "an", "object", "x" * MAX_LINE_BYTES],
        # a number no SDK sends as an id: never read as the whole number before its point
        {"jsonrpc": "2.0", "id": 1.5, "method": "ping", "params": {"q": "x" * MAX_LINE_BYTES}},
    ],
    ids=["nested-id-first", "nested-id-last", "array", "fractional-id"],
)
def test_a_refused_line_whose_id_is_not_certain_is_answered_with_a_null_id(body: Any) -> None:
    lines, _err = _exchange("pipes", json.dumps(body).encode() + b"\n")

    refused_id, code, _message = _refusal(lines[0])
    assert (refused_id, code) == (None, -32600)
    assert lines[1:] == ["restored"]


def test_a_file_or_one_socket_for_both_is_left_to_the_sdk_transport(tmp_path: Path) -> None:
    with (
        (tmp_path / "out").open("wb") as stdout,
        _echo(subprocess.PIPE, stdout, subprocess.PIPE) as to_file,
    ):
        _out, to_file_err = to_file.communicate(b"{}\n", timeout=30)
    ours, theirs = socket.socketpair()
    with ours, theirs, _echo(theirs, theirs, subprocess.PIPE) as one_socket:
        _out, one_socket_err = one_socket.communicate(timeout=30)

    for child, err in ((to_file, to_file_err), (one_socket, one_socket_err)):
        assert child.returncode == 3
        assert "not on pipes" in err.decode()
