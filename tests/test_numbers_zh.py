"""Chinese money figures as news writes them: real excerpts (tests/data/zh_money_excerpts.toml,
each with its publisher and URL) and property tests that render numbers in every style —
simplified and traditional, half- and full-width, with and without spaces, thousands
separators, qualifiers, ranges, losses — and read them back."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipipe.normalize.numbers import find_amounts, parse_amount

EXCERPTS = tomllib.loads((Path(__file__).parent / "data" / "zh_money_excerpts.toml").read_text("utf-8"))["excerpt"]


@pytest.mark.parametrize("excerpt", EXCERPTS, ids=[f"{i:02d}-{e['publisher'][:18]}" for i, e in enumerate(EXCERPTS)])
def test_every_money_figure_of_a_real_excerpt_is_found_and_nothing_else_is_money(excerpt):
    assert excerpt["url"].startswith(("http://", "https://")) and excerpt["publisher"]
    money = [a for a in find_amounts(excerpt["text"]) if a.unit == "currency"]
    found = [(a.value, a.currency, a.qualifier or "") for a in money]
    expected = [tuple(m) for m in excerpt["money"]]
    assert len(found) == len(expected), f"found {[a.raw for a in money]}"
    for (value, currency, qualifier), (want, want_currency, want_qualifier) in zip(found, expected, strict=True):
        assert math.isclose(value, want, rel_tol=1e-9), (value, want)
        assert (currency, qualifier) == (want_currency, want_qualifier)


def test_the_excerpts_cover_the_styles_news_uses():
    texts = " ".join(e["text"] for e in EXCERPTS)
    assert "億" in texts and "亿" in texts  # traditional and simplified
    assert " 亿" in texts and " 億" in texts  # a space between number and magnitude
    assert ",000" in texts or ",737" in texts  # thousands separators inside a 万/亿 figure
    assert "约合" in texts and "超過" in texts and "近" in texts  # qualifiers
    assert "-1.93" in texts  # a loss
    assert sum(1 for e in EXCERPTS if not e["money"]) >= 3  # pages with counts but no money


# ---- property tests: render in a style, read back ------------------------------------------------

MAGNITUDES = {"万": 1e4, "亿": 1e8, "万亿": 1e12}
TRADITIONAL = str.maketrans({"亿": "億", "万": "萬", "币": "幣", "过": "過", "约": "約", "余": "餘"})
CURRENCIES = [("美元", "USD"), ("美金", "USD"), ("元", "CNY"), ("元人民币", "CNY"), ("人民币", "CNY"),
              ("港元", "HKD"), ("港币", "HKD"), ("欧元", "EUR"), ("新台币", "TWD"), ("日元", "JPY")]
PREFIX_QUALIFIERS = [("", None), ("超", "over"), ("超过", "over"), ("逾", "over"), ("近", "nearly"),
                     ("约", "about"), ("约合", "about"), ("接近", "nearly"), ("不到", "under")]
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def render_number(value: float, thousands: bool) -> str:
    if thousands and value >= 1000:
        whole, _, fraction = f"{value:,.2f}".partition(".")
        fraction = fraction.rstrip("0")
        return whole + (f".{fraction}" if fraction else "")
    return f"{value:.2f}".rstrip("0").rstrip(".")


styles = st.fixed_dictionaries({
    "number": st.decimals(min_value="1", max_value="99999", places=2).map(float),
    "magnitude": st.sampled_from(sorted(MAGNITUDES)),
    "currency": st.sampled_from(CURRENCIES),
    "qualifier": st.sampled_from(PREFIX_QUALIFIERS),
    "traditional": st.booleans(),
    "full_width": st.booleans(),
    "thousands": st.booleans(),
    "space_before_magnitude": st.booleans(),
    "space_before_currency": st.booleans(),
    "space_after_qualifier": st.booleans(),
})


def render(style: dict) -> str:
    number = render_number(style["number"], style["thousands"])
    if style["full_width"]:
        number = number.translate(FULL_WIDTH)
    text = (style["qualifier"][0] + (" " if style["space_after_qualifier"] and style["qualifier"][0] else "")
            + number + (" " if style["space_before_magnitude"] else "") + style["magnitude"]
            + (" " if style["space_before_currency"] else "") + style["currency"][0])
    return text.translate(TRADITIONAL) if style["traditional"] else text


@settings(max_examples=400, deadline=None)
@given(styles)
def test_a_figure_in_any_style_reads_back(style):
    text = render(style)
    amount = parse_amount(text)
    assert amount is not None, text
    assert math.isclose(amount.value, style["number"] * MAGNITUDES[style["magnitude"]], rel_tol=1e-9), text
    assert (amount.currency, amount.unit, amount.qualifier) == (style["currency"][1], "currency",
                                                                 style["qualifier"][1]), text
    # Inside a sentence, it is the one money figure found.
    found = [a for a in find_amounts(f"据报道，该公司{text}，较去年增长。") if a.unit == "currency"]
    assert [(a.value, a.currency) for a in found] == [(amount.value, amount.currency)], text


@settings(max_examples=200, deadline=None)
@given(styles, st.sampled_from(["-", "至", "到", "~"]), st.integers(min_value=1, max_value=500))
def test_a_range_reads_as_a_range(style, separator, step):
    low = style["number"]
    high = low + step
    magnitude, (word, code) = style["magnitude"], style["currency"]
    text = f"{render_number(low, False)}{separator}{render_number(high, False)}" \
           f"{' ' if style['space_before_magnitude'] else ''}{magnitude}{word}"
    amount = parse_amount(text.translate(TRADITIONAL) if style["traditional"] else text)
    assert amount is not None and amount.currency == code, text
    assert math.isclose(amount.value, low * MAGNITUDES[magnitude], rel_tol=1e-9), text
    assert math.isclose(amount.value_high, high * MAGNITUDES[magnitude], rel_tol=1e-9), text


@settings(max_examples=200, deadline=None)
@given(styles, st.sampled_from(["多", "余"]))
def test_a_trailing_more_is_a_qualifier(style, more):
    whole = int(style["number"])
    magnitude, (word, code) = style["magnitude"], style["currency"]
    amount = parse_amount(f"{whole}{more}{magnitude}{word}")
    assert amount is not None and amount.qualifier == "over" and amount.currency == code
    assert math.isclose(amount.value, whole * MAGNITUDES[magnitude], rel_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(styles)
def test_a_loss_written_with_a_minus_reads_negative(style):
    number = render_number(style["number"], style["thousands"])
    magnitude, (word, code) = style["magnitude"], style["currency"]
    found = [a for a in find_amounts(f"归母净利润-{number}{magnitude}{word}") if a.unit == "currency"]
    assert len(found) == 1 and found[0].currency == code
    assert math.isclose(found[0].value, -style["number"] * MAGNITUDES[magnitude], rel_tol=1e-9)


@pytest.mark.parametrize("text", ["亿美元", "万亿元人民币", "超万亿美元的承诺", "億美元", "近亿元",
                                  "数据中心投资亿元级"])
def test_a_magnitude_without_digits_is_never_a_figure(text):
    assert [a for a in find_amounts(text) if a.unit == "currency"] == []


@pytest.mark.parametrize("text, value", [("上亿美元", 1e8), ("百亿美元", 1e10), ("数十亿美元", 1e9)])
def test_numeral_words_and_quantity_words_are_figures(text, value):
    amount = parse_amount(text)
    assert amount is not None and amount.currency == "USD" and amount.value == value


@pytest.mark.parametrize("text", ["GPT-4发布", "2024-2025年", "- 100亿美元", "第3季度营收"])
def test_a_dash_is_a_minus_only_when_it_is_attached_to_the_digits(text):
    assert all(a.value >= 0 for a in find_amounts(text))
