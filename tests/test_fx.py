"""ECB reference rates: parsers, the stock/flow conversion rules, the schema and the mart views.

Expectations are computed from the real ECB CSV with the csv module, independently of pandas.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from datetime import date
from pathlib import Path
from statistics import fmean

import duckdb
import numpy as np
import pandas as pd
import pandera.errors
import pytest

from aipipe.sources import fx
from schemas import fx_rates as fx_schema
from tests.support.fx_oracle import FxRateMissing, FxTable

REPO = Path(__file__).resolve().parents[1]

DAILY_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
                 xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
  <Cube>
    <Cube time='2024-10-11'>
      <Cube currency='USD' rate='1.0938'/>
      <Cube currency='JPY' rate='162.94'/>
      <Cube currency='CNY' rate='7.7282'/>
    </Cube>
  </Cube>
</gesmes:Envelope>
"""

HIST_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
                 xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <Cube>
    <Cube time="2024-10-11">
      <Cube currency="USD" rate="1.0938"/><Cube currency="CNY" rate="7.7282"/>
    </Cube>
    <Cube time="2024-10-10"><Cube currency="USD" rate="1.0932"/></Cube>
  </Cube>
</gesmes:Envelope>
"""


@pytest.fixture(scope="module")
def hist_bytes(fx_fixtures: Path) -> bytes:
    return (fx_fixtures / "eurofxref-hist.csv").read_bytes()


@pytest.fixture(scope="module")
def csv_rows(hist_bytes: bytes) -> dict[date, dict[str, str]]:
    """The history CSV as {day: {currency: cell}}, read with the csv module only."""
    reader = csv.DictReader(io.StringIO(hist_bytes.decode("utf-8")))
    return {
        date.fromisoformat(row["Date"]): {k: v for k, v in row.items() if k and k != "Date"}
        for row in reader
    }


@pytest.fixture(scope="module")
def hist_frame(hist_bytes: bytes) -> pd.DataFrame:
    return fx.parse_hist_csv(hist_bytes)


@pytest.fixture(scope="module")
def table(hist_frame: pd.DataFrame) -> FxTable:
    return FxTable.from_frame(hist_frame)


def _cny_per_usd(row: dict[str, str]) -> float:
    return float(row["CNY"]) / float(row["USD"])


# --- parsers ------------------------------------------------------------------------------


def test_hist_csv_has_one_row_per_quoted_cell_and_none_for_na(hist_frame, csv_rows):
    quoted = sum(1 for row in csv_rows.values() for cell in row.values() if cell != "N/A")
    assert len(hist_frame) == quoted
    assert hist_frame["rate"].notna().all() and (hist_frame["rate"] > 0).all()
    cyp_quoted = sum(1 for row in csv_rows.values() if row["CYP"] != "N/A")
    assert (hist_frame["quote"] == "CYP").sum() == cyp_quoted
    # CYP is N/A on 2024-10-11 in the file: no row, rather than a NaN or a zero.
    assert csv_rows[date(2024, 10, 11)]["CYP"] == "N/A"
    last_day = hist_frame[hist_frame["rate_date"] == date(2024, 10, 11)]
    assert "CYP" not in set(last_day["quote"])


def test_hist_csv_columns_and_values(hist_frame, csv_rows):
    assert list(hist_frame.columns) == ["rate_date", "base", "quote", "rate", "source"]
    assert set(hist_frame["base"]) == {"EUR"}
    assert set(hist_frame["source"]) == {"ecb-eurofxref-hist"}
    assert isinstance(hist_frame["rate_date"].iloc[0], date)
    row = hist_frame[(hist_frame["rate_date"] == date(1999, 1, 4)) & (hist_frame["quote"] == "JPY")]
    assert row["rate"].item() == pytest.approx(float(csv_rows[date(1999, 1, 4)]["JPY"]))
    assert hist_frame["rate_date"].min() == min(csv_rows)
    assert hist_frame["rate_date"].max() == max(csv_rows)


def test_daily_csv_written_out_date_parses_and_agrees_with_history(fx_fixtures, hist_frame):
    daily = fx.parse_snapshot((fx_fixtures / "eurofxref.csv").read_bytes(), "eurofxref.csv")
    assert set(daily["rate_date"]) == {date(2024, 10, 11)}
    assert set(daily["source"]) == {"ecb-eurofxref-daily"}
    assert len(daily) == 30 and "" not in set(daily["quote"])
    same_day = hist_frame[hist_frame["rate_date"] == date(2024, 10, 11)]
    merged = daily.merge(same_day, on=["rate_date", "quote"], suffixes=("_daily", "_hist"))
    assert len(merged) == len(daily)
    assert np.allclose(merged["rate_daily"], merged["rate_hist"])


def test_daily_xml_parses_with_ecb_namespaces():
    rows = fx.parse_snapshot(DAILY_XML, fx.LIVE_URLS["daily_xml"])
    assert list(rows.columns) == ["rate_date", "base", "quote", "rate", "source"]
    assert rows.to_dict("records") == [
        {
            "rate_date": date(2024, 10, 11),
            "base": "EUR",
            "quote": q,
            "rate": r,
            "source": "ecb-eurofxref-daily",
        }
        for q, r in [("CNY", 7.7282), ("JPY", 162.94), ("USD", 1.0938)]
    ]


def test_hist_xml_keeps_each_rate_with_its_own_day():
    rows = fx.parse_snapshot(
        HIST_XML, "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.xml"
    )
    assert set(rows["source"]) == {"ecb-eurofxref-hist"}
    got = {(r.rate_date, r.quote): r.rate for r in rows.itertuples()}
    assert got == {
        (date(2024, 10, 10), "USD"): 1.0932,
        (date(2024, 10, 11), "CNY"): 7.7282,
        (date(2024, 10, 11), "USD"): 1.0938,
    }


def test_zip_snapshot_reads_csv_member_from_bytes(hist_bytes, hist_frame):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("eurofxref-hist.csv", hist_bytes)
    # Snapshots are stored under their checksum: the label must come from the zip member.
    rows = fx.parse_snapshot(buffer.getvalue(), "3f2a9c.zip")
    pd.testing.assert_frame_equal(rows, hist_frame)


def test_malformed_rate_names_the_source_and_value():
    bad = b"Date,USD,\n2024-10-11,1.09x,\n"
    with pytest.raises(ValueError, match=r"ecb-eurofxref-hist: non-numeric rate '1.09x'"):
        fx.parse_hist_csv(bad)


def test_live_urls_and_licence():
    assert (
        fx.LIVE_URLS["hist_zip"] == "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"
    )
    assert fx.LIVE_URLS["daily_xml"] == (
        "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
    )
    assert "European Central Bank" in fx.LICENCE and "acknowledged" in fx.LICENCE


# --- stock rule ---------------------------------------------------------------------------


def test_cny_per_usd_on_a_day_is_cny_column_over_usd_column(table, csv_rows):
    used = table.rate_on("CNY", "USD", date(2024, 10, 11))
    assert used.rate == pytest.approx(_cny_per_usd(csv_rows[date(2024, 10, 11)]), rel=1e-12)
    assert used.rate_date == date(2024, 10, 11)
    assert used.method == "ecb_daily_on_or_before"


def test_stock_on_a_weekend_uses_the_last_business_day_before(table, csv_rows):
    sunday = date(2023, 12, 31)
    assert sunday.weekday() == 6 and sunday not in csv_rows
    used = table.rate_on("CNY", "USD", sunday)
    assert used.rate_date == date(2023, 12, 29)  # the Friday
    assert used.rate == pytest.approx(_cny_per_usd(csv_rows[date(2023, 12, 29)]), rel=1e-12)


def test_stock_after_the_series_end_is_stale_not_carried_forward(table):
    assert table.rate_on("CNY", "USD", date(2024, 10, 18)).rate_date == date(2024, 10, 11)
    with pytest.raises(FxRateMissing, match=r"2024-10-11.*refresh the ECB snapshot"):
        table.rate_on("CNY", "USD", date(2024, 10, 19))


def test_date_before_the_series_is_a_clear_error(table):
    assert issubclass(FxRateMissing, LookupError)
    with pytest.raises(FxRateMissing, match=r"1998-12-31.*before the series.*1999-01-04"):
        table.rate_on("USD", "EUR", date(1998, 12, 31))
    # CNY joined the ECB list later than USD: the pair starts when both are quoted.
    with pytest.raises(FxRateMissing, match=r"CNY quoted 2005-04-01"):
        table.rate_on("CNY", "USD", date(1998, 12, 31))


def test_unknown_currency_is_a_clear_error(table):
    with pytest.raises(FxRateMissing, match=r"XYZ is not in the ECB reference rates"):
        table.rate_on("XYZ", "USD", date(2024, 10, 11))
    with pytest.raises(FxRateMissing, match=r"XYZ"):
        table.convert(1.0, "XYZ", "USD", kind="stock", day=date(2024, 10, 11))


def test_dropped_currency_works_within_its_coverage_and_fails_after(table, csv_rows):
    last_cyp = max(d for d, row in csv_rows.items() if row["CYP"] != "N/A")
    assert last_cyp == date(2007, 12, 31)  # Cyprus adopted the euro on 2008-01-01
    used = table.rate_on("CYP", "EUR", last_cyp)
    assert used.rate == pytest.approx(float(csv_rows[last_cyp]["CYP"]))
    with pytest.raises(FxRateMissing, match=r"stopped quoting CYP.*2007-12-31|2007-12-31.*CYP"):
        table.rate_on("CYP", "EUR", date(2024, 10, 11))


# --- flow rule ----------------------------------------------------------------------------


def test_2023_average_is_over_business_days_in_the_file(table, csv_rows):
    days_2023 = sorted(d for d, row in csv_rows.items() if d.year == 2023 and row["CNY"] != "N/A")
    used = table.average_rate("CNY", "USD", date(2023, 1, 1), date(2023, 12, 31))
    assert used.rate == pytest.approx(fmean(_cny_per_usd(csv_rows[d]) for d in days_2023))
    assert used.n_days == len(days_2023)
    assert all(d.weekday() < 5 for d in days_2023)  # no weekends in what was averaged
    # Fewer than the weekdays of 2023: TARGET holidays are absent too, not filled in.
    assert used.n_days < int(np.busday_count("2023-01-01", "2024-01-01"))
    assert (used.rate_start, used.rate_end) == (days_2023[0], days_2023[-1])
    assert used.method == "ecb_period_average"


def test_flow_past_the_end_of_the_series_says_so(table):
    with pytest.raises(FxRateMissing, match=r"series ends 2024-10-11, before the period"):
        table.average_rate("CNY", "USD", date(2024, 1, 1), date(2024, 12, 31))
    with pytest.raises(FxRateMissing, match=r"no CNY per USD rates in 1990-01-01\.\.1990-12-31"):
        table.average_rate("CNY", "USD", date(1990, 1, 1), date(1990, 12, 31))


def test_flow_across_a_long_gap_in_a_series_is_refused(table):
    # The ECB suspended ISK quotes after 2008-12-09 (resumed in 2018).
    with pytest.raises(FxRateMissing, match=r"ISK per EUR .*-day gap from 2008-12-09"):
        table.average_rate("ISK", "EUR", date(2008, 6, 1), date(2009, 12, 31))


# --- convert ------------------------------------------------------------------------------


def test_identity_conversion_is_the_only_rate_of_one(table):
    same = table.convert(
        250.0, "USD", "USD", kind="flow", start=date(2024, 1, 1), end=date(2024, 12, 31)
    )
    assert (same.amount_converted, same.rate, same.method) == (250.0, 1.0, "identity")
    assert same.n_days == 0 and same.rate_date is None


def test_flow_conversion_of_2024_usd_to_cny_records_method_and_dates(table, csv_rows):
    days = sorted(
        d for d in csv_rows if date(2024, 1, 1) <= d <= date(2024, 6, 30) and d.weekday() < 5
    )
    expected_rate = fmean(_cny_per_usd(csv_rows[d]) for d in days)
    got = table.convert(
        1_000.0, "USD", "CNY", kind="flow", start=date(2024, 1, 1), end=date(2024, 6, 30)
    )
    assert (got.from_ccy, got.to_ccy, got.kind) == ("USD", "CNY", "flow")
    assert got.method == "ecb_period_average"
    assert (got.rate_start, got.rate_end, got.n_days) == (days[0], days[-1], len(days))
    assert got.rate == pytest.approx(expected_rate)
    assert got.amount_converted == pytest.approx(1_000.0 * expected_rate)
    assert got.rate_date is None


def test_stock_conversion_crosses_via_eur(table, csv_rows):
    row = csv_rows[date(2024, 10, 11)]
    got = table.convert(1_000.0, "CNY", "USD", kind="stock", day=date(2024, 10, 13))
    assert got.rate == pytest.approx(float(row["USD"]) / float(row["CNY"]))
    assert got.rate_date == date(2024, 10, 11) and got.method == "ecb_daily_on_or_before"


def test_convert_rejects_arguments_that_do_not_fit_the_kind(table):
    with pytest.raises(ValueError, match="stock"):
        table.convert(1.0, "USD", "CNY", kind="stock", start=date(2024, 1, 1))
    with pytest.raises(ValueError, match="flow"):
        table.convert(1.0, "USD", "CNY", kind="flow", day=date(2024, 1, 1))
    with pytest.raises(ValueError, match="kind must be"):
        table.convert(1.0, "USD", "CNY", kind="average", day=date(2024, 1, 1))  # type: ignore[arg-type]


# --- schema and warehouse -----------------------------------------------------------------


def test_schema_accepts_parsed_rows_and_rejects_bad_ones(hist_frame):
    assert fx_schema.TABLE == "staging.fx_rates"
    assert fx_schema.KEY == ["rate_date", "base", "quote"] and fx_schema.DISPOSITION == "merge"
    fx_schema.Model.validate(hist_frame, lazy=True)
    bad = hist_frame.head(4).copy()
    bad.loc[0, "rate"] = math.inf
    bad.loc[1, "quote"] = "usd"
    bad.loc[2, "quote"] = "EUR"
    bad = pd.concat([bad, bad.tail(1)], ignore_index=True)
    with pytest.raises(pandera.errors.SchemaErrors) as caught:
        fx_schema.Model.validate(bad, lazy=True)
    checks = set(caught.value.failure_cases["check"].astype(str))
    assert {"rate_is_finite", "quote_differs_from_base", "multiple_fields_uniqueness"} <= checks
    assert any(check.startswith("str_matches") for check in checks)


def test_duckdb_staging_table_and_cny_per_usd_views(hist_bytes, hist_frame, table, csv_rows):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts;")
    con.execute((REPO / "warehouse/staging/fx_rates.sql").read_text())
    con.execute((REPO / "warehouse/marts/fx_cny_per_usd.sql").read_text())
    rows = hist_frame.assign(snapshot_sha256="sha-of-snapshot", run_id="run-test")  # noqa: F841
    con.execute("INSERT INTO staging.fx_rates SELECT * FROM rows")
    assert con.sql("SELECT count(*) FROM staging.fx_rates").fetchone()[0] == len(hist_frame)
    with pytest.raises(duckdb.ConstraintException):  # the key is enforced
        con.execute("INSERT INTO staging.fx_rates SELECT * FROM rows LIMIT 1")

    daily = con.sql(
        "SELECT cny_per_usd FROM marts.fx_cny_per_usd WHERE rate_date = DATE '2024-10-11'"
    ).fetchone()[0]
    assert daily == pytest.approx(_cny_per_usd(csv_rows[date(2024, 10, 11)]), rel=1e-12)
    first_day = con.sql("SELECT min(rate_date) FROM marts.fx_cny_per_usd").fetchone()[0]
    assert first_day == date(2005, 4, 1)

    yearly = (
        con.sql(
            "SELECT year, cny_per_usd_avg, n_days, is_partial_year FROM marts.fx_cny_per_usd_yearly"
        )
        .df()
        .set_index("year")
    )
    avg_2023 = table.average_rate("CNY", "USD", date(2023, 1, 1), date(2023, 12, 31))
    assert yearly.loc[2023, "cny_per_usd_avg"] == pytest.approx(avg_2023.rate, rel=1e-12)
    assert yearly.loc[2023, "n_days"] == avg_2023.n_days
    assert not yearly.loc[2023, "is_partial_year"]
    assert yearly.loc[2024, "is_partial_year"] and yearly.loc[2005, "is_partial_year"]
