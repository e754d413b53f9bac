"""The `pg-mcp` command: serve MCP over stdio, answer once in the terminal, or run the demo."""

import argparse
import asyncio
import sys
from collections.abc import Sequence
from importlib import metadata

from pydantic import SecretStr

from adapters.observability.json_logging import configure_json_logging
from bootstrap.ask_parameters import parameter
from bootstrap.client_config import claude_desktop_config, demo_env, settings_in_use
from bootstrap.event_loop import run_server
from bootstrap.loader import EXIT_CONFIG, ConfigurationError, load_settings
from bootstrap.log_secrets import log_secrets
from bootstrap.settings import DatabaseEntry, Settings


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run the command (bootstrap.start.main leads here)."""
    args = _parser().parse_args(argv)
    try:
        _run(args)
    except ConfigurationError as exc:
        print(exc.line(), file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None


def _run(args: argparse.Namespace) -> None:
    """Run the chosen command; ConfigurationError covers settings read now or found at start-up."""
    settings = load_settings()
    configure_json_logging(settings.observability.log_level, secrets=log_secrets(settings))
    if args.command == "config":
        print(claude_desktop_config([], settings_in_use()))
        return
    if args.command == "demo" or getattr(args, "demo", False):
        settings = _with_demo_database(settings, announce=args.command == "demo")
    if args.command == "check":
        # Imported here: serving, the common case, should not pay for the checker's imports.
        from bootstrap.check import run_check

        raise SystemExit(asyncio.run(run_check(settings)))
    if args.command == "ask":
        from bootstrap.runtime import answer_once  # loads what serving over stdio defers

        code = asyncio.run(
            answer_once(
                settings, args.question, args.database, sql_only=args.sql, values=args.param
            )
        )
        raise SystemExit(code)
    if getattr(args, "http", None) is not None:
        from bootstrap.serve_http import serve_http  # stdio, the common case, skips uvicorn

        run_server(serve_http(settings, args.http))
        return
    # Imported once the settings are known good: a bad one, `config` and `--version` answer
    # without loading the MCP SDK.
    from bootstrap.serve_stdio import serve_stdio

    run_server(serve_stdio(settings))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pg-mcp", description="Ask PostgreSQL questions in plain language over MCP."
    )
    parser.add_argument("--version", action="version", version=f"pg-mcp {_version()}")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="serve MCP over stdio (the default) or HTTP")
    serve.add_argument(
        "--http",
        metavar="HOST:PORT",
        default=None,
        help="serve MCP streamable HTTP at /mcp instead (HOST defaults to 127.0.0.1)",
    )
    serve.add_argument("--demo", action="store_true", help="serve the bundled demo database")
    ask = commands.add_parser("ask", help="answer one question in the terminal")
    ask.add_argument("question")
    ask.add_argument("--database", default=None, help="name of a configured database")
    ask.add_argument("--sql", action="store_true", help="print the SQL without running it")
    ask.add_argument("--demo", action="store_true", help="ask the bundled demo database")
    ask.add_argument(
        "--param",
        action="append",
        default=[],
        type=parameter,
        metavar="NAME=VALUE",
        help="a value for :NAME (or $N) in the question or SQL, bound by PostgreSQL; repeatable",
    )
    commands.add_parser("demo", help="start the demo database and serve MCP over stdio")
    check = commands.add_parser(
        "check", help="check the configuration, databases and model, then exit"
    )
    check.add_argument("--demo", action="store_true", help="check the bundled demo database")
    commands.add_parser(
        "config", help="print a Claude Desktop entry for this installation and settings"
    )
    return parser


def _version() -> str:
    try:
        return metadata.version("pgmcp-ask")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _with_demo_database(settings: Settings, *, announce: bool) -> Settings:
    from adapters.postgres.embedded_demo import (  # optional extra, imported on demand
        DemoUnavailable,
        start_demo_database,
    )

    try:
        dsn = start_demo_database(settings.database.demo_data_dir)
    except DemoUnavailable as exc:
        print(f"pg-mcp: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None
    if announce:
        print("pg-mcp demo database is ready. Claude Desktop config:", file=sys.stderr)
        print(claude_desktop_config(["demo"], demo_env(settings_in_use())), file=sys.stderr)
    entry = DatabaseEntry(name="demo", dsn=SecretStr(dsn))
    database = settings.database.model_copy(update={"databases": (entry,)})
    return settings.model_copy(update={"database": database})
