"""marts.us_app_software_quarterly for calendar Q1 2025, from the real Snowflake companyfacts plus
the seed (which holds no other member: they must be listed as missing, never filled in)."""

from __future__ import annotations

import json

import duckdb
import pytest

from aipipe.sources.sec.parse import parse_companyfacts
from aipipe.sources.sec.watchlist import load_watchlist
from tests.support.warehouse import load_companies, settings_in, store_companyfacts


def basket():
    watchlist = load_watchlist()
    return [(t, watchlist.configured[t]) for t in watchlist.members("us_app_software")]


def snowflake_quarter(sec_fixtures, concept, start, end):
    """The latest-filed value of one Snowflake quarter, read from the real file by hand."""
    facts = [f for f in parse_companyfacts([sec_fixtures / "companyfacts" / "CIK0001640147.json"]).to_pylist()
             if f["concept"] == concept and str(f["period_start"]) == start and str(f["period_end"]) == end]
    return max(facts, key=lambda f: (f["filed"], f["accession"]))["value"]


@pytest.fixture(scope="module")
def mart(tmp_path_factory, sec_fixtures):
    settings = settings_in(tmp_path_factory.mktemp("basket"))
    store_companyfacts(settings, 1640147, (sec_fixtures / "companyfacts" / "CIK0001640147.json").read_bytes())
    _, _, results = load_companies(settings, basket())
    origins = {r.source: (r.origin, r.status) for r in results}
    assert origins["sec:CIK0001640147"] == ("local", "staged")
    assert {status for source, (_, status) in origins.items() if source != "sec:CIK0001640147"} == {"missing"}
    con = duckdb.connect(str(settings.db_path), read_only=True)
    yield con
    con.close()


def cy2025_q1(con, row_type):
    cursor = con.execute("SELECT * FROM marts.us_app_software_quarterly WHERE calendar_year = 2025 "
                         "AND calendar_quarter = 1 AND row_type = ? ORDER BY ticker", [row_type])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_members_and_their_calendar_aligned_quarters(mart, sec_fixtures):
    members = cy2025_q1(mart, "member")
    assert [m["ticker"] for m in members] == ["SNOW"]
    snow = members[0]
    # Snowflake's fiscal Q1 FY2026 (Feb–Apr 2025) lines up with calendar Q1 2025.
    assert (str(snow["period_start"]), str(snow["period_end"]), snow["fiscal_year"], snow["fiscal_quarter"]) == (
        "2025-02-01", "2025-04-30", 2026, 1)
    revenue = snowflake_quarter(sec_fixtures, "RevenueFromContractWithCustomerExcludingAssessedTax",
                                "2025-02-01", "2025-04-30")
    operating = snowflake_quarter(sec_fixtures, "OperatingIncomeLoss", "2025-02-01", "2025-04-30")
    assert snow["revenue_usd"] == revenue and snow["operating_income_usd"] == operating
    assert snow["operating_margin"] == pytest.approx(operating / revenue)
    assert snow["revenue_accession"] and not snow["derived"]


def test_total_lists_present_and_missing_members_and_compares_like_with_like(mart, sec_fixtures):
    (total,) = cy2025_q1(mart, "total")
    revenue = snowflake_quarter(sec_fixtures, "RevenueFromContractWithCustomerExcludingAssessedTax",
                                "2025-02-01", "2025-04-30")
    prior = snowflake_quarter(sec_fixtures, "RevenueFromContractWithCustomerExcludingAssessedTax",
                              "2024-02-01", "2024-04-30")
    operating = snowflake_quarter(sec_fixtures, "OperatingIncomeLoss", "2025-02-01", "2025-04-30")
    assert total["members_present"] == ["SNOW"]
    assert total["members_missing"] == [t for t, _ in basket() if t != "SNOW"]
    assert total["members_in_basket"] == len(basket())
    assert total["revenue_usd"] == revenue
    assert total["operating_margin"] == pytest.approx(operating / revenue)
    assert total["operating_margin_simple_avg"] == pytest.approx(operating / revenue)
    assert total["yoy_members"] == ["SNOW"] and total["revenue_yoy_growth"] == pytest.approx(revenue / prior - 1)
    assert "same 1 member(s) in CY2025 Q1 and CY2024 Q1: SNOW" in total["yoy_basis"]


def test_yoy_never_compares_different_member_sets(tmp_path, sec_fixtures):
    # Seed only: Snowflake's Q1 of both years; a made-up second member present only in 2025
    # must be left out of the growth figure (and said so).
    settings = settings_in(tmp_path)
    newcomer = {"cik": 1108524, "entityName": "made-up newcomer", "facts": {"us-gaap": {"Revenues": {"units": {"USD": [
        {"start": "2025-01-01", "end": "2025-03-31", "val": 500, "accn": "0009999999-25-000001", "fy": 2025,
         "fp": "Q1", "form": "10-Q", "filed": "2025-05-01"}]}}}}}
    store_companyfacts(settings, 1108524, json.dumps(newcomer).encode())
    load_companies(settings, [("SNOW", 1640147), ("CRM", 1108524)])
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        (total,) = cy2025_q1(con, "total")
        snow = {m["ticker"]: m for m in cy2025_q1(con, "member")}["SNOW"]
    finally:
        con.close()
    assert total["members_present"] == ["CRM", "SNOW"] and total["yoy_members"] == ["SNOW"]
    assert total["revenue_usd"] == snow["revenue_usd"] + 500
    assert total["revenue_yoy_growth"] == pytest.approx(snow["revenue_yoy_growth"])
    assert "excluded, no prior-year quarter: CRM" in total["yoy_basis"]
    # The seed has no full-year Snowflake facts: the fiscal year is unknown, the calendar quarter is not.
    assert (snow["fiscal_year"], snow["period_end"].isoformat()) == (None, "2025-04-30")
