"""marts.company_financials and marts.big_tech_capex on real SEC companyfacts (Alphabet, Snowflake):
period classification, dedup, tag priority per period, fiscal-year naming."""

from __future__ import annotations

import duckdb
import pytest

from tests.support.warehouse import load_companies, settings_in, store_companyfacts


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, sec_fixtures):
    tmp = tmp_path_factory.mktemp("cf")
    settings = settings_in(tmp)
    store_companyfacts(settings, 1652044, (sec_fixtures / "companyfacts" / "CIK0001652044.json").read_bytes())
    store_companyfacts(settings, 1640147, (sec_fixtures / "companyfacts" / "CIK0001640147.json").read_bytes())
    _, outcome, results = load_companies(settings, [("GOOGL", 1652044), ("SNOW", 1640147)])
    assert [r.status for r in results] == ["staged", "staged"], [r.message for r in results]
    con = duckdb.connect(str(settings.db_path), read_only=True)
    yield con
    con.close()


def one(con, sql, *params):
    rows = con.execute(sql, list(params)).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def test_alphabet_revenue_follows_the_2025_tag_switch(warehouse):
    fy2024 = one(warehouse, "SELECT value_usd, concept FROM marts.company_financials WHERE ticker='GOOGL' "
                 "AND metric='revenue' AND period_type='FY' AND fiscal_year=2024")
    fy2025 = one(warehouse, "SELECT value_usd, concept FROM marts.company_financials WHERE ticker='GOOGL' "
                 "AND metric='revenue' AND period_type='FY' AND fiscal_year=2025")
    assert fy2024 == (350_018_000_000, "RevenueFromContractWithCustomerExcludingAssessedTax")
    assert fy2025 == (402_836_000_000, "Revenues")


def test_alphabet_capex(warehouse):
    value, form = one(warehouse, "SELECT value_usd, form FROM marts.company_financials WHERE ticker='GOOGL' "
                      "AND metric='capex' AND period_type='FY' AND fiscal_year=2024")
    assert value == 52_535_000_000 and form == "10-K"


def test_one_row_per_company_metric_period(warehouse):
    dupes = warehouse.execute("SELECT cik, metric, period_start, period_end, count(*) FROM marts.company_financials "
                              "GROUP BY ALL HAVING count(*) > 1").fetchall()
    assert dupes == []


def test_periods_are_classified_by_length_not_fy_fp(warehouse):
    rows = warehouse.execute("SELECT period_type, min(period_days), max(period_days) FROM marts.company_financials "
                             "GROUP BY 1").fetchall()
    bounds = {t: (lo, hi) for t, lo, hi in rows}
    assert 80 <= bounds["Q"][0] and bounds["Q"][1] <= 100
    assert 350 <= bounds["FY"][0] and bounds["FY"][1] <= 380
    # Q2 10-Qs report year-to-date six months too: those are 'H', never a quarter.
    assert "H" in bounds and 170 <= bounds["H"][0]


def test_periodic_forms_win_over_8k(warehouse):
    # Alphabet's FY2013 revenue appears in a 10-K and again in an 8-K filed later; the 10-K wins.
    form = one(warehouse, "SELECT form FROM marts.company_financials WHERE ticker='GOOGL' AND metric='revenue' "
               "AND period_start='2013-01-01' AND period_end='2013-12-31'")[0]
    assert form.startswith("10-K")


def test_latest_filed_version_wins_and_first_filed_is_kept(warehouse):
    rows = warehouse.execute("SELECT filed, as_reported_filed FROM marts.company_financials "
                             "WHERE ticker='GOOGL' AND period_type='FY'").fetchall()
    assert rows and all(filed >= first for filed, first in rows)
    later = one(warehouse, "SELECT filed, as_reported_filed FROM marts.company_financials WHERE ticker='GOOGL' "
                "AND metric='revenue' AND fiscal_year=2022 AND period_type='FY'")
    assert str(later[1]) == "2023-02-03" and later[0] > later[1]


def test_snowflake_fiscal_year_ends_in_january(warehouse):
    fy = one(warehouse, "SELECT period_start, period_end FROM marts.company_financials WHERE ticker='SNOW' "
             "AND metric='revenue' AND period_type='FY' AND fiscal_year=2025")
    assert str(fy[0]) == "2024-02-01" and str(fy[1]) == "2025-01-31"
    q1 = one(warehouse, "SELECT value_usd, fiscal_year, calendar_year, calendar_quarter FROM marts.company_financials "
             "WHERE ticker='SNOW' AND metric='revenue' AND period_type='Q' AND period_end='2025-04-30'")
    assert q1 == (1_042_074_000, 2026, 2025, 1)


def test_big_tech_capex_lists_the_loaded_hyperscaler(warehouse):
    rows = warehouse.execute("SELECT fiscal_year, capex_usd, revenue_usd, capex_accession FROM marts.big_tech_capex "
                             "WHERE ticker='GOOGL' AND fiscal_year BETWEEN 2022 AND 2025 ORDER BY 1").fetchall()
    assert [r[0] for r in rows] == [2022, 2023, 2024, 2025]
    assert rows[2][1] == 52_535_000_000 and rows[2][2] == 350_018_000_000
    assert all(r[3] for r in rows)
