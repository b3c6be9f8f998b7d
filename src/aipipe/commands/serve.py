"""Serve the refresh flow on its schedules (src/aipipe/config/schedules.toml): SEC on weekdays
after the US close, ECB rates on TARGET working days, news pages every 6 hours.

Schedules need a Prefect server, which keeps the deployments and creates the scheduled runs;
this process polls it and runs each due flow run in a subprocess. Either start one yourself:

    .venv/bin/prefect server start                      # UI and API on http://127.0.0.1:4200
    PREFECT_API_URL=http://127.0.0.1:4200/api aipipe serve

or let this command start a local one for as long as it runs: `aipipe serve --start-server`.
`aipipe serve --list` prints the deployments and their next run times without serving;
`aipipe serve --prefect-yaml > prefect.yaml` writes the same deployments for Prefect workers.
Stop with Ctrl-C; the deployments' schedules are paused until served again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from flows.schedules import ScheduleError, load_schedules, prefect_yaml

HELP = "run the refresh on its schedules (config/schedules.toml) via a Prefect server"
EXIT_CONFIG = 1
EXIT_NO_SERVER = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from aipipe.cli import add_common

    add_common(parser)
    parser.add_argument("--config", type=Path, metavar="TOML",
                        help="schedules file (default src/aipipe/config/schedules.toml, or $AIPIPE_SCHEDULES)")
    parser.add_argument("--only", action="append", metavar="DEPLOYMENT",
                        help="serve only this deployment (repeatable), e.g. sec-daily")
    parser.add_argument("--offline", action="store_true", help="scheduled runs never touch the network")
    parser.add_argument("--start-server", action="store_true",
                        help="start a local Prefect server for as long as this command runs")
    parser.add_argument("--port", type=int, default=4200, help="port for --start-server (default 4200)")
    parser.add_argument("--limit", type=int, default=1,
                        help="flow runs executed at once (default 1; refreshes queue on the writer lock anyway)")
    parser.add_argument("--list", action="store_true", help="print the deployments and next run times, then exit")
    parser.add_argument("--prefect-yaml", action="store_true",
                        help="print prefect.yaml with the same deployments (for Prefect workers), then exit")


def run(args: argparse.Namespace) -> int:
    from aipipe.sources.families import FAMILIES

    try:
        schedules = load_schedules(args.config, known_families=set(FAMILIES))
    except ScheduleError as exc:
        print(f"aipipe serve: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.only:
        missing = set(args.only) - {s.name for s in schedules}
        if missing:
            print(f"aipipe serve: no deployment {sorted(missing)}; known: {[s.name for s in schedules]}",
                  file=sys.stderr)
            return EXIT_CONFIG
        schedules = [s for s in schedules if s.name in args.only]
    if args.prefect_yaml:
        sys.stdout.write(prefect_yaml(schedules, dt.date(dt.date.today().year, 1, 1)))
        return 0
    _export_settings(args)
    from flows.serve import api_healthy, api_url, describe, serve, start_local_server, stop_process

    print(describe(schedules))
    if args.list:
        return 0
    server = None
    try:
        if args.start_server:
            server = start_local_server(args.port)
        url = api_url()
        if not url:
            print("aipipe serve: no Prefect server configured. Start one with `.venv/bin/prefect server start` "
                  "and set PREFECT_API_URL=http://127.0.0.1:4200/api, or pass --start-server.", file=sys.stderr)
            return EXIT_NO_SERVER
        if not api_healthy(url):
            print(f"aipipe serve: the Prefect API at {url} does not answer; is `prefect server start` "
                  "running there?", file=sys.stderr)
            return EXIT_NO_SERVER
        print(f"serving {len(schedules)} deployment(s) against {url} (Ctrl-C stops)", flush=True)
        serve(schedules, url, limit=args.limit)
    finally:
        if server is not None:
            stop_process(server)
    return 0


def _export_settings(args: argparse.Namespace) -> None:
    """Scheduled runs happen in subprocesses: hand them this command's settings via the environment
    (as absolute paths, so a run finds the same warehouse whatever its working directory)."""
    from aipipe.settings import Settings

    defaults = Settings()
    for flag, variable, default in (("db", "AIPIPE_DB", defaults.db_path), ("data", "AIPIPE_DATA", defaults.data_dir),
                                    ("reports", "AIPIPE_REPORTS", defaults.reports_dir)):
        os.environ[variable] = str(Path(getattr(args, flag, None) or default).resolve())
    if args.offline:
        os.environ["AIPIPE_OFFLINE"] = "1"
