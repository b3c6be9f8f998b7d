"""Faithful SEC facts on the real files in ../shared/fixtures/sec and on hand-made edge cases:
every version kept, restatements and amendments, periodic forms first, derived quarters,
calendar alignment, currencies, fiscal-year naming, and a malformed file in the batch."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import SnapshotStore, utc_now
from aipipe.ingest.sec_files import ingest_sec
from aipipe.ingest.stage import stage_source
from aipipe.settings import SQL_DIR
from aipipe.sources.base import acquire
from aipipe.sources.sec.parse import parse_companyfacts
from aipipe.sources.sec.tickers import parse_submissions, submissions_source
from aipipe.sources.sec.watchlist import Company, load_metric_tags
from aipipe.warehouse.ledger import RunRecord
from aipipe.warehouse.load import load_run
from tests.support.warehouse import load_companies, settings_in, store_companyfacts

# ---------------------------------------------------------------------------------------------
# Hand-made edge cases. Small made-up companies (CIK 9000001..9000006) with made-up values: they
# exist only in these temporary warehouses, to exercise one rule each.
# ---------------------------------------------------------------------------------------------


def fact(start, end, val, accn, form, filed, **extra):
    row = {"end": end, "val": val, "accn": accn, "fy": int(filed[:4]), "fp": "FY", "form": form, "filed": filed}
    if start:
        row["start"] = start
    row.update(extra)
    return row


EDGE = {
    "cik": 9000001, "entityName": "Edge Co", "facts": {"us-gaap": {
        "Revenues": {"units": {"USD": [
            fact("2023-01-01", "2023-12-31", 100, "0009000001-24-000001", "10-K", "2024-02-01", frame="CY2023"),
            # Restated in the next 10-K (no "frame" key at all), and repeated in a later 8-K.
            fact("2023-01-01", "2023-12-31", 90, "0009000001-25-000001", "10-K", "2025-02-01"),
            fact("2023-01-01", "2023-12-31", 999, "0009000001-25-000009", "8-K", "2025-06-01"),
            fact("2023-01-01", "2023-09-30", 70, "0009000001-23-000003", "10-Q", "2023-11-01"),
        ]}},
        "OperatingIncomeLoss": {"units": {"USD": [
            fact("2023-01-01", "2023-12-31", 10, "0009000001-24-000001", "10-K", "2024-02-01"),
            fact("2023-01-01", "2023-12-31", 12, "0009000001-24-000002", "10-K/A", "2024-04-01"),
        ]}},
        "EarningsPerShareDiluted": {"units": {"USD/shares": [
            fact("2023-01-01", "2023-12-31", 1.5, "0009000001-24-000001", "10-K", "2024-02-01"),
            fact("2023-01-01", "2023-09-30", 1.0, "0009000001-23-000003", "10-Q", "2023-11-01"),
        ]}},
    }}}
IFRS = {"cik": 9000002, "entityName": "IFRS Co", "facts": {"ifrs-full": {"Revenue": {"units": {"EUR": [
    fact("2023-01-01", "2023-12-31", 1000, "0009000002-24-000001", "20-F", "2024-04-01")]}}}}}
YEN = {"cik": 9000003, "entityName": "Yen Co", "facts": {"us-gaap": {"Revenues": {"units": {"JPY": [
    fact("2024-04-01", "2024-06-30", 5000, "0009000003-24-000001", "10-Q", "2024-08-01")]}}}}}
DEI_ONLY = {"cik": 9000004, "entityName": "DEI Co", "facts": {"dei": {"EntityCommonStockSharesOutstanding": {
    "units": {"shares": [fact(None, "2024-03-31", 42, "0009000004-24-000001", "10-Q", "2024-05-01")]}}}}}
EMPTY = {"cik": 9000005, "entityName": "Empty Co", "facts": {}}
MALFORMED = '{"cik": 9000006, "entityName": "Broken Co", "facts": {"us-gaap": {"Revenues": {"units": {"USD": [{"en'


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("edge")
    folder = tmp / "companyfacts"
    folder.mkdir()
    for doc in (EDGE, IFRS, YEN, DEI_ONLY, EMPTY):
        (folder / f"CIK{doc['cik']:010d}.json").write_text(json.dumps(doc))
    (folder / "CIK0009000006.json").write_text(MALFORMED)
    settings = settings_in(tmp)
    report = ingest_sec(folder, settings)
    con = duckdb.connect(str(settings.db_path), read_only=True)
    yield report, settings, con
    con.close()


def rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def test_malformed_file_is_named_quarantined_and_the_rest_load(edge):
    report, settings, con = edge
    by_name = {f.name: f for f in report.files}
    bad = by_name["CIK0009000006.json"]
    assert bad.status == "error" and "Malformed JSON" in bad.message and "CIK0009000006.json" in bad.message
    assert Path(bad.quarantined_to).read_text() == MALFORMED
    assert {f.status for n, f in by_name.items() if n != "CIK0009000006.json"} == {"loaded"}
    recorded = rows(con, "SELECT status FROM audit.source_loads WHERE source = 'sec:file:CIK0009000006.json'")
    assert recorded == [("error",)]
    assert rows(con, "SELECT count(DISTINCT cik) FROM staging.sec_facts") == [(4,)]  # empty file: no rows


def test_every_version_is_kept_with_its_run_id(edge):
    report, _, con = edge
    assert rows(con, "SELECT count(*) FROM staging.sec_facts WHERE cik = 9000001 AND concept = 'Revenues'") == [(4,)]
    assert rows(con, "SELECT count(*) FROM staging.sec_facts WHERE run_id IS NULL") == [(0,)]
    assert rows(con, "SELECT DISTINCT run_id FROM staging.sec_facts") == [(report.run_ids[0],)]
    # A fact with no frame is loaded like any other.
    assert rows(con, "SELECT frame FROM staging.sec_facts WHERE accession = '0009000001-25-000001' "
                     "AND concept = 'Revenues'") == [(None,)]


def test_restated_value_wins_and_first_filed_is_kept_8k_never_wins(edge):
    _, _, con = edge
    got = rows(con, "SELECT value_usd, as_reported_value_usd, restated, form, accession, as_reported_accession "
                    "FROM marts.company_financials WHERE cik = 9000001 AND metric = 'revenue' AND period_type = 'FY'")
    assert got == [(90, 100, True, "10-K", "0009000001-25-000001", "0009000001-24-000001")]


def test_amendment_supersedes_the_original(edge):
    _, _, con = edge
    got = rows(con, "SELECT value_usd, as_reported_value_usd, form FROM marts.company_financials "
                    "WHERE cik = 9000001 AND metric = 'operating_income'")
    assert got == [(12, 10, "10-K/A")]


def test_derived_q4_from_restated_and_as_reported_years_never_per_share(edge):
    _, _, con = edge
    got = rows(con, "SELECT period_start, period_end, value_usd, as_reported_value_usd, derived, fiscal_quarter "
                    "FROM marts.company_financials WHERE cik = 9000001 AND metric = 'revenue' AND period_type = 'Q'")
    assert [(str(s), str(e), v, a, d, q) for s, e, v, a, d, q in got] == [
        ("2023-10-01", "2023-12-31", 90 - 70, 100 - 70, True, 4)]
    assert rows(con, "SELECT count(*) FROM marts.company_financials WHERE metric = 'eps_diluted' AND derived") == [(0,)]


def test_non_usd_figures_keep_their_currency(edge):
    _, _, con = edge
    got = rows(con, "SELECT cik, currency, value, value_usd, period_type FROM marts.company_financials "
                    "WHERE cik IN (9000002, 9000003) ORDER BY cik")
    assert got == [(9000002, "EUR", 1000, None, "FY"), (9000003, "JPY", 5000, None, "Q")]


def test_dei_only_company_has_facts_but_no_metrics(edge):
    _, _, con = edge
    assert rows(con, "SELECT taxonomy, unit, period_start FROM staging.sec_facts WHERE cik = 9000004") == [
        ("dei", "shares", None)]
    assert rows(con, "SELECT count(*) FROM marts.company_financials WHERE cik = 9000004") == [(0,)]


def test_as_of_follows_filing_dates(edge):
    _, _, con = edge

    def known(day, metric):
        return rows(con, "SELECT value_usd, as_reported_value_usd FROM marts.company_financials_as_of(?::DATE) "
                         "WHERE cik = 9000001 AND metric = ? AND period_type = 'FY'", day, metric)

    assert known("2024-01-31", "revenue") == []
    assert known("2024-03-01", "revenue") == [(100, 100)]
    assert known("2024-03-01", "operating_income") == [(10, 10)]
    assert known("2024-04-01", "operating_income") == [(12, 10)]
    assert known("2025-02-01", "revenue") == [(90, 100)]
    assert known("2025-07-01", "revenue") == [(90, 100)]  # the later 8-K changes nothing


# ---------------------------------------------------------------------------------------------
# Real files: Alphabet (full companyfacts, incl. the 2025 revenue tag switch) and Snowflake
# (fiscal year Feb–Jan).
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory, sec_fixtures):
    settings = settings_in(tmp_path_factory.mktemp("real"))
    for cik, name in ((1652044, "CIK0001652044.json"), (1640147, "CIK0001640147.json")):
        store_companyfacts(settings, cik, (sec_fixtures / "companyfacts" / name).read_bytes())
    load_companies(settings, [("GOOGL", 1652044), ("SNOW", 1640147)])
    con = duckdb.connect(str(settings.db_path), read_only=True)
    yield con
    con.close()


def latest_value(facts, concept, start, end):
    """What the rules say by hand: periodic forms first, then the latest filing."""
    periodic = ("10-K", "10-Q", "10-K/A", "10-Q/A")
    matching = [f for f in facts if f["concept"] == concept and str(f["period_start"]) == start
                and str(f["period_end"]) == end and f["unit"] == "USD"]
    if not matching:
        return None
    return max(matching, key=lambda f: (f["form"] in periodic, f["filed"], f["accession"]))["value"]


def by_priority(facts, metric, start, end):
    for tag in sorted((t for t in load_metric_tags() if t.metric == metric and t.taxonomy == "us-gaap"),
                      key=lambda t: t.priority):
        value = latest_value(facts, tag.concept, start, end)
        if value is not None:
            return value
    return None


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_alphabet_derived_q4_is_fy_minus_nine_months(real, sec_fixtures, year):
    facts = parse_companyfacts([sec_fixtures / "companyfacts" / "CIK0001652044.json"]).to_pylist()
    full_year = by_priority(facts, "revenue", f"{year}-01-01", f"{year}-12-31")
    nine_months = by_priority(facts, "revenue", f"{year}-01-01", f"{year}-09-30")
    got = rows(real, "SELECT value_usd, derived, calendar_year, calendar_quarter, fiscal_quarter "
                     "FROM marts.company_financials WHERE ticker = 'GOOGL' AND metric = 'revenue' "
                     "AND period_start = ? AND period_end = ?", f"{year}-10-01", f"{year}-12-31")
    assert got == [(full_year - nine_months, True, year, 4, 4)]


def test_alphabet_2025_tag_switch_in_the_parsed_facts(sec_fixtures):
    facts = parse_companyfacts([sec_fixtures / "companyfacts" / "CIK0001652044.json"]).to_pylist()
    old_tag = [f for f in facts if f["concept"] == "RevenueFromContractWithCustomerExcludingAssessedTax"]
    new_tag = [f for f in facts if f["concept"] == "Revenues" and f["form"] in ("10-K", "10-Q")]
    assert max(f["filed"] for f in old_tag) < min(f["filed"] for f in new_tag if f["filed"].year >= 2025)
    # FY2025 exists only under the new tag; FY2024 under both (the new one as a comparative).
    old_name = "RevenueFromContractWithCustomerExcludingAssessedTax"
    assert latest_value(facts, old_name, "2025-01-01", "2025-12-31") is None
    assert latest_value(facts, "Revenues", "2025-01-01", "2025-12-31") is not None


def test_reported_quarters_are_never_replaced_and_per_share_never_derived(real):
    assert rows(real, "SELECT count(*) FROM marts.company_financials WHERE derived AND per_share") == [(0,)]
    assert rows(real, "SELECT count(*) FROM marts.company_financials WHERE derived AND period_type <> 'Q'") == [(0,)]
    # Alphabet reports Q1–Q3 revenue itself: none of those is derived.
    assert rows(real, "SELECT count(*) FROM marts.company_financials WHERE ticker = 'GOOGL' AND metric = 'revenue' "
                      "AND derived AND fiscal_quarter <> 4") == [(0,)]


def test_capex_quarters_from_year_to_date_cash_flows(real):
    # Cash-flow statements report year-to-date only; quarters are derived and add up to the year.
    got = rows(real, "SELECT sum(value_usd), bool_and(derived OR fiscal_quarter = 1), count(*) "
                     "FROM marts.company_financials WHERE ticker = 'GOOGL' AND metric = 'capex' AND period_type = 'Q' "
                     "AND fiscal_year = 2024")
    year = rows(real, "SELECT value_usd FROM marts.company_financials WHERE ticker = 'GOOGL' AND metric = 'capex' "
                      "AND period_type = 'FY' AND fiscal_year = 2024")
    assert got[0][1] and got[0][2] == 4
    assert got[0][0] == pytest.approx(year[0][0])


def test_calendar_alignment_agrees_with_secs_own_frames(real):
    # SEC labels the version of a fact that best fits a calendar period with a frame (CY2024Q1);
    # our rule (most days) must put every such period in the same calendar quarter / year.
    checked = rows(real, "SELECT count(*), count(*) FILTER (WHERE frame <> printf('CY%dQ%d', calendar_year, "
                         "calendar_quarter)) FROM staging.sec_metric_facts WHERE period_type = 'Q' "
                         "AND regexp_full_match(frame, 'CY\\d{4}Q\\d')")
    years = rows(real, "SELECT count(*), count(*) FILTER (WHERE frame <> printf('CY%d', calendar_year)) "
                       "FROM staging.sec_metric_facts WHERE period_type = 'FY' "
                       "AND regexp_full_match(frame, 'CY\\d{4}')")
    assert checked[0][0] > 100 and checked[0][1] == 0
    assert years[0][0] > 50 and years[0][1] == 0


def test_snowflake_fiscal_quarters_line_up_with_the_calendar(real):
    got = rows(real, "SELECT period_start, period_end, fiscal_year, fiscal_quarter, calendar_year, calendar_quarter, "
                     "derived FROM marts.company_financials WHERE ticker = 'SNOW' AND metric = 'revenue' "
                     "AND period_type = 'Q' AND fiscal_year = 2025 ORDER BY period_end")
    assert [(str(s), str(e), fy, fq, cy, cq, d) for s, e, fy, fq, cy, cq, d in got] == [
        ("2024-02-01", "2024-04-30", 2025, 1, 2024, 1, False),
        ("2024-05-01", "2024-07-31", 2025, 2, 2024, 2, False),
        ("2024-08-01", "2024-10-31", 2025, 3, 2024, 3, False),
        ("2024-11-01", "2025-01-31", 2025, 4, 2024, 4, True),
    ]
    assert rows(real, "SELECT DISTINCT fiscal_year_basis FROM marts.company_financials WHERE ticker = 'SNOW'") == [
        ("fy_periods",)]


def test_most_days_rule_on_edge_periods():
    con = duckdb.connect()
    try:
        con.execute("CREATE SCHEMA staging")
        con.execute((SQL_DIR / "staging" / "sec_calendar.sql").read_text())

        def quarter(start, end):
            q = con.execute("SELECT staging.most_days_quarter(?::DATE, ?::DATE)", [start, end]).fetchall()[0][0]
            return str(q)

        assert quarter("2025-02-01", "2025-04-30") == "2025-01-01"  # 59 of 89 days in Jan–Mar
        assert quarter("2024-11-01", "2025-01-31") == "2024-10-01"  # 61 of 92 days in Oct–Dec
        assert quarter("2025-02-15", "2025-05-17") == "2025-04-01"  # 46 + 46 days: a tie goes to the later
        assert quarter("2024-12-29", "2025-04-05") == "2025-01-01"  # a 98-day quarter over three quarters
        year = con.execute("SELECT staging.most_days_year(DATE '2024-07-01', DATE '2025-06-30')").fetchall()[0][0]
        assert str(year) == "2024-01-01"  # 184 of 365 days in 2024
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# Submissions: Microsoft's real file; its fiscalYearEnd names the fiscal year when no FY facts exist
# ---------------------------------------------------------------------------------------------


def test_microsoft_submissions_header(sec_fixtures):
    frame = parse_submissions((sec_fixtures / "submissions" / "CIK0000789019.json").read_bytes())
    row = frame.to_dict("records")[0]
    assert row["cik"] == 789019 and row["fiscal_year_end"] == "0630" and row["tickers"] == "MSFT"
    assert row["entity_name"] == "MICROSOFT CORP"


def test_fiscal_year_from_submissions_when_no_full_year_facts(tmp_path, sec_fixtures):
    # A made-up companyfacts file for Microsoft's CIK with one quarter only (value made up).
    quarter_only = {"cik": 789019, "entityName": "MICROSOFT CORP", "facts": {"us-gaap": {"Revenues": {"units": {
        "USD": [fact("2025-10-01", "2025-12-31", 1, "0000789019-26-000001", "10-Q", "2026-01-28")]}}}}}
    settings = settings_in(tmp_path)
    store_companyfacts(settings, 789019, json.dumps(quarter_only).encode())
    load_companies(settings, [("MSFT", 789019)])

    def naming():
        con = duckdb.connect(str(settings.db_path), read_only=True)
        try:
            return rows(con, "SELECT fiscal_year, fiscal_quarter, fiscal_year_basis, calendar_year, calendar_quarter "
                             "FROM marts.company_financials WHERE cik = 789019")
        finally:
            con.close()

    assert naming() == [(None, None, "unknown", 2025, 4)]  # no guess: the fiscal year stays unknown
    spec = submissions_source(Company("MSFT", 789019, ()), settings)
    SnapshotStore(settings.data_dir).put(spec.name, spec.url,
                                         (sec_fixtures / "submissions" / "CIK0000789019.json").read_bytes(),
                                         suffix=".json", licence="test", origin="live")
    run = RunRecord(new_run_id(), "test", utc_now(), True)
    result = stage_source(spec, acquire(spec, SnapshotStore(settings.data_dir), None),
                          settings.data_dir / "runs" / run.run_id, run.run_id, set())
    assert result.status == "staged" and result.rows_valid == 1
    load_run(settings.db_path, run, [result])
    assert naming() == [(2026, 2, "submissions", 2025, 4)]  # June year end: Oct–Dec 2025 is FY2026 Q2
