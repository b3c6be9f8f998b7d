"""The words of money in English and Chinese: scales (billion, 万, 亿), currencies, qualifiers,
measure words, and the width folding every scan starts with. Longer phrases come first wherever
one is a prefix of another. Used by aipipe.normalize.numbers."""

from __future__ import annotations

# Width folding. Every replacement is one character for one character, so spans found in the
# folded text are valid in the original.

FOLD_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if cp != 0xFF0C}
FOLD_TABLE.update(
    {
        0x3000: 0x20,  # ideographic space
        0x00A0: 0x20,  # no-break space
        0x202F: 0x20,  # narrow no-break space
        0x2009: 0x20,  # thin space
        0xFFE5: 0xA5,  # ￥ → ¥
        0xFFE1: 0xA3,  # ￡ → £
        0x301C: ord("~"),  # 〜 wave dash
        0x2212: ord("-"),  # minus sign
    }
)
# Traditional characters of the money vocabulary (Hong Kong and Taiwan text) → simplified, one
# for one: 億 萬 (magnitudes), 幣 圓 (currencies), 過 約 為 餘 達 將 會 於 (qualifiers), 歐 鎊 臺.
FOLD_TABLE.update({ord(t): ord(s) for t, s in zip("億萬幣圓過約為餘達將會於歐鎊臺", "亿万币元过约为余达将会于欧镑台",
                                                    strict=True)})
FW_DIGITS = "０１２３４５６７８９"
# After a full-width comma between ASCII digits, these mark the digits before as one amount
# ("1，000亿元"), so the comma groups thousands rather than separating a list.
_AMOUNT_AFTER = "万亿千百十元%美港"


def fold_width(text: str) -> str:
    """Map full-width ASCII forms to ASCII and traditional money characters to simplified,
    keeping the string's length (one character for one, so spans stay valid).

    The full-width comma `，` is ordinary Chinese punctuation, so it becomes `,` only when it
    groups thousands: inside a run of full-width digits (`１，２００`), or between ASCII digits
    when a magnitude or currency follows (`1，000 亿元`); `100，200` stays a list.
    """
    folded = list(text.translate(FOLD_TABLE))
    start = 0
    while (i := text.find("，", start)) != -1:
        start = i + 1
        before = folded[i - 1] if i > 0 else ""
        group = "".join(folded[i + 1 : i + 4])
        after = "".join(folded[i + 4 : i + 6]).lstrip(" ")[:1]
        if len(group) != 3 or not group.isdigit() or not before.isdigit() or after.isdigit():
            continue
        if text[i - 1] in FW_DIGITS or (after and after in _AMOUNT_AFTER):
            folded[i] = ","
    return "".join(folded)



SCALE_CHAR = {"十": 10.0, "百": 100.0, "千": 1e3, "万": 1e4, "亿": 1e8}
EN_SCALE_VALUES = {
    "trillion": 1e12,
    "tn": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "k": 1e3,
}

CURRENCY = {
    "US$": "USD",
    "U.S.$": "USD",
    "$": "USD",
    "USD": "USD",
    "DOLLARS": "USD",
    "USDOLLARS": "USD",
    "美元": "USD",
    "美金": "USD",
    "RMB": "CNY",
    "CNY": "CNY",
    "¥": "CNY",
    "YUAN": "CNY",
    "RENMINBI": "CNY",
    "人民币": "CNY",
    "元人民币": "CNY",
    "元": "CNY",
    "块钱": "CNY",
    "€": "EUR",
    "EUR": "EUR",
    "EURO": "EUR",
    "EUROS": "EUR",
    "欧元": "EUR",
    "£": "GBP",
    "GBP": "GBP",
    "英镑": "GBP",
    "HK$": "HKD",
    "HKD": "HKD",
    "港元": "HKD",
    "港币": "HKD",
    "新台币": "TWD",
    "台币": "TWD",
    "NT$": "TWD",
    "TWD": "TWD",
    "JPY": "JPY",
    "YEN": "JPY",
    "日元": "JPY",
}

# Qualifier phrases that precede a figure, longest first. English phrases must stand alone
# (not the tail of a longer word, e.g. "turnover").
PREFIX_QUALIFIERS: list[tuple[str, str]] = sorted(
    [
        ("不会超过", "up_to"),
        ("不超过", "up_to"),
        ("最多", "up_to"),
        ("最高", "up_to"),
        ("up to", "up_to"),
        ("as much as", "up_to"),
        ("at most", "up_to"),
        ("no more than", "up_to"),
        ("≤", "up_to"),
        ("<=", "up_to"),
        ("超过了", "over"),
        ("超过", "over"),
        ("超出", "over"),
        ("突破", "over"),
        ("多于", "over"),
        ("高于", "over"),
        ("至少", "over"),
        ("逾", "over"),
        ("超", "over"),
        ("more than", "over"),
        ("over", "over"),
        ("above", "over"),
        ("exceeding", "over"),
        ("in excess of", "over"),
        ("upwards of", "over"),
        ("at least", "over"),
        (">", "over"),
        ("≥", "over"),
        (">=", "over"),
        ("约合", "about"),
        ("约为", "about"),
        ("大约", "about"),
        ("大概", "about"),
        ("约", "about"),
        ("about", "about"),
        ("around", "about"),
        ("approximately", "about"),
        ("approx.", "about"),
        ("roughly", "about"),
        ("some", "about"),
        ("circa", "about"),
        ("~", "about"),
        ("≈", "about"),
        ("将近", "nearly"),
        ("接近", "nearly"),
        ("逼近", "nearly"),
        ("近", "nearly"),
        ("nearly", "nearly"),
        ("almost", "nearly"),
        ("close to", "nearly"),
        ("just under", "nearly"),
        ("不到", "under"),
        ("不足", "under"),
        ("低于", "under"),
        ("少于", "under"),
        ("less than", "under"),
        ("fewer than", "under"),
        ("under", "under"),
        ("below", "under"),
        ("<", "under"),
    ],
    key=lambda pair: -len(pair[0]),
)
# Words ending in a qualifier character that mean something else (最近 recently, 合约 contract).
FALSE_QUALIFIER_WORDS = ("最近", "附近", "合约", "节约", "签约", "预约", "制约", "赶超")
TRAIL_QUALIFIERS = {
    "以上": "over",
    "多": "over",
    "余": "over",
    "+": "over",
    "以下": "under",
    "以内": "up_to",
    "左右": "about",
    "上下": "about",
}

ZH_COUNTERS = "个百分点|个月|个小时|小时|分钟|家|人|名|位|个|款|岁|倍|次|户|台|张|条|篇|座|所|项|件|天|周"
EN_COUNTERS = (
    "users|customers|subscribers|employees|staff|people|companies|startups|developers|"
    "downloads|seats|members|jobs|workers|engineers"
)
DURATION_COUNTERS = {"个月", "个小时", "小时", "分钟", "天", "周"}


# How format_amount writes a currency and a qualifier.
EN_SYMBOL = {"USD": "$", "CNY": "RMB ", "EUR": "€", "GBP": "£", "HKD": "HK$", "JPY": "JPY ", "TWD": "NT$"}
ZH_SUFFIX = {
    "USD": "美元",
    "CNY": "元",
    "EUR": "欧元",
    "GBP": "英镑",
    "HKD": "港元",
    "JPY": "日元",
    "TWD": "新台币",
}
EN_QUALIFIER = {
    "over": "over ",
    "about": "about ",
    "nearly": "nearly ",
    "under": "under ",
    "up_to": "up to ",
}
ZH_QUALIFIER = {
    "over": "超过",
    "about": "约",
    "nearly": "接近",
    "under": "不到",
    "up_to": "不超过",
}


