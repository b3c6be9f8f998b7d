"""The China-vs-US marts on a real warehouse: real ECB rates, real Snowflake filings, the seed and
the article. Both currencies, the rate and method per row, article-only figures marked as such,
and missing rates left missing with a reason."""

from __future__ import annotations

import duckdb
import pytest

from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import SnapshotStore, utc_now
from aipipe.ingest.stage import stage_source
from aipipe.sources.article.source import article_sources
from aipipe.sources.base import acquire
from aipipe.sources.figures import registry_source
from aipipe.sources.fx import ecb_sources, parse_snapshot
from aipipe.sources.sec.companyfacts import company_source
from aipipe.sources.sec.watchlist import Company
from aipipe.warehouse.ledger import RunRecord
from aipipe.warehouse.load import load_run
from tests.support.fx_oracle import FxTable
from tests.support.warehouse import settings_in, store_companyfacts

COMPANIES = [("META", 1326801, "hyperscalers"), ("MSFT", 789019, "hyperscalers"), ("GOOGL", 1652044, "hyperscalers"),
             ("AMZN", 1018724, "hyperscalers"), ("SNOW", 1640147, "us_app_software")]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, seed_article, fx_fixtures, sec_fixtures):
    settings = settings_in(tmp_path_factory.mktemp("cn_us"), article_source=str(seed_article))
    store = SnapshotStore(settings.data_dir)
    fx_csv = (fx_fixtures / "eurofxref-hist.csv").read_bytes()
    hist = next(s for s in ecb_sources(settings) if s.name == "fx:ecb-hist")
    store.put(hist.name, hist.url, fx_csv, suffix=".csv", licence="test")
    store_companyfacts(settings, 1640147, (sec_fixtures / "companyfacts" / "CIK0001640147.json").read_bytes())
    specs = [hist, registry_source(), *article_sources(settings)]
    specs += [company_source(Company(t, c, (basket,)), settings) for t, c, basket in COMPANIES]
    run = RunRecord(new_run_id(), "test", utc_now(), True)
    results = [stage_source(s, acquire(s, store, None), settings.data_dir / "runs" / run.run_id, run.run_id, set())
               for s in specs]
    assert all(r.status == "staged" for r in results), [(r.source, r.message) for r in results]
    load_run(settings.db_path, run, results)
    con = duckdb.connect(str(settings.db_path), read_only=True)
    yield con, FxTable.from_frame(parse_snapshot(fx_csv, "eurofxref-hist.csv"))
    con.close()


def test_capex_table_has_both_currencies_with_the_rate_used(warehouse):
    con, fx = warehouse
    row = con.execute("SELECT capex_usd, capex_cny, cny_per_usd, fx_method, fx_rate_start, fx_rate_end "
                      "FROM marts.ai_capex_us_vs_china WHERE year = 2023 AND basis = 'sourced: SEC 10-K'").fetchall()[0]
    usd, cny, rate, method, start, end = row
    expected = fx.average_rate("CNY", "USD", "2023-01-01", "2023-12-31")
    assert method == "ecb_period_average" and rate == pytest.approx(expected.rate)
    assert (start, end) == (expected.rate_start, expected.rate_end)
    assert cny == pytest.approx(usd * expected.rate)


def test_missing_rates_stay_missing_with_a_reason(warehouse):
    con, _ = warehouse
    rows = con.execute("SELECT capex_usd, capex_cny, cny_per_usd, fx_method FROM marts.ai_capex_us_vs_china "
                       "WHERE year = 2025").fetchall()
    assert rows
    for usd, cny, rate, method in rows:
        # The ECB fixture ends in October 2024: no 2025 average exists, and no 1.0 is invented.
        assert rate is None and method.startswith("missing")
        assert (usd is None) != (cny is None)


def test_china_side_is_computed_from_members_beside_the_article(warehouse):
    con, _ = warehouse
    china = con.execute("SELECT basis, value_cny, value_usd, source, source_tier, members_missing "
                        "FROM marts.china_us_app_financials WHERE side = 'China' AND period = '2024' "
                        "AND metric = 'revenue' ORDER BY basis").fetchall()
    assert [row[0][:7] for row in china] == ["article", "sourced"]
    article, computed = china
    assert article[1] == 76.8e9 and ("Hualong" in article[3] or "华龙" in article[3])
    members = con.execute("SELECT sum(value) FROM staging.reported_figures WHERE source_rank = 1 "
                          "AND metric = 'revenue' AND currency = 'CNY' AND period_start = DATE '2024-01-01' "
                          "AND period_end = DATE '2024-12-31' "
                          "AND ticker IN (SELECT code FROM staging.ashare_basket)").fetchall()[0][0]
    assert computed[1] == pytest.approx(members) and computed[4] == "secondary"
    assert computed[0].startswith("sourced: computed (") and computed[5] == []
    assert article[2] is None and computed[2] is None  # the ECB fixture does not cover all of 2024


def test_china_capex_from_company_results_beside_the_estimates(warehouse):
    con, _ = warehouse
    rows = con.execute("SELECT year, basis, capex_cny, complete, source_tier FROM marts.ai_capex_us_vs_china "
                       "WHERE series LIKE 'China big tech%' ORDER BY year").fetchall()
    assert [(r[0], r[3]) for r in rows] == [(2024, True), (2025, False)]
    totals = dict(con.execute("SELECT calendar_year, capex_cny FROM marts.china_big_tech_capex "
                              "WHERE row_type = 'total'").fetchall())
    assert rows[0][2] == totals[2024] and rows[1][2] == totals[2025]
    # 2024 is each company's stated full year; 2025 the quarters stated so far (flagged partial).
    stated = con.execute("SELECT sum(value) FROM staging.reported_figures WHERE source_rank = 1 AND metric = 'capex' "
                         "AND entity IN ('Alibaba', 'Tencent') AND period_start = DATE '2024-01-01' "
                         "AND period_end = DATE '2024-12-31'").fetchall()[0][0]
    assert totals[2024] == pytest.approx(stated)
    assert rows[1][1] == "sourced: company results (partial year)"
    capex = con.execute("SELECT basis, capex_cny, source_tier FROM marts.ai_capex_us_vs_china "
                        "WHERE series LIKE 'China AI industry%'").fetchall()
    assert capex and all(basis.startswith("sourced") for basis, _, _ in capex)


def test_us_basket_rows_name_their_members_and_rates(warehouse):
    con, fx = warehouse
    rows = con.execute("SELECT value_usd, value_cny, cny_per_usd, fx_method, members_present, members_missing "
                       "FROM marts.china_us_app_financials WHERE side = 'US' AND period = '2024Q1' "
                       "AND metric = 'revenue'").fetchall()
    usd, cny, rate, method, present, missing = rows[0]
    assert "SNOW" in present and "CRM" not in present and "CRM" in missing
    expected = fx.average_rate("CNY", "USD", "2024-01-01", "2024-03-31")
    assert method == "ecb_period_average" and rate == pytest.approx(expected.rate)
    assert cny == pytest.approx(usd * expected.rate)


def test_money_columns_say_their_currency(warehouse):
    con, _ = warehouse
    for view in ("ai_capex_us_vs_china", "china_us_app_financials"):
        columns = [r[0] for r in con.execute(f"DESCRIBE marts.{view}").fetchall()]
        money = [c for c in columns if c.startswith(("capex", "value")) and c != "value_percent"]
        assert money and all(c.endswith(("_usd", "_cny")) for c in money), (view, money)


def test_a_partial_basket_is_never_compared_with_the_article(warehouse):
    con, _ = warehouse
    # Snowflake's filings and the registry's statements, without the other XBRL members: the basket
    # total is not complete, so the article's US figures stay unsourced instead of "differing".
    rows = con.execute("SELECT metric, status FROM marts.claim_check "
                       "WHERE entity LIKE 'US application software%' ORDER BY metric").fetchall()
    assert rows == [("growth_yoy", "unsourced"), ("operating_margin", "unsourced"), ("revenue", "unsourced")]
    assert con.execute("SELECT count(*) FROM marts.sourced_figures WHERE entity LIKE 'US application software%'"
                       ).fetchall() == [(0,)]
