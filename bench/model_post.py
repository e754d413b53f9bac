"""The fake model's round trip alone: the chat request pg-mcp sent, posted again and again by
aiohttp on uvloop from a process of its own, as pg-mcp posts it.

Usage: python -m bench.model_post URL BODY_FILE [calls]   (prints the median in seconds)
"""

import statistics
import sys
import time
from pathlib import Path

import aiohttp

from bootstrap.event_loop import run_server

WARMUP = 50


async def median_post(url: str, body: bytes, calls: int) -> None:
    """Print the median seconds of `calls` POSTs of `body` to `url`, on one kept-alive pool."""
    headers = {"Content-Type": "application/json", "Authorization": "Bearer not-needed"}
    seconds = []
    async with aiohttp.ClientSession() as session:
        for i in range(WARMUP + calls):
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
            if i >= WARMUP:
                seconds.append(time.perf_counter() - started)
    print(statistics.median(seconds))


if __name__ == "__main__":
    url, body_file, *rest = sys.argv[1:]
    run_server(median_post(url, Path(body_file).read_bytes(), int(rest[0]) if rest else 500))
