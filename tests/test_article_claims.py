"""The seed article's claims. This file is the specification: every figure the article states,
with the value, unit, currency, qualifier and period the parser must produce."""

# The expected-claims table reads best one claim per line.
# ruff: noqa: E501

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from aipipe.sources.article.claims import parse_article, read_article
from aipipe.sources.article.lexicon import METRICS
from aipipe.sources.article.model import CLAIM_COLUMNS, article_meta, claims_frame

URL = "https://example.com/seed-article"
US_APP = "US application software (Salesforce, Adobe, ServiceNow, Palantir …)"
A_SHARE = "China A-share AI applications"
PAST_YEAR = "past year (to 2025-08-07)"

# claim_id, entity, metric, value, value_high, unit, currency, qualifier, period_claimed,
# is_projection
EXPECTED = [
    # title: "OpenAI一年收入都1400亿了" (no currency word: RMB by convention, flagged inferred)
    ("00-01-openai-revenue", "OpenAI", "revenue", 1.4e11, None, "currency", "CNY", None, "undated", False),
    # 01 US capital spending vs China
    ("01-01-meta-investment", "Meta", "investment", 1e10, None, "currency", "USD", "about", PAST_YEAR, False),
    ("01-02-scale-ai-stake-acquired", "Scale AI", "stake_acquired", 49.0, None, "percent", None, None, PAST_YEAR, False),
    ("01-03-meta-hiring-spend", "Meta", "hiring_spend", 1e8, None, "currency", "USD", "over", PAST_YEAR, False),
    ("01-04-alexandr-wang-age", "Alexandr Wang", "age", 26.0, None, "count", None, None, PAST_YEAR, False),
    ("01-05-meta-capex-to-revenue", "Meta", "capex_to_revenue", 35.0, None, "percent", None, None, "2024", False),
    ("01-06-big-4-us-tech-capex", "Big-4 US tech", "capex", 4e11, None, "currency", "USD", "about", "2024", False),
    ("01-07-china-ai-industry-capex", "China AI industry", "capex", 5e11, None, "currency", "CNY", "up_to", "2025 (projection)", True),
    # 02 OpenAI / Anthropic run rates
    ("02-01-openai-annualized-revenue", "OpenAI", "annualized_revenue", 5.5e9, None, "currency", "USD", "about", "2023-12", False),
    ("02-02-openai-annualized-revenue", "OpenAI", "annualized_revenue", 1e10, None, "currency", "USD", "over", "2024-06", False),
    ("02-03-openai-annualized-revenue", "OpenAI", "annualized_revenue", 1.2e10, 1.3e10, "currency", "USD", None, "2025-08 (latest)", False),
    ("02-04-openai-annualized-revenue", "OpenAI", "annualized_revenue", 2e10, None, "currency", "USD", None, "2025-12 (projection)", True),
    ("02-05-openai-growth-yoy", "OpenAI", "growth_yoy", 300.0, None, "percent", None, "nearly", "2025-12 (projection)", True),
    ("02-06-anthropic-annualized-revenue", "Anthropic", "annualized_revenue", 1e9, None, "currency", "USD", None, "2023", False),
    ("02-07-anthropic-annualized-revenue", "Anthropic", "annualized_revenue", 4e9, None, "currency", "USD", None, "2024H1", False),
    ("02-08-anthropic-annualized-revenue", "Anthropic", "annualized_revenue", 9e9, None, "currency", "USD", "over", "2025-12 (projection)", True),
    ("02-09-anthropic-growth-yoy", "Anthropic", "growth_yoy", 800.0, None, "percent", None, None, "2025-12 (projection)", True),
    ("02-10-openai-anthropic-annualized-revenue", "OpenAI + Anthropic", "annualized_revenue", 2.9e10, None, "currency", "USD", None, "2024-12 (projection)", True),
    ("02-11-openai-anthropic-annualized-revenue", "OpenAI + Anthropic", "annualized_revenue", 6e10, 1e11, "currency", "USD", None, "2026-12 (projection)", True),
    # 02 consumer apps
    ("02-12-cursor-price-per-month", "Cursor", "price_per_month", 20.0, None, "currency", "USD", None, "undated", False),
    ("02-13-cursor-arr", "Cursor", "arr", 5e8, None, "currency", "USD", None, "undated", False),
    ("02-14-cursor-users", "Cursor", "users", 3.6e5, None, "count", None, "over", "undated", False),
    ("02-15-lovable-revenue", "Lovable", "revenue", 1e7, None, "currency", "USD", None, "2 months after launch", False),
    ("02-16-lovable-arr", "Lovable", "arr", 1e8, None, "currency", "USD", None, "8 months after launch", False),
    ("02-17-tolan-arr", "Tolan", "arr", 1.2e7, None, "currency", "USD", None, "a few months after launch", False),
    ("02-18-opusclip-arr", "OpusClip", "arr", 2e7, None, "currency", "USD", None, "undated", False),
    # 02 B2B table: 6 companies x (valuation, ARR)
    ("02-19-glean-valuation", "Glean", "valuation", 7.2e9, None, "currency", "USD", None, "undated", False),
    ("02-20-glean-arr", "Glean", "arr", 1e8, None, "currency", "USD", None, "undated", False),
    ("02-21-mercor-valuation", "Mercor", "valuation", 2e9, None, "currency", "USD", None, "undated", False),
    ("02-22-mercor-arr", "Mercor", "arr", 1e8, None, "currency", "USD", None, "undated", False),
    ("02-23-crescendo-valuation", "Crescendo", "valuation", 5e8, None, "currency", "USD", None, "undated", False),
    ("02-24-crescendo-arr", "Crescendo", "arr", 9.1e7, None, "currency", "USD", None, "undated", False),
    ("02-25-harvey-valuation", "Harvey", "valuation", 5e9, None, "currency", "USD", None, "undated", False),
    ("02-26-harvey-arr", "Harvey", "arr", 7.5e7, None, "currency", "USD", None, "undated", False),
    ("02-27-clay-valuation", "Clay", "valuation", 3e9, None, "currency", "USD", None, "undated", False),
    ("02-28-clay-arr", "Clay", "arr", 3e7, None, "currency", "USD", None, "undated", False),
    ("02-29-abridge-valuation", "Abridge", "valuation", 2.75e9, None, "currency", "USD", None, "undated", False),
    ("02-30-abridge-arr", "Abridge", "arr", 1e8, None, "currency", "USD", None, "undated", False),
    # 03 China's AI applications vs US application software
    ("03-01-china-a-share-ai-applications-revenue", A_SHARE, "revenue", 7.68e10, None, "currency", "CNY", None, "2024", False),
    ("03-02-china-a-share-ai-applications-growth-yoy", A_SHARE, "growth_yoy", 6.4, None, "percent", None, None, "2024", False),
    ("03-03-china-a-share-ai-applications-net-profit", A_SHARE, "net_profit", 3.5e9, None, "currency", "CNY", None, "2024", False),
    ("03-04-china-a-share-ai-applications-growth-yoy", A_SHARE, "growth_yoy", 2.7, None, "percent", None, None, "2024", False),
    ("03-05-china-a-share-ai-applications-net-profit", A_SHARE, "net_profit", 3e7, None, "currency", "CNY", None, "2025Q1", False),
    ("03-06-us-application-software-revenue", US_APP, "revenue", 2.36e10, None, "currency", "USD", None, "2025Q1", False),
    ("03-07-us-application-software-growth-yoy", US_APP, "growth_yoy", 12.1, None, "percent", None, None, "2025Q1", False),
    ("03-08-us-application-software-operating-margin", US_APP, "operating_margin", 15.8, None, "percent", None, None, "2025Q1", False),
    ("03-09-questmobile-ai-native-apps-mau", "QuestMobile AI native apps", "mau", 2.7e8, None, "count", None, None, "2024-03", False),
    ("03-10-chatgpt-mau", "ChatGPT", "mau", 1.8e8, None, "count", None, None, "2024-03", False),
    ("03-11-kling-ai-revenue", "Kling AI", "revenue", 1e8, None, "currency", "USD", "over", "undated", False),
    ("03-12-kling-ai-revenue-share-overseas", "Kling AI", "revenue_share_overseas", 70.0, None, "percent", None, "over", "undated", False),
    ("03-13-manus-relocation", "Manus", "relocation", None, None, "location", None, None, "2025-06", False),
    ("03-14-manus-headcount", "Manus", "headcount", 120.0, None, "count", None, None, "2025-06", False),
    ("03-15-manus-staff-relocated", "Manus", "staff_relocated", 40.0, None, "count", None, None, "2025-06", False),
    ("03-16-heygen-relocation", "HeyGen", "relocation", None, None, "location", None, None, "undated", False),
    ("03-17-lovart-relocation", "Lovart", "relocation", None, None, "location", None, None, "undated", False),
    # 04 the SaaS wave
    ("04-01-us-saas-startups-new-companies-per-year", "US SaaS startups", "new_companies_per_year", 1000.0, None, "count", None, "over", "2010–2015 (each year)", False),
]  # fmt: skip


@pytest.fixture(scope="module")
def article_text(seed_article) -> str:
    return seed_article.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parsed(article_text):
    return read_article(article_text, URL)


def test_article_metadata_is_the_publication_date_not_a_claim(parsed):
    assert parsed.meta.published == date(2025, 8, 7)
    assert parsed.meta.published_at == "2025-08-07 19:03"
    assert parsed.meta.place == "北京"
    assert parsed.meta.title.startswith("OpenAI一年收入都1400亿了")
    assert all(claim.article_date == date(2025, 8, 7) for claim in parsed.claims)
    assert not any("2025-08-07" in claim.raw for claim in parsed.claims)


def test_every_figure_is_a_claim_as_specified(parsed):
    got = [
        (
            c.claim_id,
            c.entity,
            c.metric,
            c.value,
            c.value_high,
            c.unit,
            c.currency,
            c.qualifier,
            c.period_claimed,
            c.is_projection,
        )
        for c in parsed.claims
    ]
    assert [g[0] for g in got] == [e[0] for e in EXPECTED]
    for actual, expected in zip(got, EXPECTED, strict=True):
        assert actual[:3] == expected[:3]
        for index in (3, 4):  # value, value_high
            if expected[index] is None:
                assert actual[index] is None, actual
            else:
                assert actual[index] == pytest.approx(expected[index], rel=1e-12), actual
        assert actual[5:] == expected[5:], actual


def test_claim_count_and_ids_are_unique_and_stable(article_text, parsed):
    assert len(parsed.claims) == 56
    ids = [c.claim_id for c in parsed.claims]
    assert len(set(ids)) == len(ids)
    assert [c.claim_id for c in parse_article(article_text, URL)] == ids


def test_no_invented_figures(article_text, parsed):
    for claim in parsed.claims:
        assert claim.raw and claim.raw in claim.context, claim.claim_id
        assert claim.context in article_text, claim.claim_id
        assert claim.source_url == URL


def test_table_claims_come_from_table_rows(parsed):
    table = [c for c in parsed.claims if c.context.startswith("|")]
    assert len(table) == 12
    assert {c.entity for c in table} == {"Glean", "Mercor", "Crescendo", "Harvey", "Clay", "Abridge"}
    crescendo = [c for c in table if c.entity == "Crescendo"]
    assert [(c.metric, c.raw) for c in crescendo] == [("valuation", "$5亿"), ("arr", "$9100万")]
    assert "客服" in crescendo[0].context


def test_periods_have_dates(parsed):
    by_id = {c.claim_id: c for c in parsed.claims}
    assert (
        by_id["02-01-openai-annualized-revenue"].period_start,
        by_id["02-01-openai-annualized-revenue"].period_end,
    ) == (
        date(2023, 12, 1),
        date(2023, 12, 31),
    )
    h1 = by_id["02-07-anthropic-annualized-revenue"]
    assert (h1.period_start, h1.period_end) == (date(2024, 1, 1), date(2024, 6, 30))
    q1 = by_id["03-05-china-a-share-ai-applications-net-profit"]
    assert (q1.period_start, q1.period_end) == (date(2025, 1, 1), date(2025, 3, 31))
    latest = by_id["02-03-openai-annualized-revenue"]
    assert (latest.period_start, latest.period_end) == (None, date(2025, 8, 7))
    past = by_id["01-01-meta-investment"]
    assert (past.period_start, past.period_end) == (date(2024, 8, 8), date(2025, 8, 7))
    saas = by_id["04-01-us-saas-startups-new-companies-per-year"]
    assert (saas.period_start, saas.period_end) == (date(2010, 1, 1), date(2015, 12, 31))
    undated = by_id["02-13-cursor-arr"]
    assert (undated.period_start, undated.period_end) == (None, None)


def test_sources_growth_bases_and_inferred_currency(parsed):
    by_id = {c.claim_id: c for c in parsed.claims}
    assert by_id["01-07-china-ai-industry-capex"].attributed_to == "CICC"
    assert by_id["02-03-openai-annualized-revenue"].attributed_to == "The New York Times"
    assert by_id["02-11-openai-anthropic-annualized-revenue"].attributed_to == ("investment banks (unnamed)")
    assert by_id["03-04-china-a-share-ai-applications-growth-yoy"].attributed_to == ("Hualong Securities")
    assert by_id["03-10-chatgpt-mau"].attributed_to == "QuestMobile"
    assert by_id["02-05-openai-growth-yoy"].growth_of == "annualized_revenue"
    assert by_id["03-02-china-a-share-ai-applications-growth-yoy"].growth_of == "revenue"
    assert by_id["03-04-china-a-share-ai-applications-growth-yoy"].growth_of == "net_profit"
    inferred = [c.claim_id for c in parsed.claims if c.currency_inferred]
    assert inferred == ["00-01-openai-revenue"]


def test_relocations(parsed):
    moves = [(c.entity, c.location_from, c.location_to, c.raw) for c in parsed.claims if c.metric == "relocation"]
    assert moves == [
        ("Manus", None, "Singapore", "总部迁至新加坡"),
        ("HeyGen", "Shenzhen", "Los Angeles", "总部由深圳迁至洛杉矶"),
        ("Lovart", None, "San Francisco", "直接落户旧金山"),
    ]


def test_figures_not_made_claims_are_listed_with_a_reason(parsed):
    assert [(s.raw, s.reason.split(",")[0].split(";")[0]) for s in parsed.skipped] == [
        ("100美元", "illustrative restatement of the preceding figure (即…)"),
        ("35美元", "illustrative restatement of the preceding figure (即…)"),
        ("2个月", "duration"),
        ("8个月", "duration"),
        ("总部迁往新加坡", "relocation of several companies at once"),
    ]


def test_relative_periods_follow_the_publication_date(article_text):
    """年底/最新/今年 are resolved from the parsed date, not hard-coded."""
    moved = article_text.replace("2025-08-07 19:03", "2026-03-02 10:00")
    by_id = {c.claim_id: c for c in parse_article(moved, URL)}
    assert by_id["02-04-openai-annualized-revenue"].period_claimed == "2026-12 (projection)"
    assert by_id["02-03-openai-annualized-revenue"].period_claimed == "2026-03 (latest)"
    assert by_id["03-13-manus-relocation"].period_claimed == "2026-06 (projection)"
    # 2025 has ended by then, so the CICC full-year estimate is no longer a projection
    assert by_id["01-07-china-ai-industry-capex"].period_claimed == "2025"


def test_values_are_read_from_the_text_not_hard_coded(article_text):
    edited = article_text.replace("约55亿美元", "约60亿美元").replace("$9100万", "$9200万")
    by_id = {c.claim_id: c for c in parse_article(edited, URL)}
    assert by_id["02-01-openai-annualized-revenue"].value == pytest.approx(6e9)
    assert by_id["02-24-crescendo-arr"].value == pytest.approx(9.2e7)


def test_missing_publication_line_is_a_clear_error():
    with pytest.raises(ValueError, match="发布于"):
        article_meta("# 标题\n\n正文 5亿美元。")


def test_claims_frame(parsed):
    frame = claims_frame(parsed.claims)
    assert list(frame.columns) == CLAIM_COLUMNS
    assert len(frame) == 56
    assert frame["value"].dtype == "float64" and frame["is_projection"].dtype == bool
    assert frame["claim_id"].is_unique
    assert set(frame["metric"]) <= set(METRICS)
    assert set(frame["unit"]) == {"currency", "percent", "count", "location"}
    assert set(frame["currency"].dropna()) == {"USD", "CNY"}
    assert set(frame["section"]) == {"00", "01", "02", "03", "04"}
    locations = frame[frame["unit"] == "location"]
    assert locations["value"].isna().all() and locations["location_to"].notna().all()
    assert isinstance(frame.loc[1, "period_end"], date)
    assert pd.isna(frame.loc[0, "period_end"])
