"""A Chinese 20-F filer in CNY end to end, from the seed built from Alibaba's real companyfacts:
the CNY figure is kept (never the USD "convenience translation" the 20-F prints beside it),
converted at the ECB's mean rate over the fiscal year; and an IFRS 20-F filer through the
ifrs-full tags."""

from __future__ import annotations

import gzip

import duckdb
import pytest

from aipipe.settings import SEED_DIR
from aipipe.sources.fx import ecb_sources, parse_snapshot
from tests.support.fx_oracle import FxTable
from tests.support.warehouse import load_companies, settings_in

BABA, LPA = 1577552, 1997711


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    settings = settings_in(tmp_path_factory.mktemp("cny"))
    history = [s for s in ecb_sources(settings) if s.name == "fx:ecb-hist"]
    _, _, results = load_companies(settings, [("BABA", BABA), ("LPA", LPA)], extra=history)
    assert [(r.origin, r.status) for r in results] == [("seed", "staged")] * 3, [(r.source, r.message) for r in results]
    con = duckdb.connect(str(settings.db_path), read_only=True)
    yield con
    con.close()


def one(con, sql, params=()):
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    (row,) = cursor.fetchall()
    return dict(zip(names, row, strict=True))


def test_the_cny_figure_is_kept_and_the_convenience_translation_is_not_taken(warehouse):
    period = ("2024-04-01", "2025-03-31")  # Alibaba's fiscal 2025
    filed = warehouse.execute("SELECT unit, value FROM staging.sec_facts WHERE cik = ? AND concept = 'Revenues' "
                              "AND period_start = ? AND period_end = ? AND form = '20-F' GROUP BY ALL ORDER BY unit",
                              [BABA, *period]).fetchall()
    units = dict(filed)
    assert set(units) == {"CNY", "USD"}  # the 20-F states both: the USD one at a single fixed rate
    row = one(warehouse, "SELECT * FROM marts.company_financials WHERE cik = ? AND metric = 'revenue' "
                         "AND period_start = ? AND period_end = ?", [BABA, *period])
    assert (row["currency"], row["value"], row["value_usd"]) == ("CNY", units["CNY"], None)
    assert row["fiscal_year"] == 2025 and row["form"] == "20-F"


def test_cny_converts_at_the_ecb_mean_rate_of_the_fiscal_year(warehouse):
    fx = FxTable.from_frame(parse_snapshot(gzip.decompress((SEED_DIR / "fx_rates.csv.gz").read_bytes()),
                                           "eurofxref-hist.csv"))
    row = one(warehouse, "SELECT * FROM marts.china_big_tech_financials WHERE ticker = 'BABA' "
                         "AND metric = 'revenue' AND fiscal_year = 2025")
    expected = fx.average_rate("CNY", "USD", "2024-04-01", "2025-03-31")
    assert row["fx_method"] == "ecb_period_average" and row["original_per_usd"] == pytest.approx(expected.rate)
    assert row["value_usd"] == pytest.approx(row["value_cny"] / expected.rate)
    convenience = warehouse.execute("SELECT value FROM staging.sec_facts WHERE cik = ? AND concept = 'Revenues' "
                                    "AND unit = 'USD' AND period_end = DATE '2025-03-31'", [BABA]).fetchall()[0][0]
    assert row["value_usd"] != pytest.approx(convenience, rel=1e-3)
    assert row["accession"] and row["form"] == "20-F"


def test_an_ifrs_filer_reads_through_the_ifrs_tags(warehouse):
    row = one(warehouse, "SELECT * FROM marts.company_financials WHERE cik = ? AND metric = 'revenue' "
                         "AND period_type = 'FY' AND period_end = DATE '2024-12-31'", [LPA])
    fact = warehouse.execute("SELECT taxonomy, value FROM staging.sec_facts WHERE cik = ? AND concept = ? "
                             "AND period_end = DATE '2024-12-31' AND unit = 'USD' ORDER BY filed DESC LIMIT 1",
                             [LPA, row["concept"]]).fetchall()[0]
    assert fact[0] == "ifrs-full" and row["value_usd"] == fact[1] and row["currency"] == "USD"
