"""The SQL conversion rules (warehouse/staging/fx_rules.sql) agree with tests.support.fx_oracle on the
real ECB history, and the FX source loads through the refresh pipeline from a stored snapshot."""

from __future__ import annotations

import duckdb
import pytest

from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import SnapshotStore, utc_now
from aipipe.ingest.stage import stage_source
from aipipe.sources.base import acquire
from aipipe.sources.fx import ecb_sources, parse_snapshot
from aipipe.warehouse.ledger import RunRecord
from aipipe.warehouse.load import load_run
from tests.support.fx_oracle import FxRateMissing, FxTable
from tests.support.warehouse import settings_in


@pytest.fixture(scope="module")
def fx_warehouse(tmp_path_factory, fx_fixtures):
    settings = settings_in(tmp_path_factory.mktemp("fx"))
    content = (fx_fixtures / "eurofxref-hist.csv").read_bytes()
    hist = next(s for s in ecb_sources(settings) if s.name == "fx:ecb-hist")
    SnapshotStore(settings.data_dir).put(hist.name, hist.url, content, suffix=".csv", licence="test")
    run = RunRecord(new_run_id(), "test", utc_now(), True)
    result = stage_source(hist, acquire(hist, SnapshotStore(settings.data_dir), None),
                          settings.data_dir / "runs" / run.run_id, run.run_id, set())
    assert result.status == "staged", result.message
    load_run(settings.db_path, run, [result])
    con = duckdb.connect(str(settings.db_path), read_only=True)
    yield con, FxTable.from_frame(parse_snapshot(content, "eurofxref-hist.csv"))
    con.close()


@pytest.mark.parametrize("start,end", [("2023-01-01", "2023-12-31"), ("2022-04-01", "2022-06-30"),
                                       ("2019-02-01", "2019-04-30")])
def test_flow_rule_sql_equals_python(fx_warehouse, start, end):
    con, table = fx_warehouse
    rate, n_days, first, last, method = con.execute(
        "SELECT * FROM fx_flow_rate('CNY', 'USD', ?::DATE, ?::DATE)", [start, end]).fetchall()[0]
    expected = table.average_rate("CNY", "USD", start, end)
    assert method == expected.method == "ecb_period_average"
    assert rate == pytest.approx(expected.rate, rel=1e-12)
    assert (n_days, first, last) == (expected.n_days, expected.rate_start, expected.rate_end)


@pytest.mark.parametrize("day", ["2024-10-13", "2023-12-25", "2020-03-02"])
def test_stock_rule_sql_equals_python(fx_warehouse, day):
    con, table = fx_warehouse
    rate, rate_date, method = con.execute("SELECT * FROM fx_stock_rate('CNY', 'USD', ?::DATE)", [day]).fetchall()[0]
    expected = table.rate_on("CNY", "USD", day)
    assert (rate, rate_date, method) == (pytest.approx(expected.rate, rel=1e-12), expected.rate_date, expected.method)


def test_missing_rates_are_null_with_a_reason_in_sql_and_an_error_in_python(fx_warehouse):
    con, table = fx_warehouse
    sql = "SELECT * FROM fx_flow_rate('CNY', 'USD', DATE '2025-01-01', DATE '2025-12-31')"
    rate, *_, method = con.execute(sql).fetchall()[0]
    assert rate is None and method.startswith("missing")
    with pytest.raises(FxRateMissing):
        table.average_rate("CNY", "USD", "2025-01-01", "2025-12-31")
    rate, _, method = con.execute("SELECT * FROM fx_stock_rate('CNY', 'USD', DATE '1998-06-01')").fetchall()[0]
    assert rate is None and method.startswith("missing")


def test_identity_is_the_only_rate_of_one(fx_warehouse):
    con, _ = fx_warehouse
    sql = "SELECT rate, method FROM fx_flow_rate('USD', 'USD', DATE '2030-01-01', DATE '2030-12-31')"
    assert con.execute(sql).fetchall() == [(1.0, "identity")]
