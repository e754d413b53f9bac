"""Logging goes to stderr only: stdout carries the MCP protocol."""

import logging
import sys


def configure_logging(level: str) -> None:
    """Send every log record to stderr at `level`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # HTTP clients log every request at INFO, and sqlglot warns on every refused statement.
    for noisy in ("httpx", "httpx2", "httpcore", "openai", "sqlglot"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
