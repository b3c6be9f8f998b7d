"""Concurrency with real processes: one refresh at a time (a second one exits with a clear message,
or queues with --wait), the DuckDB file open only for the writer's short transactions, and
`aipipe sql` answering while a refresh runs, even while the refresh holds the file for its load."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from tests.support.ops import RefreshProcess, companyfacts_versions, refresh_env, write_watchlist
from tests.support.warehouse import load_companies, settings_in, store_companyfacts

GOOGL = 1652044
AIPIPE = str(Path(sys.executable).with_name("aipipe"))


@pytest.fixture()
def warehouse(tmp_path, sec_fixtures, monkeypatch):
    """An offline warehouse holding Alphabet's v1 companyfacts, with v2 stored for the next run."""
    watchlist = write_watchlist(tmp_path / "watchlist.toml", {"GOOGL": GOOGL})
    monkeypatch.setenv("AIPIPE_WATCHLIST", str(watchlist))
    settings = settings_in(tmp_path)
    v1, v2 = companyfacts_versions(sec_fixtures)
    store_companyfacts(settings, GOOGL, v1)
    load_companies(settings, [("GOOGL", GOOGL)])
    store_companyfacts(settings, GOOGL, v2)
    return settings, {"AIPIPE_WATCHLIST": str(watchlist), "AIPIPE_TEST_PAUSE_S": "60",
                      "AIPIPE_TEST_RESUME_FILE": str(tmp_path / "resume")}, tmp_path / "resume"


def ledger(settings) -> dict[str, tuple]:
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        return {r[0]: r[1:] for r in con.execute("SELECT run_id, status, pid, finished_at FROM audit.runs").fetchall()}
    finally:
        con.close()


def test_second_refresh_exits_or_queues_never_two_writers(warehouse, prefect_api_url):
    settings, extra, resume = warehouse
    before = ledger(settings)
    first = RefreshProcess(refresh_env(settings, **extra, AIPIPE_TEST_PAUSE_AT="stage"))
    first.wait_for("paused at stage")
    # The first refresh holds the writer lock but not the database file: readers open it at once.
    started = time.monotonic()
    duckdb.connect(str(settings.db_path), read_only=True).close()
    assert time.monotonic() - started < 1.0

    cli_env = refresh_env(settings, AIPIPE_WATCHLIST=extra["AIPIPE_WATCHLIST"], PREFECT_API_URL=prefect_api_url)
    refused = RefreshProcess(cli_env, cli=True, wait_s=0)
    queued = RefreshProcess(cli_env, cli=True, wait_s=60)
    code, _, err = refused.finish()
    assert code == 75, err
    assert f"pid {first.process.pid}" in err and "--wait SECONDS" in err
    queued.wait_for("waiting up to 60s", timeout_s=90)
    # Neither the refused nor the queued refresh has written anything: only the first is running.
    running = {run_id: row for run_id, row in ledger(settings).items() if run_id not in before}
    assert [(status, pid) for status, pid, _ in running.values()] == [("running", first.process.pid)]

    resume.touch()
    first_code, first_out, _ = first.finish()
    queued_code, queued_out, queued_err = queued.finish()
    assert first_code == 0 and queued_code == 0, queued_err
    after = {run_id: row for run_id, row in ledger(settings).items() if run_id not in before}
    assert len(after) == 2  # the refused refresh left no trace
    by_pid = {pid: (status, finished) for status, pid, finished in after.values()}
    assert by_pid[first.process.pid][0] == "success"
    assert by_pid[queued.process.pid][0] == "no_change"  # the first one loaded v2 already
    assert by_pid[queued.process.pid][1] > by_pid[first.process.pid][1]


def test_aipipe_sql_answers_while_a_refresh_runs_and_loads(warehouse):
    settings, extra, resume = warehouse
    count_sql = "SELECT count(*) AS facts FROM staging.sec_facts"
    con = duckdb.connect(str(settings.db_path), read_only=True)
    baseline = con.execute(count_sql).fetchall()[0][0]
    con.close()
    queries: list[tuple[float, float, int, str, str]] = []
    stop = threading.Event()

    def query_repeatedly() -> None:
        while not stop.is_set():
            began = time.monotonic()
            done = subprocess.run([AIPIPE, "sql", count_sql, "--format", "csv", "--db", str(settings.db_path),
                                   "--retry", "30"], capture_output=True, text=True, timeout=60)
            queries.append((began, time.monotonic(), done.returncode, done.stdout, done.stderr))

    writer = RefreshProcess(refresh_env(settings, **extra, AIPIPE_TEST_PAUSE_AT="load"))
    reader = threading.Thread(target=query_repeatedly)
    reader.start()
    try:
        writer.wait_for("paused at load")
        paused_at = time.monotonic()
        time.sleep(2.0)  # the writer sits inside its load transaction, holding the file
        resumed_at = time.monotonic()
        resume.touch()
        code, out, err = writer.finish()
        assert code == 0, err
        time.sleep(0.5)
    finally:
        stop.set()
        reader.join(90)
    assert queries and all(rc == 0 for _, _, rc, _, _ in queries), [q for q in queries if q[2]]
    counts = [int(out.splitlines()[1]) for _, _, _, out, _ in queries]
    assert set(counts) <= {baseline, baseline + 3}
    # The query in flight while the load held the file waited (bounded retry), then saw the commit.
    waited = [(end - max(began, paused_at), n) for (began, end, _, _, _), n in zip(queries, counts, strict=True)
              if began < resumed_at < end]
    assert waited, "no query was waiting when the load resumed"
    assert all(n == baseline + 3 for _, n in waited)
    assert all(seconds >= 1.5 for seconds, _ in waited)
    assert counts[0] == baseline and counts[-1] == baseline + 3
