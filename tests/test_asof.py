"""As-of: the values known on a date, by filing date. Meta's FY2022 capex was restated in its
FY2024 10-K (the seed keeps every version SEC's companyfacts holds, each with its accession)."""

from __future__ import annotations

import csv
import gzip
import io

import duckdb
import pytest

from aipipe.cli import main
from aipipe.settings import SEED_DIR
from aipipe.warehouse.asof import AsOfError, financials_as_of, mart_as_of
from tests.support.warehouse import load_companies, settings_in


def meta_capex_fy2022_versions():
    """(filed, value) of the first-filed seed version of Meta's FY2022 capex, and of the first
    version that restated it."""
    text = gzip.decompress((SEED_DIR / "sec_facts.csv.gz").read_bytes()).decode()
    versions = sorted((r["filed"], float(r["value"])) for r in csv.DictReader(io.StringIO(text))
                      if r["cik"] == "1326801" and r["concept"] == "PaymentsToAcquirePropertyPlantAndEquipment"
                      and r["period_start"] == "2022-01-01" and r["period_end"] == "2022-12-31")
    first = versions[0]
    return [first, next(v for v in versions if v[1] != first[1])]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    settings = settings_in(tmp_path_factory.mktemp("asof"))
    load_companies(settings, [("META", 1326801), ("GOOGL", 1652044)])
    return settings


def test_the_seed_holds_a_restatement():
    versions = meta_capex_fy2022_versions()
    assert len(versions) == 2 and versions[0][1] != versions[1][1]


def capex_fy2022(frame):
    rows = frame[(frame.ticker == "META") & (frame.metric == "capex") & (frame.period_type == "FY")
                 & (frame.period_end.astype(str) == "2022-12-31")]
    return [(r.value_usd, r.as_reported_value_usd) for r in rows.itertuples()]


def test_financials_as_of_before_and_after_the_restatement(warehouse):
    (first_filed, as_reported), (restated_on, restated) = meta_capex_fy2022_versions()
    con = duckdb.connect(str(warehouse.db_path), read_only=True)
    try:
        assert capex_fy2022(financials_as_of(con, "2023-02-01")) == []  # before the 10-K
        assert capex_fy2022(financials_as_of(con, first_filed)) == [(as_reported, as_reported)]
        assert capex_fy2022(financials_as_of(con, "2025-01-29")) == [(as_reported, as_reported)]
        assert capex_fy2022(financials_as_of(con, restated_on)) == [(restated, as_reported)]
        # Today's mart is the as-of view of today.
        today = con.execute("SELECT value_usd FROM marts.company_financials WHERE ticker = 'META' "
                            "AND metric = 'capex' AND period_end = '2022-12-31'").fetchall()
        assert today == [(restated,)]
        with pytest.raises(AsOfError, match="YYYY-MM-DD"):
            financials_as_of(con, "last tuesday")
    finally:
        con.close()


def test_any_mart_as_of_a_date(warehouse):
    (_, as_reported), (restated_on, restated) = meta_capex_fy2022_versions()
    before = mart_as_of(warehouse.db_path, "big_tech_capex", "2025-01-29")
    after = mart_as_of(warehouse.db_path, "marts.big_tech_capex", restated_on)
    pick = "row_type == 'company' and ticker == 'META' and fiscal_year == 2022"
    assert before.query(pick).capex_usd.tolist() == [as_reported]
    assert after.query(pick).capex_usd.tolist() == [restated]
    # FY2024 was not filed yet on 2025-01-29.
    assert 2024 not in before.query("ticker == 'META'").fiscal_year.tolist()
    assert 2024 in after.query("ticker == 'META'").fiscal_year.tolist()


def test_table_command_as_of(warehouse, capsys):
    (_, as_reported), (restated_on, restated) = meta_capex_fy2022_versions()
    db = str(warehouse.db_path)
    assert main(["table", "big_tech_capex", "--db", db, "--as-of", "2025-01-29", "--format", "csv",
                 "--where", "ticker = 'META' AND fiscal_year = 2022"]) == 0
    out = capsys.readouterr().out
    assert f"{as_reported:.1f}" in out and f"{restated:.1f}" not in out
    assert main(["table", "big_tech_capex", "--db", db, "--where", "ticker = 'META' AND fiscal_year = 2022"]) == 0
    out = capsys.readouterr().out
    assert f"{restated:,.0f}" in out
    assert main(["table", "no_such_mart", "--db", db]) == 1
    assert "big_tech_capex" in capsys.readouterr().err
