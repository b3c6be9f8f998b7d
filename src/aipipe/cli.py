"""`aipipe` command line: a thin dispatcher to one module per subcommand in aipipe.commands."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

# Subcommands, each a module of aipipe.commands (with HELP, add_arguments and run). A new command
# adds its name here.
COMMANDS = ("refresh", "report", "sql", "runs", "serve", "extract", "ingest", "table", "seed")


def prefect_environment() -> None:
    """Quiet, local, offline-friendly Prefect defaults (each can be overridden by the caller)."""
    os.environ.setdefault("PREFECT_HOME", str(Path(".prefect").resolve()))
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The temporary local API logs harmless event-flush errors when it stops; they are not ours.
    os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "CRITICAL")


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="warehouse file (default warehouse/aipipe.duckdb, or $AIPIPE_DB)")
    parser.add_argument("--data", type=Path, help="snapshot directory (default data/, or $AIPIPE_DATA)")
    parser.add_argument("--reports", type=Path, help="report directory (default reports/, or $AIPIPE_REPORTS)")


def build_parser() -> argparse.ArgumentParser:
    from aipipe import __version__

    parser = argparse.ArgumentParser(prog="aipipe", description=__doc__.split(":")[0])
    parser.add_argument("--version", action="version", version=f"aipipe {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"aipipe.commands.{name}")
        sub = commands.add_parser(name, help=module.HELP, description=(module.__doc__ or module.HELP).strip())
        module.add_arguments(sub)
        sub.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    prefect_environment()
    args = build_parser().parse_args(argv)
    try:
        return int(args._module.run(args) or 0)
    except KeyboardInterrupt:
        print("aipipe: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
