"""The article's claims checked on the warehouse a newcomer gets offline (every source family,
the shipped seed, the registry, the article): every claim gets a row; unsourced ones stay
visible with a reviewed note; a confirmation rests on a primary or press source; section 03 and
the China capex are computed from per-company figures."""

from __future__ import annotations

import duckdb
import pytest

from aipipe.ingest.refresh import refresh_direct
from aipipe.sources.article.claims import parse_article
from aipipe.sources.article.notes import load_claim_notes
from tests.support.warehouse import settings_in


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, seed_article):
    settings = settings_in(tmp_path_factory.mktemp("claims"), article_source=str(seed_article))
    _, outcome, results = refresh_direct(settings)
    assert outcome.status == "success", [(r.source, r.message) for r in results if r.status == "error"]
    con = duckdb.connect(str(settings.db_path), read_only=True)
    yield con, seed_article
    con.close()


def rows(con, sql, params=()):
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def claim(con, claim_id):
    (row,) = rows(con, "SELECT * FROM marts.claim_check WHERE claim_id = ?", [claim_id])
    return row


def test_every_claim_of_the_article_has_a_check_row(warehouse):
    con, article = warehouse
    expected = {c.claim_id for c in parse_article(article.read_text(encoding="utf-8"), "x")}
    checked = {r["claim_id"] for r in rows(con, "SELECT claim_id FROM marts.claim_check")}
    assert checked == expected and len(expected) > 40
    statuses = {r["status"] for r in rows(con, "SELECT DISTINCT status FROM marts.claim_check")}
    assert statuses <= {"confirmed", "weakly_sourced", "value_differs", "date_differs", "unsourced"}


def test_a_confirmation_rests_on_primary_or_press_and_secondary_only_is_weak(warehouse):
    con, _ = warehouse
    checks = rows(con, "SELECT claim_id, status, source_tier FROM marts.claim_check")
    assert all(c["source_tier"] in ("primary", "press") for c in checks if c["status"] == "confirmed")
    weak = [c for c in checks if c["status"] == "weakly_sourced"]
    assert weak and all(c["source_tier"] == "secondary" for c in weak)
    sourced = [c for c in checks if c["status"] != "unsourced"]
    good = [c for c in sourced if c["source_tier"] in ("primary", "press")]
    assert len(good) >= 0.6 * len(sourced), (len(good), len(sourced))


def test_unsourced_claims_are_few_and_each_says_why(warehouse):
    con, _ = warehouse
    notes = load_claim_notes()
    unsourced = rows(con, "SELECT claim_id, sourced_value, note FROM marts.claim_check WHERE status = 'unsourced'")
    assert 0 < len(unsourced) <= 10
    for row in unsourced:
        assert row["note"] == notes[row["claim_id"]], row["claim_id"]
    # A note is for a claim nothing supports: it must not sit on one that got a source since.
    for claim_id in notes:
        assert claim(con, claim_id)["status"] == "unsourced", claim_id


def test_openai_june_2024_claim_is_mis_dated(warehouse):
    con, _ = warehouse
    (row,) = rows(con, "SELECT claim_id FROM staging.article_claims WHERE entity = 'OpenAI' "
                       "AND metric = 'annualized_revenue' AND period_claimed = '2024-06'")
    checked = claim(con, row["claim_id"])
    assert checked["status"] == "date_differs"
    registry = rows(con, "SELECT as_of, url FROM staging.reported_figures WHERE figure_id = 'openai-arr-2025-06' "
                         "AND source_rank = 1")[0]
    assert (checked["sourced_period"], checked["source_url"]) == (registry["as_of"], registry["url"])


def test_capex_share_is_checked_against_sec(warehouse):
    con, _ = warehouse
    (row,) = rows(con, "SELECT claim_id FROM staging.article_claims WHERE entity = 'Meta' "
                       "AND metric = 'capex_to_revenue' AND period_claimed = '2024'")
    checked = claim(con, row["claim_id"])
    (fy,) = rows(con, "SELECT max(value_usd) FILTER (metric = 'capex') AS capex, "
                      "max(value_usd) FILTER (metric = 'revenue') AS revenue FROM marts.company_financials "
                      "WHERE ticker = 'META' AND period_type = 'FY' AND fiscal_year = 2024")
    assert checked["same_period_value"] == pytest.approx(fy["capex"] / fy["revenue"] * 100)
    assert checked["same_period_source"].startswith("SEC 10-K") and checked["source_tier"] == "primary"
    assert checked["status"] in ("value_differs", "date_differs")  # the article's 35 % is not Meta's 2024 share


def test_section_03_is_compared_with_computed_figures(warehouse):
    con, _ = warehouse
    section = rows(con, "SELECT * FROM marts.claim_check WHERE claim_id LIKE '03-0%' "
                        "AND metric IN ('revenue', 'net_profit', 'growth_yoy', 'operating_margin')")
    assert len(section) == 8
    for row in section:
        assert row["status"] != "unsourced" and row["sourced_value"] is not None, row["claim_id"]
    # The A-share revenue total is the sum of the members' registry figures for 2024.
    (members,) = rows(con, "SELECT sum(value) AS revenue FROM staging.reported_figures WHERE source_rank = 1 "
                           "AND metric = 'revenue' AND currency = 'CNY' AND period_start = DATE '2024-01-01' "
                           "AND period_end = DATE '2024-12-31' AND ticker IN (SELECT code FROM staging.ashare_basket)")
    revenue = next(r for r in section if r["claim_id"].startswith("03-01"))
    assert revenue["sourced_value"] == pytest.approx(members["revenue"])
    assert revenue["source_kind"] == "computed" and revenue["source_tier"] == "secondary"
    # Growth claims compare like with like: revenue growth with revenue growth.
    growth = {r["claim_id"][:5]: r["sourced_from"] for r in section if r["metric"] == "growth_yoy"}
    assert "revenue growth" in growth["03-02"] and "net-profit growth" in growth["03-04"]
    us = next(r for r in section if r["claim_id"].startswith("03-06"))
    assert us["source_kind"] == "sec" and "basket of" in us["sourced_from"]


def test_b2b_table_and_an_implied_valuation(warehouse):
    con, _ = warehouse
    table = rows(con, "SELECT * FROM marts.b2b_valuation_arr")
    assert {r["company"] for r in table} == {"Glean", "Mercor", "Crescendo", "Harvey", "Clay", "Abridge"}
    assert all(r["article_valuation_usd"] / r["article_arr_usd"] == pytest.approx(r["article_valuation_to_arr"])
               for r in table)
    # Clay's only source gives ARR and a multiple; the valuation it implies is computed and says so.
    clay = claim(con, next(r["claim_id"] for r in rows(con, "SELECT claim_id FROM staging.article_claims "
                                                           "WHERE entity = 'Clay' AND metric = 'valuation'")))
    (arr,) = rows(con, "SELECT value FROM staging.reported_figures WHERE figure_id = 'clay-arr-2025'")
    assert clay["source_kind"] == "computed" and clay["sourced_value"] == pytest.approx(50 * arr["value"])
    assert clay["status"] == "value_differs" and clay["sourced_from"].startswith("implied: 50")


def test_other_article_tables_exist(warehouse):
    con, _ = warehouse
    for view in ("frontier_lab_revenue", "ai_app_arr", "app_mau", "relocations", "ashare_ai_applications",
                 "china_big_tech_capex", "epoch_cross_check"):
        assert rows(con, f"SELECT count(*) AS n FROM marts.{view}")[0]["n"] > 0, view
    moves = {r["company"]: r["moved_to"] for r in rows(con, "SELECT company, moved_to FROM marts.relocations")}
    assert moves == {"Manus": "Singapore", "HeyGen": "Los Angeles", "Lovart": "San Francisco"}


def test_registry_figures_load_as_not_fetched_offline(warehouse):
    con, _ = warehouse
    checks = rows(con, "SELECT DISTINCT check_status FROM staging.reported_figures_status")
    statuses = {r["check_status"] for r in checks}
    assert statuses == {"not_fetched"}
