"""Schedules and timeouts: the deployments in config/schedules.toml (and prefect.yaml, kept equal),
the ECB working-day calendar as Prefect's own scheduler computes it, `aipipe serve` without a
server, and a flow run that times out: Failed (TimedOut), its load rolled back, recorded 'failed'.

A served schedule triggering a real run on a local Prefect server takes about a minute, so it is
not here: `make schedule-demo` (scripts/schedule_demo.py) does it."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from aipipe.settings import REPO_ROOT
from aipipe.sources.families import FAMILIES
from flows.schedules import (
    ScheduleError,
    easter_sunday,
    load_schedules,
    prefect_yaml,
    target_closing_days,
)
from flows.serve import next_runs
from tests.support.ops import companyfacts_versions, differences, table_contents, write_watchlist
from tests.support.warehouse import load_companies, settings_in, store_companyfacts

AIPIPE = str(Path(sys.executable).with_name("aipipe"))


def by_name():
    return {s.name: s for s in load_schedules(known_families=set(FAMILIES))}


def test_configured_deployments_cover_the_source_families():
    schedules = by_name()
    assert {f for s in schedules.values() for f in s.families} == {"sec", "fx", "registry", "news"}
    assert schedules["sec-daily"].timezone == "America/New_York"
    assert schedules["fx-ecb"].calendar == "target"
    assert all(s.timeout_seconds > 0 and s.wait_seconds > 0 for s in schedules.values())


def test_easter_and_target_closing_days():
    # Easter Sundays as published in church calendars.
    assert [easter_sunday(y) for y in (2024, 2025, 2026, 2027)] == [
        dt.date(2024, 3, 31), dt.date(2025, 4, 20), dt.date(2026, 4, 5), dt.date(2027, 3, 28)]
    assert target_closing_days(2025) == [dt.date(2025, 1, 1), dt.date(2025, 4, 18), dt.date(2025, 4, 21),
                                         dt.date(2025, 5, 1), dt.date(2025, 12, 25), dt.date(2025, 12, 26)]


def test_fx_runs_on_ecb_working_days_only_as_prefect_computes_them():
    berlin = ZoneInfo("Europe/Berlin")
    after = dt.datetime(2025, 12, 22, 0, 0, tzinfo=dt.UTC)
    runs = next_runs(by_name()["fx-ecb"], 8, after=after)
    days = [r.astimezone(berlin).date() for r in runs]
    # Weekdays from Mon 22 Dec 2025, without 25-26 Dec and 1 Jan (TARGET closing days).
    assert days == [dt.date(2025, 12, d) for d in (22, 23, 24, 29, 30, 31)] + [dt.date(2026, 1, 2),
                                                                            dt.date(2026, 1, 5)]
    assert {(r.astimezone(berlin).hour, r.astimezone(berlin).minute) for r in runs} == {(16, 30)}
    easter = next_runs(by_name()["fx-ecb"], 4, after=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    assert [r.astimezone(berlin).date() for r in easter] == [dt.date(2026, 4, 1), dt.date(2026, 4, 2),
                                                              dt.date(2026, 4, 7), dt.date(2026, 4, 8)]


def test_sec_runs_after_the_us_close_on_weekdays():
    new_york = ZoneInfo("America/New_York")
    runs = next_runs(by_name()["sec-daily"], 6, after=dt.datetime(2026, 3, 6, 12, tzinfo=dt.UTC))  # a Friday
    local = [r.astimezone(new_york) for r in runs]
    assert all(t.weekday() < 5 and (t.hour, t.minute) == (18, 30) for t in local)
    assert [t.day for t in local] == [6, 9, 10, 11, 12, 13]  # across the DST change of 8 March


def test_prefect_yaml_declares_the_same_deployments():
    from prefect.client.schemas.schedules import CronSchedule, RRuleSchedule

    on_disk = yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text())
    rrule = next(s["rrule"] for d in on_disk["deployments"] for s in d["schedules"] if "rrule" in s)
    start = dt.datetime.strptime(rrule.split(":")[1][:8], "%Y%m%d").date()
    regenerated = yaml.safe_load(prefect_yaml(load_schedules(), start))
    on_disk.pop("prefect-version"), regenerated.pop("prefect-version")
    assert on_disk == regenerated, "prefect.yaml is out of date: run `aipipe serve --prefect-yaml > prefect.yaml`"
    for deployment in on_disk["deployments"]:
        for schedule in deployment["schedules"]:
            (RRuleSchedule if "rrule" in schedule else CronSchedule)(**schedule)  # valid for Prefect
        assert deployment["entrypoint"] == "flows/refresh.py:refresh"


def test_bad_schedule_files_name_the_entry_and_the_fix(tmp_path):
    cases = {
        'families = ["nope"]\ncron = "0 1 * * *"': "unknown families ['nope']",
        'families = ["sec"]\ncron = "0 1 * * *"\ninterval_seconds = 60': "exactly one of cron",
        'families = ["fx"]\ncron = "*/5 * * * *"\ncalendar = "target"': 'needs a cron of the form "M H * * DOW"',
        'families = ["sec"]\ncron = "0 1 * * *"\ncalender = "target"': "unknown keys ['calender']",
    }
    for body, message in cases.items():
        path = tmp_path / "schedules.toml"
        path.write_text(f"[deployments.broken]\n{body}\n")
        with pytest.raises(ScheduleError, match="deployments.broken") as caught:
            load_schedules(path, known_families=set(FAMILIES))
        assert message in str(caught.value)


def serve(*args: str, api_url: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return subprocess.run([AIPIPE, "serve", *args], env=env, capture_output=True, text=True, timeout=60)


def test_serve_lists_deployments_and_says_how_to_get_a_server():
    listed = serve("--list")
    assert listed.returncode == 0, listed.stderr
    assert "refresh/sec-daily: families sec" in listed.stdout and "minus TARGET closing days" in listed.stdout
    no_server = serve()
    assert no_server.returncode == 2
    assert "prefect server start" in no_server.stderr and "--start-server" in no_server.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    unreachable = serve(api_url=f"http://127.0.0.1:{closed_port}/api")
    assert unreachable.returncode == 2 and "does not answer" in unreachable.stderr


def test_flow_run_past_its_timeout_fails_and_rolls_back(tmp_path, sec_fixtures, monkeypatch, prefect_harness):
    from flows.refresh import refresh

    monkeypatch.setenv("AIPIPE_WATCHLIST", str(write_watchlist(tmp_path / "watchlist.toml", {"GOOGL": 1652044})))
    settings = settings_in(tmp_path)
    v1, v2 = companyfacts_versions(sec_fixtures)
    store_companyfacts(settings, 1652044, v1)
    load_companies(settings, [("GOOGL", 1652044)])
    store_companyfacts(settings, 1652044, v2)
    before = table_contents(settings.db_path)
    monkeypatch.setenv("AIPIPE_TEST_PAUSE_AT", "load")  # the load would sit in its transaction for 60 s
    monkeypatch.setenv("AIPIPE_TEST_PAUSE_S", "60")
    started = time.monotonic()
    state = refresh.with_options(timeout_seconds=3)(settings=settings, families=["sec"], return_state=True)
    assert time.monotonic() - started < 30
    assert state.is_failed() and state.name == "TimedOut", state
    after = table_contents(settings.db_path)
    assert differences(before, after) == {"audit.runs": (0, 1)}  # only the ledger row of the failed run
    [(status, message)] = [(r[4], r[-1]) for r in after["audit.runs"] if r not in before["audit.runs"]]
    assert status == "failed" and "timed out" in message.lower()
    monkeypatch.delenv("AIPIPE_TEST_PAUSE_AT")
    result = refresh(settings=settings, families=["sec"])
    assert result["status"] == "success"
