"""marts.us_app_software_quarterly for calendar Q1 2025: the real Snowflake companyfacts file, the
seed built from the other members' real files (a member without one is missing, never filled
in), and the companies' own earnings statements from the registry where no XBRL fact exists."""

from __future__ import annotations

import json
import tomllib

import duckdb
import pandas as pd
import pytest

from aipipe.ingest.seed_build import SEC_FILE
from aipipe.settings import SEED_DIR
from aipipe.sources.figures import REGISTRY_PATH, registry_source
from aipipe.sources.sec.parse import parse_companyfacts
from aipipe.sources.sec.watchlist import load_watchlist
from tests.support.warehouse import load_companies, settings_in, store_companyfacts


def basket():
    watchlist = load_watchlist()
    return [(t, watchlist.configured[t]) for t in watchlist.members("us_app_software")]


def in_seed():
    ciks = set(pd.read_csv(SEED_DIR / SEC_FILE, usecols=["cik"])["cik"])
    return {t for t, cik in basket() if cik in ciks}


def snowflake_quarter(sec_fixtures, concept, start, end):
    """The latest-filed value of one Snowflake quarter, read from the real file by hand."""
    facts = [f for f in parse_companyfacts([sec_fixtures / "companyfacts" / "CIK0001640147.json"]).to_pylist()
             if f["concept"] == concept and str(f["period_start"]) == start and str(f["period_end"]) == end]
    return max(facts, key=lambda f: (f["filed"], f["accession"]))["value"]


def cy2025_q1(con, row_type):
    cursor = con.execute("SELECT * FROM marts.us_app_software_quarterly WHERE calendar_year = 2025 "
                         "AND calendar_quarter = 1 AND row_type = ? ORDER BY ticker", [row_type])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def mart(tmp_path_factory, sec_fixtures):
    settings = settings_in(tmp_path_factory.mktemp("basket"))
    store_companyfacts(settings, 1640147, (sec_fixtures / "companyfacts" / "CIK0001640147.json").read_bytes())
    _, _, results = load_companies(settings, basket())
    origins = {r.source: (r.origin, r.status) for r in results}
    assert origins.pop("sec:CIK0001640147") == ("local", "staged")
    manifest = tomllib.loads((SEED_DIR / "MANIFEST.toml").read_text())
    missing = {f"sec:CIK{m['cik']:010d}" for m in manifest["missing"]}
    for source, (origin, status) in origins.items():
        assert (origin, status) == (("none", "missing") if source in missing else ("seed", "staged")), source
    con = duckdb.connect(str(settings.db_path), read_only=True)
    yield con
    con.close()


def test_members_and_their_calendar_aligned_quarters(mart, sec_fixtures):
    members = {m["ticker"]: m for m in cy2025_q1(mart, "member")}
    assert set(members) == in_seed() and len(members) >= 6
    snow = members["SNOW"]
    # Snowflake's fiscal Q1 FY2026 (Feb–Apr 2025) lines up with calendar Q1 2025.
    assert (str(snow["period_start"]), str(snow["period_end"]), snow["fiscal_year"], snow["fiscal_quarter"]) == (
        "2025-02-01", "2025-04-30", 2026, 1)
    revenue = snowflake_quarter(sec_fixtures, "RevenueFromContractWithCustomerExcludingAssessedTax",
                                "2025-02-01", "2025-04-30")
    operating = snowflake_quarter(sec_fixtures, "OperatingIncomeLoss", "2025-02-01", "2025-04-30")
    assert snow["revenue_usd"] == revenue and snow["operating_income_usd"] == operating
    assert snow["operating_margin"] == pytest.approx(operating / revenue)
    assert snow["revenue_accession"] and not snow["derived"]
    assert all(m["source_kind"] == "sec_xbrl" and m["source_tier"] == "primary" and m["revenue_accession"]
               for m in members.values())


def test_total_lists_present_and_missing_members_and_compares_like_with_like(mart):
    members = cy2025_q1(mart, "member")
    (total,) = cy2025_q1(mart, "total")
    present = sorted(m["ticker"] for m in members)
    assert total["members_present"] == present
    assert total["members_missing"] == [t for t, _ in basket() if t not in present]
    assert total["members_in_basket"] == len(basket())
    assert total["revenue_usd"] == pytest.approx(sum(m["revenue_usd"] for m in members))
    with_margin = [m for m in members if m["operating_income_usd"] is not None]
    assert total["operating_margin"] == pytest.approx(
        sum(m["operating_income_usd"] for m in with_margin) / sum(m["revenue_usd"] for m in with_margin))
    compared = [m for m in members if m["yoy_prior_revenue_usd"] is not None]
    assert total["yoy_members"] == sorted(m["ticker"] for m in compared)
    assert total["revenue_yoy_growth"] == pytest.approx(
        sum(m["revenue_usd"] for m in compared) / sum(m["yoy_prior_revenue_usd"] for m in compared) - 1)


def test_statements_fill_members_without_xbrl_and_filings_win(tmp_path, sec_fixtures):
    # The shipped registry's statements, plus one constructed statement for Snowflake whose value
    # is wrong on purpose: companyfacts must win where both exist.
    settings = settings_in(tmp_path)
    registry = tmp_path / "figures"
    registry.mkdir()
    for name in ("us_app_software_statements.toml", "us_app_software_statements_2.toml"):
        (registry / name).write_bytes((REGISTRY_PATH / name).read_bytes())
    (registry / "zz_constructed.toml").write_text("""
[[figure]]
id = "snow-revenue-constructed"
entity = "Snowflake"
ticker = "SNOW"
metric = "revenue"
value = 1.0
unit = "currency"
currency = "USD"
as_of = "2025-04"
period_start = "2025-02-01"
period_end = "2025-04-30"
  [[figure.source]]
  publisher = "test"
  url = "https://example.org/snow"
  tier = "primary"
""", encoding="utf-8")
    load_companies(settings, basket(), extra=[registry_source(registry)])
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        members = {m["ticker"]: m for m in cy2025_q1(con, "member")}
        (total,) = cy2025_q1(con, "total")
    finally:
        con.close()
    statements = {t for t, m in members.items() if m["source_kind"] == "statement"}
    assert statements and statements.isdisjoint(in_seed())
    assert members["SNOW"]["source_kind"] == "sec_xbrl" and members["SNOW"]["revenue_usd"] > 1e8
    complete = [t for t, m in members.items() if m["revenue_usd"] and m["operating_income_usd"] is not None
                and m["revenue_accession"] and m["operating_income_accession"]]
    assert len(complete) >= 8, complete
    assert total["source_kind"] == "sec_xbrl + statement"
    # A total is as good as its weakest member.
    order = ["primary", "press", "secondary"]
    assert total["source_tier"] == max((m["source_tier"] for m in members.values()), key=order.index)


def test_yoy_never_compares_different_member_sets(tmp_path, sec_fixtures):
    # Snowflake's real quarters; a made-up second member present only in 2025 must be left out
    # of the growth figure (and said so).
    settings = settings_in(tmp_path)
    newcomer = {"cik": 1108524, "entityName": "made-up newcomer", "facts": {"us-gaap": {"Revenues": {"units": {"USD": [
        {"start": "2025-01-01", "end": "2025-03-31", "val": 500, "accn": "0009999999-25-000001", "fy": 2025,
         "fp": "Q1", "form": "10-Q", "filed": "2025-05-01"}]}}}}}
    store_companyfacts(settings, 1108524, json.dumps(newcomer).encode())
    store_companyfacts(settings, 1640147, (sec_fixtures / "companyfacts" / "CIK0001640147.json").read_bytes())
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
