"""Serve the refresh flow on its schedules against a Prefect server (used by `aipipe serve`).

A Prefect `Runner` registers one deployment per schedule of `flows/schedules.py` and runs each
due flow run; `start_local_server` starts `prefect server start` on loopback for as long as the
command runs; `next_runs` asks Prefect's own schedule code when a deployment runs next.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from prefect.deployments.runner import EntrypointType
from prefect.exceptions import TerminationSignal
from prefect.runner import Runner
from prefect.schedules import Cron, Interval, RRule
from prefect.server.schemas.schedules import CronSchedule, IntervalSchedule, RRuleSchedule
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.refresh import refresh
from flows.schedules import ScheduledRefresh, target_rrule


def serve(schedules: list[ScheduledRefresh], api_url: str, *, limit: int = 1) -> None:
    """Register one deployment per schedule with the Prefect API at `api_url` and run their flow
    runs until stopped."""
    # Prefect reads its settings once; without this it would fall back to a temporary API of its
    # own, which has no scheduler.
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        _serve(schedules, limit)


def _serve(schedules: list[ScheduledRefresh], limit: int) -> None:
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
    if item.interval_seconds:
        return Interval(item.interval_seconds, timezone=item.timezone)
    if item.calendar == "target":
        return RRule(target_rrule(item.cron or "", item.timezone, today or dt.date.today()), timezone=item.timezone)
    return Cron(item.cron, timezone=item.timezone)


def next_runs(item: ScheduledRefresh, count: int = 3, after: dt.datetime | None = None) -> list[dt.datetime]:
    """When the Prefect scheduler will start `item` next (computed by Prefect's own schedule code)."""
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
    try:
        return httpx.get(f"{api_url.rstrip('/')}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def stop_process(process: subprocess.Popen, grace_s: float = 15.0) -> None:
    """Stop a child we started: SIGTERM to its process group, SIGKILL if it lingers."""
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


def api_url() -> str | None:
    return os.environ.get("PREFECT_API_URL") or PREFECT_API_URL.value()
