"""Epoch AI's revenue reports as a cross-check: the real CSV (the copy the seed ships) parsed and
validated (rows without a date are quarantined with the reason), fetched live from a real local
HTTP server (a file in another layout is refused and nothing loaded is lost), and set beside the
registry's run-rates in marts.epoch_cross_check."""

from __future__ import annotations

import gzip
import io

import duckdb
import pandas as pd
import pytest

from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import SnapshotStore, utc_now
from aipipe.ingest.refresh import http_client
from aipipe.ingest.stage import stage_source
from aipipe.sources.base import acquire
from aipipe.sources.epoch import SEED_FILE, EpochFileError, epoch_sources, parse_revenue_reports
from aipipe.sources.figures import registry_source
from aipipe.warehouse.ledger import RunRecord
from aipipe.warehouse.load import load_run
from aipipe.warehouse.sql import loaded_snapshots
from tests.support.fault_server import FaultServer, Reply
from tests.support.warehouse import settings_in

PATH = "/data/ai_companies_revenue_reports.csv"


def real_csv() -> bytes:
    return gzip.decompress(SEED_FILE.read_bytes())


def run(settings, specs):
    record = RunRecord(new_run_id(), "test", utc_now(), settings.offline)
    store, client = SnapshotStore(settings.data_dir), http_client(settings)
    loaded = loaded_snapshots(settings.db_path)
    results = [stage_source(s, acquire(s, store, client), settings.data_dir / "runs" / record.run_id,
                            record.run_id, loaded) for s in specs]
    load_run(settings.db_path, record, results)
    return results


def query(settings, sql):
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    finally:
        con.close()


def test_the_real_file_parses_row_for_row():
    raw = pd.read_csv(io.BytesIO(real_csv()), dtype=str)
    frame = parse_revenue_reports(real_csv())
    assert len(frame) == len(raw) and {"OpenAI", "Anthropic"} <= set(frame["company"])
    june = frame[(frame["company"] == "OpenAI") & (frame["report_id"] == "June 2025 10B")].iloc[0]
    assert june["annualized_revenue_usd"] == 10e9 and str(june["report_period_date"]) == "2025-06-09"
    assert june["source_1"].startswith("https://www.cnbc.com/")
    with pytest.raises(EpochFileError, match="lacks the columns"):
        parse_revenue_reports(b"Company,Date,Revenue\nOpenAI,2025-06-09,10\n")


def test_live_from_a_local_server_and_a_changed_layout_loses_nothing(tmp_path):
    with FaultServer() as server:
        settings = settings_in(tmp_path).with_overrides(offline=False, http_retries=0, epoch_base_url=server.url)
        server.route(PATH, Reply(200, real_csv(), {"Content-Type": "text/csv"}))
        (first,) = run(settings, epoch_sources(settings))
        assert first.origin == "live" and first.status == "staged"
        # Epoch rows with no date (a company's placeholder rows) are quarantined, each with its reason.
        total = len(parse_revenue_reports(real_csv()))
        assert first.rows_valid + first.rows_quarantined == total and first.rows_quarantined >= 1
        reasons = query(settings, "SELECT reasons FROM audit.quarantine WHERE table_name = 'staging.epoch_revenue'")
        assert reasons and all("report_period_date" in r["reasons"] for r in reasons)
        before = query(settings, "SELECT * EXCLUDE (run_id) FROM staging.epoch_revenue ORDER BY company, report_id")

        server.route(PATH, Reply(200, b"company,when,usd\nOpenAI,2026-01-01,1\n"))
        (changed,) = run(settings, epoch_sources(settings))
        assert changed.status == "error" and "lacks the columns" in changed.message
        after = query(settings, "SELECT * EXCLUDE (run_id) FROM staging.epoch_revenue ORDER BY company, report_id")
        assert after == before


def test_the_cross_check_sets_epoch_beside_the_registry(tmp_path):
    settings = settings_in(tmp_path)  # offline: Epoch from the seed, the registry from config
    results = run(settings, [*epoch_sources(settings), registry_source()])
    assert [r.origin for r in results] == ["seed", "config"]
    rows = {r["figure_id"]: r for r in query(settings, "SELECT * FROM marts.epoch_cross_check")}
    june = rows["openai-arr-2025-06"]
    assert (june["epoch_verdict"], june["epoch_value_usd"], june["epoch_report"]) == ("agrees", 10e9, "June 2025 10B")
    assert june["epoch_source_1"].startswith("https://")
    verdicts = {r["epoch_verdict"] for r in rows.values()}
    assert verdicts <= {"agrees", "differs", "no Epoch report within 45 days"} and "agrees" in verdicts
    for row in rows.values():
        if row["epoch_verdict"] == "agrees":
            assert abs(row["epoch_value_usd"] - row["registry_value_usd"]) <= 0.05 * row["registry_value_usd"]
