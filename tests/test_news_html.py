"""News page extraction and figure checks, on hand-written pages shaped like real news sites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aipipe.normalize.numbers import parse_amount
from aipipe.sources.news.figure_check import check_figure, figures_near
from aipipe.sources.news.page import clean_text, extract_page

PAGES = Path(__file__).parent / "data" / "pages"


def page(name: str, **kwargs):
    return extract_page(
        (PAGES / name).read_bytes(), url=f"https://news.example.com/{name}", **kwargs
    )


# ---------------------------------------------------------------------------------------------
# extract_page


def test_jsonld_article_body_preferred_and_decoys_dropped():
    result = page("en_openai_jsonld.html")
    assert result.method == "json-ld"
    assert result.title == "OpenAI hits $10 billion in annualized revenue"
    assert result.date_published == "2025-06-09"
    assert result.body_text.startswith("OpenAI has hit $10 billion in annualized revenue")
    assert "3 million paying business users" in result.body_text
    for decoy in ("$99 billion", "$5,000", "Sponsored", "$3 billion", "newsletter", "S&P"):
        assert decoy not in result.body_text
    assert result.warnings == ()


def test_layout_changed_page_falls_back_to_trafilatura():
    result = page("en_openai_layout_changed.html")
    assert result.method == "trafilatura"
    assert result.date_published == "2025-08-01"
    assert "OpenAI has hit $13 billion in annualized revenue" in result.body_text
    assert "$10 billion" not in result.body_text  # only in a <script>
    assert "Subscribe for $1" not in result.body_text


def test_chinese_jsonld_body_with_html_markup():
    result = page("zh_kling_jsonld.html")
    assert result.method == "json-ld"
    assert result.title == "快手：可灵AI全年收入目标上调至1.25亿美元"
    assert result.date_published == "2025-08-20"
    assert "可灵AI第二季度营收超过2.5亿元人民币" in result.body_text
    assert "alert" not in result.body_text and "<p>" not in result.body_text
    assert "1000亿美元" not in result.body_text and "理财" not in result.body_text


def test_chinese_page_without_jsonld():
    result = page("zh_questmobile_plain.html")
    assert result.method == "trafilatura"
    assert result.date_published == "2025-05-13"
    assert "国内AI原生App月活跃用户规模达2.72亿" in result.body_text
    for decoy in ("月活10亿", "热榜", "首页"):
        assert decoy not in result.body_text


def test_bs4_fallback_strips_scripts_nav_ads_and_asides():
    result = page("zh_questmobile_plain.html", methods=("bs4",))
    assert result.method == "bs4"
    assert "国内AI原生App月活跃用户规模达2.72亿" in result.body_text
    for decoy in ("月活10亿", "热榜", "首页", "track.js", "至少有5亿"):
        assert decoy not in result.body_text
    english = page("en_openai_jsonld.html", methods=("bs4",))
    # inline <strong> does not split the sentence, so the figure stays readable
    assert "OpenAI has hit $10 billion in annualized revenue" in english.body_text
    for decoy in ("$99 billion", "Sponsored", "trackScroll", "$3 billion", "1 million readers"):
        assert decoy not in english.body_text


def test_gbk_encoded_bytes_are_decoded():
    html = (PAGES / "zh_questmobile_plain.html").read_text(encoding="utf-8")
    raw = html.replace('charset="utf-8"', 'charset="gbk"').encode("gbk", errors="xmlcharrefreplace")
    result = extract_page(raw)
    assert "月活跃用户规模达2.72亿" in result.body_text
    assert result.title.startswith("QuestMobile：AI原生App")


def test_script_in_title_and_body_comes_out_as_inert_plain_text():
    result = page("en_injection.html")
    # the page *escaped* these, so they are text the page shows; returned verbatim as text
    assert result.title == "<script>alert(1)</script> Glean raises at $7.2 billion valuation"
    assert "A reader comment quoted on the page: <script>alert(1)</script> was shown as text." in (
        result.body_text
    )
    # real <script> elements and event handlers never reach the text
    for gone in ("real-head", "real-body", "onerror", "<img"):
        assert gone not in result.body_text and gone not in result.title
    # control, zero-width and bidi-override characters are stripped
    for char in ("\x07", "\u200b", "\u202e"):
        assert char not in result.body_text
    assert "valuation of $7.2 billion" in result.body_text
    assert all(isinstance(v, str | None) for v in (result.title, result.body_text, result.url))


def test_broken_jsonld_block_is_reported_and_the_valid_one_used():
    result = page("en_bad_jsonld.html")
    assert result.method == "json-ld"
    assert result.date_published == "2025-06-23"  # RFC 2822 date in JSON-LD
    assert result.title == "Harvey valued at $5 billion"
    assert len(result.warnings) == 1 and result.warnings[0].startswith("json-ld: unreadable")


def test_selector_names_the_figure_box():
    plain = page("en_kpi_selector.html")
    assert "$100 million" not in plain.body_text  # main-text extraction drops the box
    selected = page("en_kpi_selector.html", selector="div.key-figures")
    assert selected.method == "bs4"
    assert "$100 million (Mar 2025)" in selected.body_text
    assert selected.date_published == "2025-03-20"
    missing = page("en_kpi_selector.html", selector="div.no-such-box")
    assert missing.method == "trafilatura"
    assert missing.warnings == (
        "selector 'div.no-such-box' matched no text; using the usual extraction",
    )


def test_unknown_method_is_an_error():
    with pytest.raises(ValueError, match="unknown extraction methods"):
        extract_page("<html></html>", methods=("magic",))


def test_deeply_nested_markup_does_not_overflow():
    html = "<html><body>" + "<div>" * 3000 + "Clay ARR $30 million." + "</div>" * 3000
    result = extract_page(html + "</body></html>", methods=("bs4",))
    assert "Clay ARR $30 million." in result.body_text


def test_dates_in_several_spellings():
    template = '<html><head><meta name="date" content="{}"></head><body><p>x</p></body></html>'
    for written, iso in [
        ("2025-06-11T08:00:00+08:00", "2025-06-11"),
        ("2025年6月11日", "2025-06-11"),
        ("Wed, 11 Jun 2025 08:00:00 GMT", "2025-06-11"),
        ("June 11, 2025", "2025-06-11"),
        ("2025/06/11", "2025-06-11"),
    ]:
        assert extract_page(template.format(written)).date_published == iso, written


def test_clean_text():
    assert clean_text("a\x00b\u200bc\u202e d\r\n\r\n\r\n\r\ne  \t f") == "abc d\n\ne f"


def test_page_to_dict_is_json():
    json.dumps(page("zh_kling_jsonld.html").to_dict(), ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# check_figure


def test_confirmed_on_the_original_page():
    body = page("en_openai_jsonld.html").body_text
    check = check_figure(body, "annualized revenue", 1e10, "USD")
    assert check.status == "confirmed"
    assert check.found.raw == "$10 billion"
    assert check.context.startswith("OpenAI has hit $10 billion")


def test_changed_after_the_layout_change():
    body = page("en_openai_layout_changed.html").body_text
    check = check_figure(body, "annualized revenue", 1e10, "USD")
    assert check.status == "changed"
    assert check.found.value == 1.3e10
    assert "'$13 billion'" in check.message and "expected $10 billion" in check.message


def test_not_found_when_the_figure_is_gone():
    body = page("en_openai_figure_gone.html").body_text
    check = check_figure(body, "annualized revenue", 1e10, "USD")
    assert check.status == "not_found"
    assert check.found is None
    # the $500 million in a later paragraph is neither in the sentence nor within 200 chars
    assert "no USD figure" in check.message and "$500 million" not in check.message
    absent = check_figure(body, "net profit", 1e10, "USD")
    assert absent.status == "not_found"
    assert absent.message == "phrase 'net profit' does not occur on the page"


def test_chinese_figures_and_percentages():
    body = page("zh_kling_jsonld.html").body_text
    target = check_figure(body, "全年收入目标", 1.25e8, "USD")
    assert target.status == "confirmed" and target.found.raw == "1.25亿美元"
    share = check_figure(body, "海外收入占比", 70.0, unit="percent")
    assert share.status == "confirmed" and share.found.qualifier == "about"
    higher = check_figure(body, "海外收入占比", 75.0, unit="percent")
    assert higher.status == "changed" and higher.found.value == 70.0
    users = check_figure(
        page("zh_questmobile_plain.html").body_text, "月活跃用户", 2.72e8, unit="count"
    )
    assert users.status == "confirmed"


def test_wrong_currency_is_not_a_match_and_is_named():
    check = check_figure("公司年化收入达500亿元。", "年化收入", 5e10, "USD")
    assert check.status == "not_found"
    assert "'500亿元'" in check.message


@pytest.mark.parametrize(
    ("text", "expected", "status"),
    [
        ("run rate of $12-13 billion", 1.25e10, "confirmed"),
        ("run rate of $12 billion", parse_amount("120-130亿美元"), "confirmed"),
        ("run rate of $12-13 billion", parse_amount("$12–13 billion"), "confirmed"),
        ("run rate of $10.04 billion", 1e10, "confirmed"),  # within 0.5%
        ("run rate of $10.1 billion", 1e10, "changed"),
        ("run rate of $14 billion", parse_amount("120-130亿美元"), "changed"),
    ],
)
def test_tolerance_and_ranges(text, expected, status):
    assert check_figure(text, "run rate", expected, "USD").status == status


def test_near_means_same_sentence_or_window():
    filler = "word " * 60  # 300 characters
    same_sentence = f"Annualized revenue, {filler}reached $10 billion."
    assert check_figure(same_sentence, "annualized revenue", 1e10, "USD").status == "confirmed"
    far = f"Annualized revenue grew. {filler}. It reached $10 billion."
    assert check_figure(far, "annualized revenue", 1e10, "USD").status == "not_found"
    close = "Annualized revenue grew. It reached $10 billion."
    assert check_figure(close, "annualized revenue", 1e10, "USD").status == "confirmed"
    assert [a.raw for a in figures_near(close, ("run rate", "annualized revenue"))] == [
        "$10 billion"
    ]


def test_figure_check_to_dict_is_json():
    check = check_figure("ARR reached $100 million.", "ARR", 1e8, "USD")
    data = json.loads(json.dumps(check.to_dict()))
    assert data["status"] == "confirmed" and data["found"]["value"] == 1e8
