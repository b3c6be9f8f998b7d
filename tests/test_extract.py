"""Candidate figures from pages and text (the `aipipe extract` helper)."""

from __future__ import annotations

import json
from pathlib import Path

from aipipe.sources.news.candidates import Candidate, extract_candidates, format_candidates

PAGES = Path(__file__).parent / "data" / "pages"


def _pick(cands: list[Candidate], raw: str) -> Candidate:
    matches = [c for c in cands if c.raw == raw]
    assert matches, f"no candidate {raw!r} among {[c.raw for c in cands]}"
    return matches[0]


def test_english_page_candidates():
    cands = extract_candidates((PAGES / "en_openai_jsonld.html").read_text(encoding="utf-8"))
    ten = _pick(cands, "$10 billion")
    assert (ten.entity, ten.metric, ten.value, ten.currency) == (
        "OpenAI",
        "annualized_revenue",
        1e10,
        "USD",
    )
    assert ten.as_of is None  # the date later in the sentence belongs to the older figure
    assert ten.published == "2025-06-09"
    earlier = _pick(cands, "about $5.5 billion")
    assert (earlier.metric, earlier.qualifier, earlier.as_of) == (
        "annualized_revenue",
        "about",
        "2024-12",
    )
    weekly = _pick(cands, "more than 500 million")
    assert (weekly.metric, weekly.unit, weekly.value, weekly.qualifier) == (
        "wau",
        "count",
        5e8,
        "over",
    )
    target = _pick(cands, "$125 billion")
    assert (target.metric, target.as_of, target.is_projection) == ("revenue", "2029", True)
    # scripts, ads and related links never produce candidates
    assert not {"$99 billion", "$5,000", "$3 billion", "$1.99"} & {c.raw for c in cands}


def test_chinese_page_candidates():
    cands = extract_candidates((PAGES / "zh_kling_jsonld.html").read_bytes().decode("utf-8"))
    quarter = _pick(cands, "超过2.5亿元人民币")
    assert (quarter.entity, quarter.metric, quarter.value, quarter.currency) == (
        "Kling AI",
        "revenue",
        2.5e8,
        "CNY",
    )
    assert quarter.as_of == "2025Q2"  # 第二季度, year from the page's date
    target = _pick(cands, "1.25亿美元")
    assert (target.metric, target.currency, target.as_of, target.is_projection) == (
        "revenue",
        "USD",
        "2025",
        True,
    )
    share = _pick(cands, "约70%")
    assert (share.metric, share.unit, share.value, share.qualifier) == (
        "revenue_share_overseas",
        "percent",
        70.0,
        "about",
    )
    users = _pick(cands, "超过4500万")
    assert (users.metric, users.as_of) == ("users", "2025-06")
    assert "1000亿美元" not in {c.raw for c in cands}  # only in a <script>


def test_plain_text_input_and_nearest_keyword():
    text = "QuestMobile数据显示，2025年3月，国内AI原生App月活用户数达2.72亿，超ChatGPT的1.8亿。"
    cands = extract_candidates(text)
    assert [(c.raw, c.metric, c.as_of) for c in cands] == [
        ("2.72亿", "mau", "2025-03"),
        ("1.8亿", "mau", "2025-03"),
    ]
    assert cands[1].entity == "ChatGPT"
    assert all(c.published is None for c in cands)


def test_comparison_base_is_not_an_as_of_date():
    cands = extract_candidates("报告显示，用户日均使用时长较去年同期增加约20%。")
    assert [(c.metric, c.as_of) for c in cands] == [("growth_yoy", None)]


def test_bare_counts_without_a_metric_are_not_candidates():
    cands = extract_candidates("The company operates in 12 countries and raised $500 million.")
    assert [(c.raw, c.metric) for c in cands] == [("$500 million", "funding")]


def test_html_detection():
    assert extract_candidates("Margins under <5% were reported.", is_html=None)[0].raw == "<5%"
    html = "<html><body><script>var x='$9 billion'</script><p>Clay ARR $30 million.</p></body></html>"
    assert [c.raw for c in extract_candidates(html)] == ["$30 million"]
    as_text = extract_candidates(html, is_html=False)
    assert "$9 billion" in {c.raw for c in as_text}  # told it is text, it is read as text


def test_json_output_is_plain_data():
    cands = extract_candidates((PAGES / "en_bad_jsonld.html").read_text(encoding="utf-8"))
    data = json.loads(format_candidates(cands, as_json=True))
    assert [row["raw"] for row in data] == ["$5 billion", "about $75 million"]
    assert data[0] == {
        "entity": "Harvey",
        "metric": "valuation",
        "value": 5e9,
        "value_high": None,
        "currency": "USD",
        "unit": "currency",
        "qualifier": None,
        "as_of": None,
        "is_projection": False,
        "raw": "$5 billion",
        "sentence": "Legal AI company Harvey is valued at $5 billion after its latest funding round, the company said.",
        "published": "2025-06-23",
    }
    for row in data:
        assert all(isinstance(v, str | int | float | bool | type(None)) for v in row.values())


def test_text_output_one_line_per_candidate():
    cands = extract_candidates("Glean is valued at $7.2 billion. Its ARR passed $100 million.")
    lines = format_candidates(cands, as_json=False).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Glean") and "valuation" in lines[0] and "$7.2 billion" in lines[0]
    assert "arr" in lines[1] and "$100 million" in lines[1]
    assert format_candidates([], as_json=False) == "no figures found"
    assert format_candidates([], as_json=True) == "[]"


def test_hostile_page_gives_only_text():
    cands = extract_candidates((PAGES / "en_injection.html").read_text(encoding="utf-8"))
    valuation = [c for c in cands if c.metric == "valuation"]
    assert valuation and all(c.value == 7.2e9 and c.entity == "Glean" for c in valuation)
    assert not any("real-" in c.sentence or "\u202e" in c.sentence for c in cands)
