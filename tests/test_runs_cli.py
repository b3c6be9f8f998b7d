"""The run ledger and `aipipe runs`: every run recorded newest first with its per-source load
records; a failed run recorded 'failed'; a run that never finished shown, then marked 'abandoned'."""

from __future__ import annotations

import json

import duckdb
import pytest

from aipipe.cli import main
from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import utc_now
from aipipe.ingest.refresh import refresh_direct
from aipipe.warehouse.connect import writer_lock
from aipipe.warehouse.ledger import RunRecord, begin_run
from tests.support.ops import write_watchlist
from tests.support.warehouse import settings_in


@pytest.fixture()
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("AIPIPE_WATCHLIST", str(write_watchlist(tmp_path / "watchlist.toml",
                                                               {"META": 1326801, "GOOGL": 1652044})))
    return settings_in(tmp_path)


def runs_json(capsys, settings, *args) -> object:
    assert main(["runs", "--db", str(settings.db_path), "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_runs_lists_newest_first_with_limit_and_shows_sources(settings, capsys):
    first, outcome1, _ = refresh_direct(settings, ["sec"])
    second, outcome2, _ = refresh_direct(settings, ["sec"])
    assert (outcome1.status, outcome2.status) == ("success", "no_change")
    listed = runs_json(capsys, settings)
    assert [r["run_id"] for r in listed] == [second.run_id, first.run_id]
    assert listed[1]["rows_inserted"] == sum(outcome1.rows_inserted.values()) > 0
    assert listed[0]["rows_inserted"] == 0 and listed[0]["duration_s"] is not None
    assert [r["run_id"] for r in runs_json(capsys, settings, "--limit", "1")] == [second.run_id]

    shown = runs_json(capsys, settings, first.run_id[:-2])  # a unique prefix is enough
    assert shown["run"]["status"] == "success"
    by_source = {s["source"]: s for s in shown["sources"]}
    meta = by_source["sec:CIK0001326801"]
    assert meta["origin"] == "seed" and meta["status"] == "loaded"
    assert meta["rows_in"] == meta["rows_valid"] == meta["rows_inserted"] > 0
    assert meta["snapshot_sha256"] and meta["duration_s"] is not None

    assert main(["runs", "--db", str(settings.db_path)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:2] == ["run", "status"]
    assert table[2].startswith(second.run_id) and "no_change" in table[2]
    assert main(["runs", "--db", str(settings.db_path), second.run_id]) == 0
    detail = capsys.readouterr().out
    assert f"run {second.run_id}: no_change" in detail and "sec:CIK0001326801" in detail
    assert "already loaded; nothing parsed" in detail


def test_unknown_run_and_empty_warehouse(settings, capsys):
    assert main(["runs", "--db", str(settings.db_path)]) == 2  # no warehouse yet
    assert "aipipe refresh" in capsys.readouterr().err
    refresh_direct(settings, ["sec"])
    assert main(["runs", "--db", str(settings.db_path), "no-such-run"]) == 2
    assert "no run matching 'no-such-run'" in capsys.readouterr().err


def test_a_run_that_raises_is_recorded_failed(settings, capsys):
    refresh_direct(settings, ["sec"])
    with pytest.raises(ValueError, match="unknown source families"):
        refresh_direct(settings, ["no-such-family"])
    failed = runs_json(capsys, settings)[0]
    assert failed["status"] == "failed" and "unknown source families" in failed["message"]
    assert failed["finished_at"] is not None


def test_a_run_that_never_finished_is_shown_then_marked_abandoned(settings, capsys):
    refresh_direct(settings, ["sec"])
    # What a killed refresh leaves behind: its 'running' row and nothing else (the kills
    # themselves, with real processes, are in tests/test_faults.py).
    dead = RunRecord(new_run_id(), "refresh", utc_now(), True)
    with writer_lock(settings.db_path):
        begin_run(settings.db_path, dead)
    con = duckdb.connect(str(settings.db_path))
    con.execute("UPDATE audit.runs SET pid = 2147483646 WHERE run_id = ?", [dead.run_id])  # a pid that is gone
    con.close()
    assert main(["runs", "--db", str(settings.db_path)]) == 0
    assert "its process is gone" in capsys.readouterr().out
    later, _, _ = refresh_direct(settings, ["sec"])
    runs = {r["run_id"]: r for r in runs_json(capsys, settings)}
    assert runs[dead.run_id]["status"] == "abandoned"
    assert f"found by run {later.run_id}" in runs[dead.run_id]["message"]
    assert runs[later.run_id]["status"] == "no_change"
