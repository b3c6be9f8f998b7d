"""Number normalisation: every form the article and the news pages use, plus properties."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aipipe.normalize.numbers import Amount, find_amounts, fold_width, format_amount, parse_amount

# text, value, value_high, currency, unit, qualifier
EXAMPLES = [
    ("$1.4 billion", 1.4e9, None, "USD", "currency", None),
    ("$500M", 5e8, None, "USD", "currency", None),
    ("US$12–13 billion", 12e9, 13e9, "USD", "currency", None),
    ("1,200万美元", 1.2e7, None, "USD", "currency", None),
    ("55亿美元", 5.5e9, None, "USD", "currency", None),
    ("$72亿", 7.2e9, None, "USD", "currency", None),
    ("5000亿元人民币", 5e11, None, "CNY", "currency", None),
    ("人民币5000亿元", 5e11, None, "CNY", "currency", None),
    ("0.3亿元", 3e7, None, "CNY", "currency", None),
    ("2.7亿", 2.7e8, None, None, "count", None),
    ("36万", 3.6e5, None, None, "count", None),
    ("35%", 35.0, None, None, "percent", None),
    ("120-130亿美元", 1.2e10, 1.3e10, "USD", "currency", None),
    ("600-1000亿美元", 6e10, 1e11, "USD", "currency", None),
    ("$9100万", 9.1e7, None, "USD", "currency", None),
    ("$27.5亿", 2.75e9, None, "USD", "currency", None),
    ("RMB 500 billion", 5e11, None, "CNY", "currency", None),
    ("500 billion yuan", 5e11, None, "CNY", "currency", None),
    ("¥300亿", 3e10, None, "CNY", "currency", None),
    ("￥300亿", 3e10, None, "CNY", "currency", None),
    ("768亿元", 7.68e10, None, "CNY", "currency", None),
    ("$500 million to $1 billion", 5e8, 1e9, "USD", "currency", None),
    ("12 to 13 billion dollars", 12e9, 13e9, "USD", "currency", None),
    ("5%-10%", 5.0, 10.0, None, "percent", None),
    ("12.1%", 12.1, None, None, "percent", None),
    ("fell 5.5 percent", 5.5, None, None, "percent", None),
    ("１２３，４５６美元", 123456.0, None, "USD", "currency", None),
    ("３５．５％", 35.5, None, None, "percent", None),
    ("＄１．４ billion", 1.4e9, None, "USD", "currency", None),
    ("一千二百万美元", 1.2e7, None, "USD", "currency", None),
    ("二点五亿元", 2.5e8, None, "CNY", "currency", None),
    ("百分之三十五", 35.0, None, None, "percent", None),
    ("三十六万用户", 3.6e5, None, None, "count", None),
    ("百亿美元", 1e10, None, "USD", "currency", "about"),
    ("上亿美元", 1e8, None, "USD", "currency", "over"),
    ("数十亿美元", 1e9, None, "USD", "currency", "over"),
    ("100多亿美元", 1e10, None, "USD", "currency", "over"),
    ("超36万", 3.6e5, None, None, "count", "over"),
    ("超过1000万美元", 1e7, None, "USD", "currency", "over"),
    ("逾5亿元", 5e8, None, "CNY", "currency", "over"),
    ("突破100亿美元", 1e10, None, "USD", "currency", "over"),
    ("约4000亿美元", 4e11, None, "USD", "currency", "about"),
    ("大约55亿美元", 5.5e9, None, "USD", "currency", "about"),
    ("近300%", 300.0, None, None, "percent", "nearly"),
    ("接近300%", 300.0, None, None, "percent", "nearly"),
    ("不会超过5000亿元人民币", 5e11, None, "CNY", "currency", "up_to"),
    ("不超过5000亿元", 5e11, None, "CNY", "currency", "up_to"),
    ("不到1亿美元", 1e8, None, "USD", "currency", "under"),
    ("70%以上", 70.0, None, None, "percent", "over"),
    ("1000万美元左右", 1e7, None, "USD", "currency", "about"),
    ("超千家", 1000.0, None, None, "count", "over"),
    ("more than $1.4 billion", 1.4e9, None, "USD", "currency", "over"),
    ("over 35%", 35.0, None, None, "percent", "over"),
    ("about $12–13 billion", 12e9, 13e9, "USD", "currency", "about"),
    ("nearly $20bn", 2e10, None, "USD", "currency", "nearly"),
    ("up to $72 billion", 7.2e10, None, "USD", "currency", "up_to"),
    ("under 5 million users", 5e6, None, None, "count", "under"),
    ("<5000亿元", 5e11, None, "CNY", "currency", "under"),
    ("~$5bn", 5e9, None, "USD", "currency", "about"),
    ("HK$5 billion", 5e9, None, "HKD", "currency", None),
    ("€2.5bn", 2.5e9, None, "EUR", "currency", None),
]


@pytest.mark.parametrize(("text", "value", "high", "currency", "unit", "qualifier"), EXAMPLES)
def test_parse_amount_examples(text, value, high, currency, unit, qualifier):
    amount = parse_amount(text)
    assert amount is not None, text
    assert math.isclose(amount.value, value, rel_tol=1e-12)
    if high is None:
        assert amount.value_high is None
    else:
        assert math.isclose(amount.value_high, high, rel_tol=1e-12)
    assert (amount.currency, amount.unit, amount.qualifier) == (currency, unit, qualifier)
    assert amount.raw == text[amount.span[0] : amount.span[1]]


@pytest.mark.parametrize(
    "text",
    [
        "GPT-4",
        "5G network",
        "Q1",
        "2025年Q1",
        "2024年",
        "2010-2015年",
        "今年6月",
        "2025-08-07 19:03 发布于 北京",
        "## 01 | 美国AI资本狂飙",
        "千万不要",
        "百度",
        "一个AWS级别的业务",
        "两家合计",
        "万亿级投入",
        "第3名",
        "version 2.5.1",
        "A$5 billion",  # a dollar we cannot name is not reported as USD
        "In 2011, Marc Andreessen",
    ],
)
def test_not_amounts(text):
    assert find_amounts(text) == []


def test_counters_and_price_period():
    assert [(a.value, a.counter) for a in find_amounts("原华团队120人中，40名核心骨干")] == [
        (120.0, "人"),
        (40.0, "名"),
    ]
    age = find_amounts("任命年仅26岁的Alexandr Wang")
    assert [(a.value, a.counter, a.raw) for a in age] == [(26.0, "岁", "26岁")]
    price = parse_amount("定价20美元/月")
    assert (price.value, price.currency, price.per) == (20.0, "USD", "month")
    assert parse_amount("$20 per month").per == "month"
    users = parse_amount("Cursor has 1.2 million users")
    assert (users.value, users.counter) == (1.2e6, "users")


def test_descending_pair_is_two_numbers_not_a_range():
    found = find_amounts("130-120亿")
    assert [a.value_high for a in found] == [None, None]
    assert [a.value for a in found] == [130.0, 1.2e10]


def test_from_to_is_a_change_not_a_range():
    found = find_amounts("revenue grew from $5bn to $10bn")
    assert [(a.value, a.value_high) for a in found] == [(5e9, None), (1e10, None)]


def test_fullwidth_comma_is_punctuation_between_ascii_digits():
    assert [a.value for a in find_amounts("分别为100，200，300")] == [100.0, 200.0, 300.0]
    assert fold_width("１，２００") == "1,200"
    assert fold_width("100，200") == "100，200"


def test_find_amounts_in_article_sentence_spans():
    text = (
        "最新《纽约时报》报道，年化收入已达120-130亿美元，预计年底将达到200亿美元，年增幅接近300%。"
    )
    found = find_amounts(text)
    assert [(a.value, a.value_high, a.unit, a.qualifier) for a in found] == [
        (1.2e10, 1.3e10, "currency", None),
        (2e10, None, "currency", None),
        (300.0, None, "percent", "nearly"),
    ]
    for amount in found:
        assert text[amount.span[0] : amount.span[1]] == amount.raw


def test_scale_ai_sentence():
    found = find_amounts("公司不仅斥资百亿美元收购Scale AI 49%股份，还投入上亿美元挖掘顶尖人才")
    assert [(a.value, a.unit, a.qualifier) for a in found] == [
        (1e10, "currency", "about"),
        (49.0, "percent", None),
        (1e8, "currency", "over"),
    ]


def test_to_dict_is_plain_data():
    data = parse_amount("约55亿美元").to_dict()
    assert data == {
        "value": 5.5e9,
        "value_high": None,
        "currency": "USD",
        "unit": "currency",
        "qualifier": "about",
        "raw": "约55亿美元",
        "span": [0, 6],
        "counter": None,
        "per": None,
    }


def test_format_amount_examples():
    amount = parse_amount("约120-130亿美元")
    assert format_amount(amount, "en") == "about $12–13 billion"
    assert format_amount(amount, "zh") == "约120-130亿美元"
    assert format_amount(parse_amount("不会超过5000亿元人民币"), "zh") == "不超过5000亿元"
    with pytest.raises(ValueError, match="unknown lang"):
        format_amount(amount, "fr")


# ---------------------------------------------------------------------------------------------
# Properties

QUALIFIERS = [None, "over", "about", "nearly", "under", "up_to"]


@st.composite
def amounts(draw) -> Amount:
    unit = draw(st.sampled_from(["currency", "count", "percent"]))
    currency = draw(st.sampled_from(["USD", "CNY"])) if unit == "currency" else None
    if unit == "percent":
        low = draw(st.integers(1, 99_999)) / 100
        scale = 1.0
    else:
        low = draw(st.integers(1, 9_999)) / draw(st.sampled_from([1, 10, 100]))
        scale = draw(st.sampled_from([1e4, 1e6, 1e8, 1e9, 1e10, 1e12]))
    high = None
    if draw(st.booleans()):
        high = (low + draw(st.integers(1, 5_000)) / 10) * scale
    return Amount(
        value=low * scale,
        value_high=high,
        currency=currency,
        unit=unit,
        qualifier=draw(st.sampled_from(QUALIFIERS)),
        raw="",
        span=(0, 0),
    )


def _same(parsed: Amount | None, expected: Amount) -> None:
    assert parsed is not None
    assert math.isclose(parsed.value, expected.value, rel_tol=1e-9)
    if expected.value_high is None:
        assert parsed.value_high is None
    else:
        assert math.isclose(parsed.value_high, expected.value_high, rel_tol=1e-9)
    assert (parsed.currency, parsed.unit, parsed.qualifier) == (
        expected.currency,
        expected.unit,
        expected.qualifier,
    )


@settings(max_examples=200)
@given(amount=amounts(), lang=st.sampled_from(["en", "zh"]))
def test_format_then_parse_round_trips(amount, lang):
    text = format_amount(amount, lang)
    _same(parse_amount(text), amount)


_FULLWIDTH = str.maketrans("0123456789.%$-", "０１２３４５６７８９．％＄－")


@settings(max_examples=200)
@given(amount=amounts(), lang=st.sampled_from(["en", "zh"]))
def test_fullwidth_digits_parse_the_same(amount, lang):
    text = format_amount(amount, lang)
    wide = text.translate(_FULLWIDTH)
    parsed, parsed_wide = parse_amount(text), parse_amount(wide)
    _same(parsed_wide, parsed)
    assert parsed_wide.span == parsed.span
    assert parsed_wide.raw == wide[parsed.span[0] : parsed.span[1]]


@settings(max_examples=200)
@given(
    items=st.lists(st.tuples(amounts(), st.sampled_from(["en", "zh"])), min_size=1, max_size=4),
    filler=st.sampled_from(["；另外，", " | ", "。然后 ", ", and the other was "]),
)
def test_find_amounts_in_running_text(items, filler):
    for amount, _ in items:
        # a bare count such as "2000" is read as a year in running text, by design
        assume(not (amount.unit == "count" and 1900 <= amount.value <= 2100))
    text = "据报道" + filler.join(format_amount(a, lang) for a, lang in items) + "。"
    found = find_amounts(text)
    assert len(found) == len(items), (text, found)
    for parsed, (expected, _) in zip(found, items, strict=True):
        _same(parsed, expected)
        assert text[parsed.span[0] : parsed.span[1]] == parsed.raw


_TOKENS = list("0123456789.,-–%$¥ 亿万千百十一二三四五六七八九两点年月") + [
    "billion",
    " million",
    "US$",
    "美元",
    "元",
    "人民币",
    "超过",
    "约",
    "不超过",
    "以上",
    " to ",
    "１",
    "，",
    "．",
    "％",
]


@settings(max_examples=200)
@given(st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join))
def test_any_text_gives_well_formed_amounts(text):
    found = find_amounts(text)
    previous_end = 0
    for amount in found:
        start, end = amount.span
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == amount.raw
        assert math.isfinite(amount.value)
        # Only a minus sign written before the digits makes a figure negative.
        assert amount.value >= 0 or re.match(r"\D*-\d", fold_width(amount.raw))
        if amount.value_high is not None:
            assert amount.value <= amount.value_high
        assert amount.unit in ("currency", "count", "percent")
        assert (amount.currency is None) == (amount.unit != "currency")
        assert amount.qualifier in QUALIFIERS
        previous_end = end
