"""Money, quantity and percent phrases in English and Chinese, as base-unit amounts.

`find_amounts` scans free text (news prose, a Markdown table cell, a headline) and returns every
figure it states, with the character span it came from; `parse_amount` reads one figure from a
short string such as a table cell. Values are in base units: `$1.4 billion` → 1.4e9 USD,
`36万` → 360000 (a count), `35%` → 35.0 (a percent).

What is understood:
- scales: billion/bn/B, million/mn/M, thousand/k, trillion/tn; 万, 亿, 千万, 百亿, 万亿 …
- currencies: `$`, `US$`, `USD`, `美元` → USD; `¥`, `RMB`, `CNY`, `元`, `人民币` → CNY; a few
  others (EUR, GBP, HKD, JPY) are named so they are never mistaken for USD/CNY.
- ranges `US$12–13 billion`, `120-130亿美元`, `$500 million to $1 billion` (low ≤ high; a
  descending pair is not a range).
- qualifiers before or after the figure (over / about / nearly / under / up_to):
  超过、逾、突破、约、近、接近、不超过、不到、以上、左右, more than, about, up to, `<`, `~` …
- full-width digits and punctuation (１２３，．％＄), Chinese numerals (`一千二百万`,
  `百分之三十五`) and bare magnitudes (`百亿美元` ≈ 1e10, `上亿美元` = over 1e8).

What is deliberately skipped (not amounts): years (`2024年`, a bare 1900–2100 integer), dates and
times, months (`6月`), quarter/half labels (`Q1`, `H1`), model names (`GPT-4`, `5G`), leading-zero
labels (`01`), ordinals (`第3`), and Chinese numerals in ordinary words (`一场`, `千万不要`).
A minus sign attached to a figure's digits is read (`-1.93亿元`, a loss); words of decline (下降,
fell) are not signs. A magnitude with no numeral before it (`亿美元`, `万亿元`) is never a figure:
`百亿美元` and `上亿美元` are. English number words ("a billion", "one million") are not read;
Chinese numerals are.

Chinese styles: simplified and traditional (億 萬 幣 過 約 … are folded to their simplified
forms first, one character for one), half- and full-width, one space allowed between number,
magnitude and currency (`突破 5 亿美元`, `3,800 億美元`, `约合人民币 1392.7 亿元`), currencies
美元 美金 人民币 元 港元 港币 新台币 欧元 英镑 日元.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

import cn2an

from aipipe.normalize.number_patterns import (
    CN_DIGITS,
    CN_PCT_RE,
    CN_RE,
    DATE_RE,
    DATEISH_NEXT,
    DIGIT_RE,
    DIGIT_SINGLE_RE,
    EN_COUNTER_RE,
    PER_UNITS,
    ZH_COUNTER_RE,
)
from aipipe.normalize.vocabulary import (
    CURRENCY,
    EN_QUALIFIER,
    EN_SCALE_VALUES,
    EN_SYMBOL,
    FALSE_QUALIFIER_WORDS,
    PREFIX_QUALIFIERS,
    SCALE_CHAR,
    TRAIL_QUALIFIERS,
    ZH_QUALIFIER,
    ZH_SUFFIX,
    fold_width,
)

__all__ = [
    "Amount",
    "find_amounts",
    "fold_width",
    "format_amount",
    "parse_amount",
]


@dataclass(frozen=True)
class Amount:
    """One figure found in text.

    `value` and `value_high` are in base units (1.4e9 for "$1.4 billion"; 35.0 for "35%").
    `value_high` is set only for ranges. `unit` is 'currency', 'count' or 'percent'. `counter`
    is the measure word or noun that follows a count (人, 家, 岁, 个月, users …). `per` is the
    period of a price ('month', 'year', 'user'). `raw` is the exact source text, `span` its
    (start, end) in the text that was scanned, qualifier words included.
    """

    value: float
    value_high: float | None
    currency: str | None
    unit: str
    qualifier: str | None
    raw: str
    span: tuple[int, int]
    counter: str | None = None
    per: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Plain data (JSON-safe) view of the amount."""
        data = asdict(self)
        data["span"] = list(self.span)
        return data



# ---------------------------------------------------------------------------------------------
# Public API


def find_amounts(text: str) -> list[Amount]:
    """Every money, count and percent figure in `text`, in order of appearance."""
    return _scan(text, lenient=False)


def parse_amount(text: str) -> Amount | None:
    """The first figure in a short string such as a table cell (`$72亿`, `约55亿美元`).

    Unlike `find_amounts`, a bare number that looks like a year ("2024") is accepted, since a
    cell holding only a number is meant as a number. Returns None when there is no figure.
    """
    found = _scan(text, lenient=True)
    return found[0] if found else None


def format_amount(amount: Amount, lang: str = "en") -> str:
    """Render an amount as an English ("about $12–13 billion") or Chinese ("约120-130亿美元")
    phrase that `parse_amount` reads back to the same value, currency, unit and qualifier."""
    if lang not in ("en", "zh"):
        raise ValueError(f"numbers: format_amount: unknown lang {lang!r}; use 'en' or 'zh'")
    values = [amount.value] + ([amount.value_high] if amount.value_high is not None else [])
    if amount.unit == "percent":
        body = "-".join(_plain(v) for v in values) + "%"
    elif lang == "en":
        divisor, word = _en_scale_for(max(abs(v) for v in values))
        body = "–".join(_plain(v / divisor) for v in values) + (f" {word}" if word else "")
        if amount.unit == "currency" and amount.currency:
            body = EN_SYMBOL.get(amount.currency, f"{amount.currency} ") + body
    else:
        divisor, word = _zh_scale_for(max(abs(v) for v in values))
        body = "-".join(_plain(v / divisor) for v in values) + word
        if amount.unit == "currency" and amount.currency:
            body += ZH_SUFFIX.get(amount.currency, amount.currency)
    table = EN_QUALIFIER if lang == "en" else ZH_QUALIFIER
    return table.get(amount.qualifier or "", "") + body


# ---------------------------------------------------------------------------------------------
# Scanning


def _scan(text: str, *, lenient: bool) -> list[Amount]:
    folded = fold_width(text)
    blocked = [m.span() for m in DATE_RE.finditer(folded)] if not lenient else []
    found: list[Amount] = []
    for amount in _scan_digits(text, folded, lenient):
        found.append(amount)
    for regex, builder in ((CN_RE, _from_chinese), (CN_PCT_RE, _from_chinese_percent)):
        for match in regex.finditer(folded):
            amount = builder(text, folded, match, lenient)
            if amount is not None:
                found.append(amount)
    kept = [a for a in found if not any(_overlaps(a.span, span) for span in blocked)]
    return _non_overlapping(kept)


def _scan_digits(text: str, folded: str, lenient: bool) -> list[Amount]:
    """Digit-based figures. A pair that is not really a range (descending, "from X to Y",
    a span of years) is re-read as its first number, and scanning resumes after that number,
    so the second number is still seen."""
    amounts: list[Amount] = []
    pos = 0
    while (match := DIGIT_RE.search(folded, pos)) is not None:
        if match.group("n2") is not None and not _range_ok(folded, match):
            single = DIGIT_SINGLE_RE.match(folded, match.start())
            assert single is not None  # the range pattern's prefix is the single pattern
            match = single
        amount = _from_digits(text, folded, match, lenient)
        if amount is not None:
            amounts.append(amount)
        pos = max(match.end(), match.start() + 1)
    return amounts


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _non_overlapping(amounts: list[Amount]) -> list[Amount]:
    """Keep the earliest, then longest, of overlapping matches."""
    kept: list[Amount] = []
    for amount in sorted(amounts, key=lambda a: (a.span[0], -(a.span[1] - a.span[0]))):
        if kept and _overlaps(kept[-1].span, amount.span):
            continue
        kept.append(amount)
    return kept


def _from_digits(text: str, folded: str, match: re.Match[str], lenient: bool) -> Amount | None:
    groups = dict(match.groupdict())
    groups.setdefault("n2", None)
    if groups["n2"] is None and groups.get("pct1"):
        # a lone "35%" is parsed by the range pattern's first percent slot
        groups["pct"] = groups["pct"] or groups["pct1"]
    currency = _currency(groups["cur1"]) or _currency(groups.get("cur2")) or _currency(groups["cursuf"])
    scale_low = _scale(groups["sc1"])
    scale_high = _scale(groups.get("sc2"))
    single_letter = [s for s in (groups["sc1"], groups.get("sc2")) if s and len(s.strip()) == 1 and s.islower()]
    if single_letter and currency is None:
        return None  # "5b", "3m" without a currency are section labels or metres, not amounts
    low = _to_float(groups["n1"]) * (scale_low or scale_high or 1.0)
    high = None
    if groups["n2"] is not None:
        high = _to_float(groups["n2"]) * (scale_high or scale_low or 1.0)
    elif groups.get("sign"):
        low = -low  # "-1.93亿元": a loss
    is_percent = bool(groups.get("pct") or groups.get("pct1"))
    unit = "percent" if is_percent else ("currency" if currency else "count")
    start, end = match.start(), match.end()
    if unit == "percent":
        currency = None
    has_scale = bool(scale_low or scale_high)
    counter, end = _counter_after(folded, end) if unit == "count" else (None, end)
    if unit == "count" and not has_scale and not lenient:
        if _looks_like_label(folded, match, counter):
            return None
    if groups["cur1"] is None and start > 0 and folded[start - 1] in "$¥€£":
        return None  # a currency we could not name (A$, S$ …): better no amount than a wrong one
    qualifier, start = _prefix_qualifier(folded, start)
    qualifier = qualifier or _trail_qualifier(groups["more"], groups["trail"])
    per = _per(folded, start, groups)
    return Amount(
        value=low,
        value_high=high,
        currency=currency,
        unit=unit,
        qualifier=qualifier,
        raw=text[start:end],
        span=(start, end),
        counter=counter,
        per=per,
    )


def _from_chinese(text: str, folded: str, match: re.Match[str], lenient: bool) -> Amount | None:
    groups = match.groupdict()
    numeral = groups["cn"] + (groups["cnsc"] or "")
    start, end = match.start(), match.end()
    if start > 0 and folded[start - 1] == "第":
        return None  # ordinal
    base = _chinese_value(groups["cn"])
    if base is None:
        return None
    value = base * _scale_chars(groups["cnsc"] or "")
    currency = _currency(groups["cur1"]) or _currency(groups["cursuf"])
    unit = "percent" if groups["pct"] else ("currency" if currency else "count")
    counter, end = _counter_after(folded, end) if unit == "count" else (None, end)
    if counter is None and unit == "count" and folded[end : end + 1] in ("年", "月", "日"):
        return None  # 十年, 三月: durations and dates
    qualifier, start = _prefix_qualifier(folded, start)
    magnitude_only = not any(ch in CN_DIGITS for ch in groups["cn"])
    if not groups["cnpre"] and not any(ch in CN_DIGITS + "十百千" for ch in groups["cn"]):
        # A magnitude with no numeral (亿美元, 万亿元: the digits before it were not read, or it
        # is a word) is never a figure; 百亿美元 and 上亿美元 are.
        return None
    has_scale_char = any(ch in "十百千万亿" for ch in numeral)
    has_big_scale = any(ch in "万亿" for ch in numeral)
    strong = bool(currency) or unit == "percent"
    if groups["cnpre"]:
        qualifier = qualifier or "over"  # 上亿, 数十亿: "upwards of"
    elif magnitude_only:
        # 百亿美元: an order of magnitude. Needs a currency, a counter or a qualifier so that
        # words such as 百度, 千万(不要), 万一, 十分 are not taken for numbers.
        if not (strong or counter or qualifier):
            return None
        qualifier = qualifier or "about"
    elif not (strong or has_big_scale or (has_scale_char and (counter or lenient))):
        return None  # 一个, 两家, 三大, 一场: numerals in ordinary words
    qualifier = qualifier or _trail_qualifier(groups["more"], groups["trail"])
    return Amount(
        value=value,
        value_high=None,
        currency=None if unit == "percent" else currency,
        unit=unit,
        qualifier=qualifier,
        raw=text[start:end],
        span=(start, end),
        counter=counter,
        per=_per(folded, start, groups),
    )


def _from_chinese_percent(text: str, folded: str, match: re.Match[str], lenient: bool) -> Amount | None:
    number = match.group("num")
    value = _to_float(number) if number[0].isdigit() else _chinese_value(number)
    if value is None:
        return None
    start, end = match.span()
    qualifier, start = _prefix_qualifier(folded, start)
    return Amount(value, None, None, "percent", qualifier, text[start:end], (start, end))


# ---------------------------------------------------------------------------------------------
# Helpers


def _range_ok(folded: str, match: re.Match[str]) -> bool:
    """A matched pair is a range only if ascending and not "from X to Y" (a change)."""
    groups = match.groupdict()
    low = _to_float(groups["n1"]) * (_scale(groups["sc1"]) or _scale(groups["sc2"]) or 1.0)
    high = _to_float(groups["n2"]) * (_scale(groups["sc2"]) or _scale(groups["sc1"]) or 1.0)
    if low > high:
        return False
    before = folded[max(0, match.start() - 6) : match.start()].lower()
    if re.search(r"(from|从|由)\s?$", before):
        return False
    # "2010-2015年": a span of years, not a count range
    return not (folded[match.end() : match.end() + 1] == "年" and groups["sc2"] is None)


def _looks_like_label(folded: str, match: re.Match[str], counter: str | None) -> bool:
    """Bare integers that are years, dates, model names, labels or ordinals."""
    number = match.group("n1")
    start, end = match.start(), match.end()
    before = folded[max(0, start - 2) : start]
    after = folded[end : end + 2]
    if before[-1:].isascii() and before[-1:].isalpha():
        return True  # Q1, H20, FY2024
    if len(before) == 2 and before[1] == "-" and before[0].isascii() and before[0].isalpha():
        return True  # GPT-4
    if before[-1:] in ("第", "#"):
        return True
    if counter is None and after[:1].isascii() and after[:1].isalpha():
        return True  # 5G, 3D, 4o
    if after.startswith(".") and after[1:2].isdigit():
        return True  # version 2.5.1
    if counter is None and after.startswith(DATEISH_NEXT):
        return True  # 6月, 2024年, 3点
    if len(number) > 1 and number.startswith("0") and "." not in number:
        return True  # "01" section labels
    if counter is None and re.fullmatch(r"(19|20)\d\d", number) and match.groupdict().get("n2") is None:
        return True  # a year
    return False


def _counter_after(folded: str, end: int) -> tuple[str | None, int]:
    """The measure word after a count (人, 家, 个月, users) and the new end of the match."""
    for regex in (ZH_COUNTER_RE, EN_COUNTER_RE):
        found = regex.match(folded, end)
        if found:
            return found.group("counter"), found.end()
    return None, end


def _prefix_qualifier(folded: str, start: int) -> tuple[str | None, int]:
    """Qualifier words just before the figure; returns it and the widened start."""
    head = folded[max(0, start - 16) : start]
    stripped = head.rstrip(" ")
    lowered = stripped.lower()
    for phrase, qualifier in PREFIX_QUALIFIERS:
        if not lowered.endswith(phrase):
            continue
        cut = len(stripped) - len(phrase)
        if phrase[0].isascii() and phrase[0].isalpha() and _ascii_letter(stripped[cut - 1 : cut]):
            continue  # "turnover", "someone"
        if any(lowered.endswith(word) for word in FALSE_QUALIFIER_WORDS):
            return None, start
        return qualifier, start - (len(head) - cut)
    return None, start


def _ascii_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _trail_qualifier(more: str | None, trail: str | None) -> str | None:
    for word in (trail, more):
        if word:
            return TRAIL_QUALIFIERS[word]
    return None


def _per(folded: str, start: int, groups: dict[str, str | None]) -> str | None:
    unit = groups.get("per_unit")
    if unit is None and folded[max(0, start - 2) : start] == "每月":
        unit = "月"
    if unit is None:
        return None
    return PER_UNITS.get(unit.lower(), unit.lower())


def _currency(token: str | None) -> str | None:
    if not token:
        return None
    key = re.sub(r"[\s.]", "", token).upper()
    if key.startswith("U") and key.endswith("$"):
        key = "US$"
    return CURRENCY.get(key) or CURRENCY.get(token.strip())


def _scale(token: str | None) -> float | None:
    if not token:
        return None
    token = token.strip()
    if token[0] in SCALE_CHAR:
        return _scale_chars(token)
    return EN_SCALE_VALUES[token.lower()]


def _scale_chars(chars: str) -> float:
    return math.prod(SCALE_CHAR[ch] for ch in chars) if chars else 1.0


def _to_float(number: str) -> float:
    return float(number.replace(",", ""))


# cn2an rejects malformed numerals with ValueError, and a few (一亿一) with KeyError.
_CN2AN_ERRORS = (ValueError, KeyError, IndexError)


def _chinese_value(numeral: str) -> float | None:
    """Value of a Chinese numeral (`一千二百万`, `二点五亿`, bare `百亿` = 1e10) or None."""
    if numeral[0] in "百千万亿":
        numeral = "一" + numeral
    try:
        return float(cn2an.cn2an(numeral, "normal"))
    except _CN2AN_ERRORS:
        pass
    decimal = re.fullmatch(r"(.*点[零〇一二三四五六七八九]+)([十百千万亿]+)", numeral)
    if decimal is None:
        return None
    try:
        return float(cn2an.cn2an(decimal.group(1), "normal")) * _scale_chars(decimal.group(2))
    except _CN2AN_ERRORS:
        return None


def _plain(number: float) -> str:
    """Shortest decimal text for a number (no exponent, no trailing zeros)."""
    text = f"{number:.10f}".rstrip("0").rstrip(".")
    return text or "0"


def _en_scale_for(value: float) -> tuple[float, str]:
    for divisor, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= divisor:
            return divisor, word
    return 1.0, ""


def _zh_scale_for(value: float) -> tuple[float, str]:
    for divisor, word in ((1e12, "万亿"), (1e8, "亿"), (1e4, "万")):
        if value >= divisor:
            return divisor, word
    return 1.0, ""
