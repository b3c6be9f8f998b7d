"""`aipipe` command line: a thin dispatcher to one module per subcommand in aipipe.commands."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

# subcommand -> (module in aipipe.commands, one-line help). A new command adds one line here.
COMMANDS = {
    "refresh": ("refresh", "fetch every source (or fall back offline), validate, load, report"),
    "report": ("report", "summarise the latest (or a given) run; non-zero exit if it failed"),
    "sql": ("sql", "run read-only SQL on the warehouse; print a table, CSV or JSON"),
    "runs": ("runs", "list refresh runs (newest first) or show one run's per-source records"),
    "serve": ("serve", "run the refresh on its schedules (config/schedules.toml) via a Prefect server"),
    "extract": ("extract", "print the candidate figures in a page or text file (PATH or URL)"),
    "ingest": ("ingest", "load SEC companyfacts files you downloaded (a directory or companyfacts.zip)"),
    "table": ("table", "print a mart as a table, optionally --as-of a date (facts filed by then)"),
}


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
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(f"aipipe.commands.{module_name}")
        sub = commands.add_parser(name, help=help_text, description=(module.__doc__ or help_text).strip())
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
