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
import asyncio
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from aipipe.schedules import ScheduledRefresh, ScheduleError, load_schedules, prefect_yaml, target_rrule

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
    from aipipe.sources.registry import FAMILIES

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
    print(describe(schedules))
    if args.list:
        return 0
    server = None
    try:
        if args.start_server:
            server = start_local_server(args.port)
        api_url = _api_url()
        if not api_url:
            print("aipipe serve: no Prefect server configured. Start one with `.venv/bin/prefect server start` "
                  "and set PREFECT_API_URL=http://127.0.0.1:4200/api, or pass --start-server.", file=sys.stderr)
            return EXIT_NO_SERVER
        if not api_healthy(api_url):
            print(f"aipipe serve: the Prefect API at {api_url} does not answer; is `prefect server start` "
                  "running there?", file=sys.stderr)
            return EXIT_NO_SERVER
        print(f"serving {len(schedules)} deployment(s) against {api_url} (Ctrl-C stops)", flush=True)
        serve(schedules, api_url, limit=args.limit)
    finally:
        if server is not None:
            stop_process(server)
    return 0


def serve(schedules: list[ScheduledRefresh], api_url: str, *, limit: int = 1) -> None:
    """Register one deployment per schedule with the Prefect API at `api_url` and run their flow
    runs until stopped."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    # Prefect reads its settings once; without this it would fall back to a temporary API of its
    # own, which has no scheduler.
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        _serve(schedules, limit)


def _serve(schedules: list[ScheduledRefresh], limit: int) -> None:
    from prefect.deployments.runner import EntrypointType
    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner

    from flows.refresh import refresh

    runner = Runner(name="aipipe", limit=limit)
    for item in schedules:
        # with_options keeps the deployment's own timeout: the runner runs this flow object itself.
        runner.add_flow(
            refresh.with_options(timeout_seconds=item.timeout_seconds),
            name=item.name,
            schedules=[prefect_schedule(item)],
            parameters=item.parameters,
            description=item.description,
            tags=["aipipe", *item.families],
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
    try:
        asyncio.run(runner.start())
    except (KeyboardInterrupt, TerminationSignal):
        print("aipipe serve: stopped", file=sys.stderr)


def prefect_schedule(item: ScheduledRefresh, today: dt.date | None = None):
    """The Prefect schedule for `item` (cron, interval, or an RRule without TARGET closing days)."""
    from prefect.schedules import Cron, Interval, RRule

    if item.interval_seconds:
        return Interval(item.interval_seconds, timezone=item.timezone)
    if item.calendar == "target":
        return RRule(target_rrule(item.cron or "", item.timezone, today or dt.date.today()), timezone=item.timezone)
    return Cron(item.cron, timezone=item.timezone)


def next_runs(item: ScheduledRefresh, count: int = 3, after: dt.datetime | None = None) -> list[dt.datetime]:
    """When the Prefect scheduler will start `item` next (computed by Prefect's own schedule code)."""
    from prefect.server.schemas.schedules import CronSchedule, IntervalSchedule, RRuleSchedule

    after = after or dt.datetime.now(dt.UTC)
    if item.interval_seconds:
        schedule = IntervalSchedule(interval=dt.timedelta(seconds=item.interval_seconds), anchor_date=after,
                                    timezone=item.timezone)
    elif item.calendar == "target":
        schedule = RRuleSchedule(rrule=target_rrule(item.cron or "", item.timezone, after.date()),
                                 timezone=item.timezone)
    else:
        schedule = CronSchedule(cron=item.cron, timezone=item.timezone)
    return asyncio.run(schedule.get_dates(count, start=after))


def describe(schedules: list[ScheduledRefresh]) -> str:
    lines = []
    for item in schedules:
        when = f"every {item.interval_seconds:g}s" if item.interval_seconds else f"cron {item.cron!r}"
        when += f" {item.timezone}" + (" minus TARGET closing days" if item.calendar == "target" else "")
        upcoming = ", ".join(d.strftime("%Y-%m-%d %H:%M %Z") for d in next_runs(item))
        lines.append(f"refresh/{item.name}: families {', '.join(item.families)}; {when}; "
                     f"timeout {item.timeout_seconds:g}s, queue {item.wait_seconds:g}s\n    next: {upcoming}")
    return "\n".join(lines)


def start_local_server(port: int) -> subprocess.Popen:
    """`prefect server start` on 127.0.0.1:`port` (data in $PREFECT_HOME); returns once it answers."""
    home = Path(os.environ.get("PREFECT_HOME", ".prefect"))
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "aipipe-server.log"
    api_url = f"http://127.0.0.1:{port}/api"
    if api_healthy(api_url):
        raise SystemExit(f"aipipe serve: something already answers on {api_url}; use it with "
                         f"PREFECT_API_URL={api_url} instead of --start-server, or pick another --port")
    prefect_cli = Path(sys.executable).with_name("prefect")
    command = [str(prefect_cli) if prefect_cli.exists() else sys.executable, *([] if prefect_cli.exists() else
               ["-m", "prefect"]), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    print(f"starting a local Prefect server on {api_url} (log: {log_path})", flush=True)
    with open(log_path, "ab") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + float(os.environ.get("AIPIPE_SERVER_START_TIMEOUT_S", "180"))
    while not api_healthy(api_url):
        if server.poll() is not None or time.monotonic() > deadline:
            stop_process(server)
            raise SystemExit(f"aipipe serve: the Prefect server did not start; see {log_path}")
        time.sleep(0.5)
    os.environ["PREFECT_API_URL"] = api_url
    return server


def api_healthy(api_url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{api_url.rstrip('/')}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def stop_process(process: subprocess.Popen, grace_s: float = 15.0) -> None:
    """Stop a child we started: SIGTERM to its process group, SIGKILL if it lingers."""
    import signal

    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def _api_url() -> str | None:
    from prefect.settings import PREFECT_API_URL

    return os.environ.get("PREFECT_API_URL") or PREFECT_API_URL.value()


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
