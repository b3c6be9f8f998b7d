"""The refresh end to end: a real Prefect flow run offline from the seed, then re-runs,
a quarantined row, and a corrupted snapshot — on real DuckDB files."""

from __future__ import annotations

import duckdb
import orjson
import pytest

from aipipe.ingest.refresh import refresh_direct
from aipipe.sources.sec.parse import parse_companyfacts
from tests.support.warehouse import load_companies, settings_in, store_companyfacts

HYPERSCALERS = {"META", "MSFT", "GOOGL", "AMZN"}


def query(settings, sql, *params):
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def mart(settings):
    return query(settings, "SELECT * FROM marts.big_tech_capex ORDER BY ALL")


@pytest.fixture(scope="module")
def flow_run(tmp_path_factory, prefect_harness):
    from flows.refresh import refresh

    settings = settings_in(tmp_path_factory.mktemp("flow"))
    result = refresh(settings=settings, families=["sec"])
    return settings, result


def test_flow_run_builds_the_capex_table_offline_from_the_seed(flow_run):
    settings, result = flow_run
    assert result["status"] == "success"
    rows = query(settings, "SELECT ticker, fiscal_year, revenue_usd, capex_usd, capex_accession "
                           "FROM marts.big_tech_capex WHERE row_type = 'company'")
    years = {(t, fy) for t, fy, *_ in rows}
    assert {(t, fy) for t in HYPERSCALERS for fy in range(2022, 2026)} <= years
    by_key = {(t, fy): (rev, capex, acc) for t, fy, rev, capex, acc in rows}
    assert by_key[("META", 2024)][0] == 164_501_000_000
    assert by_key[("GOOGL", 2024)][1] == 52_535_000_000
    assert all(acc for *_, acc in by_key.values())


def test_flow_run_records_run_sources_and_report(flow_run):
    settings, result = flow_run
    runs = query(settings, "SELECT status, offline FROM audit.runs WHERE run_id = ?", result["run_id"])
    assert runs == [("success", True)]
    origins = dict(query(settings, "SELECT source, origin FROM audit.source_loads WHERE run_id = ?", result["run_id"]))
    assert origins["sec:CIK0001326801"] == "seed"
    report = (settings.reports_dir / "latest" / "validation.md").read_text()
    capex = (settings.reports_dir / "latest" / "tables" / "big_tech_capex.en.md").read_text()
    assert "seed" in report and "164.501" in capex
    # Every loaded row carries the run id that wrote it.
    assert query(settings, "SELECT count(*) FROM staging.sec_facts WHERE run_id IS NULL") == [(0,)]


def test_second_refresh_changes_nothing(flow_run):
    settings, _ = flow_run
    before = mart(settings)
    facts_before = query(settings, "SELECT count(*) FROM staging.sec_facts")
    run, outcome, results = refresh_direct(settings, families=["sec"])
    assert outcome.status == "no_change"
    assert {r.status for r in results} <= {"no_change", "missing"}
    assert mart(settings) == before
    assert query(settings, "SELECT count(*) FROM staging.sec_facts") == facts_before


def test_bad_row_is_quarantined_and_the_rest_loads(tmp_path, sec_fixtures):
    settings = settings_in(tmp_path)
    doc = orjson.loads((sec_fixtures / "companyfacts" / "CIK0001652044.trimmed.json").read_bytes())
    revenues = doc["facts"]["us-gaap"]["Revenues"]["units"]["USD"]
    revenues[0] = {**revenues[0], "accn": "not-an-accession"}
    store_companyfacts(settings, 1652044, orjson.dumps(doc))
    run, outcome, results = load_companies(settings, [("GOOGL", 1652044)])
    expected_total = parse_companyfacts([sec_fixtures / "companyfacts" / "CIK0001652044.trimmed.json"]).num_rows
    assert results[0].rows_quarantined == 1 and results[0].rows_valid == expected_total - 1
    rows = query(settings, "SELECT run_id, reasons, row_key FROM audit.quarantine")
    assert len(rows) == 1 and rows[0][0] == run.run_id
    assert "accession" in rows[0][1] and "not-an-accession" in rows[0][2]
    failures = query(settings, "SELECT column_name, failure_case FROM audit.validation_failures")
    assert ("accession", "not-an-accession") in failures
    assert query(settings, "SELECT count(*) FROM staging.sec_facts") == [(expected_total - 1,)]
    assert query(settings, "SELECT count(*) FROM staging.sec_facts WHERE accession = 'not-an-accession'") == [(0,)]


def test_corrupted_snapshot_is_named_others_load_and_old_values_stay(tmp_path, sec_fixtures):
    settings = settings_in(tmp_path)
    load_companies(settings, [("META", 1326801), ("GOOGL", 1652044)])  # from the seed
    meta_before = query(settings, "SELECT * FROM marts.big_tech_capex WHERE ticker = 'META' ORDER BY ALL")
    assert meta_before
    good = (sec_fixtures / "companyfacts" / "CIK0001652044.trimmed.json").read_bytes()
    store_companyfacts(settings, 1326801, good[: len(good) // 2])  # truncated JSON, newest for META
    store_companyfacts(settings, 1652044, good)
    run, outcome, results = load_companies(settings, [("META", 1326801), ("GOOGL", 1652044)])
    meta, googl = results
    assert meta.status == "error"
    assert "sec:CIK0001326801" in meta.message and ".json" in meta.message and "Malformed JSON" in meta.message
    assert googl.status == "staged" and googl.rows_valid > 0
    assert outcome.status == "partial"
    assert query(settings, "SELECT * FROM marts.big_tech_capex WHERE ticker = 'META' ORDER BY ALL") == meta_before
    status = query(settings, "SELECT status, message FROM audit.source_loads WHERE run_id = ? AND source = ?",
                   run.run_id, "sec:CIK0001326801")
    assert status[0][0] == "error" and "Malformed JSON" in status[0][1]
