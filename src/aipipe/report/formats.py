"""Numbers for reading, in Chinese or English: money in 亿 or billions, counts in 亿 or millions.

A column's format decides both its header unit and its cells, so a table never mixes units:
Chinese headers say 亿美元 / 亿元 / 亿, English ones USD bn / CNY bn / million. Markdown cells get
thousands separators; CSV cells keep the same unit but plain digits, so a spreadsheet reads
them as numbers. Precision is one million in both languages (0.01 亿 = 0.001 bn = 1 million), the
precision of an SEC filing, so nothing is rounded away. Missing values stay empty, never zero.
"""

from __future__ import annotations

import math
from datetime import date, datetime

LANGS = ("zh", "en")

# fmt -> (divisor, decimals, zh unit, en unit)
SCALES = {
    "usd": {"zh": (1e8, 2, "亿美元"), "en": (1e9, 3, "USD bn")},
    "cny": {"zh": (1e8, 2, "亿元"), "en": (1e9, 3, "CNY bn")},
    "count": {"zh": (1e8, 2, "亿"), "en": (1e6, 1, "million")},
}
CURRENCY_UNITS = {"USD": ("美元", "USD"), "CNY": ("元", "CNY"), "RMB": ("元", "CNY"), "EUR": ("欧元", "EUR")}


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        return value is pd.NaT or (not isinstance(value, (str, bytes, list, dict)) and bool(pd.isna(value)))
    except (TypeError, ValueError):
        return False


def header(label: str, fmt: str, lang: str) -> str:
    """The column header with its unit: '资本支出（亿美元）', 'Capex (USD bn)'."""
    unit = unit_label(fmt, lang)
    if not unit:
        return label
    return f"{label}（{unit}）" if lang == "zh" else f"{label} ({unit})"


def unit_label(fmt: str, lang: str) -> str:
    if fmt in SCALES:
        return SCALES[fmt][lang][2]
    return ""


def scaled(value: object, fmt: str, lang: str) -> float | None:
    """The value in the column's display unit (e.g. USD → 亿美元), or None when missing."""
    if is_missing(value):
        return None
    divisor = SCALES[fmt][lang][0]
    return float(value) / divisor


def cell(value: object, fmt: str, lang: str, *, csv: bool = False, currency: str | None = None,
         unit: str | None = None) -> str:
    """One cell as text. `currency` is for fmt 'money' and 'measure', `unit` for 'measure' (per row)."""
    if is_missing(value):
        return ""
    if fmt == "measure":
        return measure(value, unit, currency, lang, csv=csv)
    if fmt in SCALES:
        divisor, decimals, _ = SCALES[fmt][lang]
        return _number(float(value) / divisor, decimals, csv)
    if fmt == "money":
        return money(value, currency, lang, csv=csv)
    if fmt == "pct":
        return f"{float(value) * 100:.1f}%"
    if fmt == "pct_points":  # already in percent
        return f"{float(value):.1f}%"
    if fmt == "int":
        return f"{int(value)}" if csv else f"{int(value):,}"
    if fmt == "year":
        return str(int(value))
    if fmt == "date":
        return value.isoformat()[:10] if isinstance(value, (date, datetime)) else str(value)[:10]
    if fmt == "bool":
        yes_no = {"zh": ("是", "否"), "en": ("yes", "no")}[lang]
        return yes_no[0] if value else yes_no[1]
    if fmt == "number":
        return _number(float(value), 2, csv)
    return str(value)


def money(value: object, currency: str | None, lang: str, *, csv: bool = False) -> str:
    """A money amount with its unit in the cell: '1,645.01亿美元', 'USD 164.501 bn'."""
    if is_missing(value):
        return ""
    code = (currency or "").upper()
    trim = (lambda text: text) if csv else _trim
    zh_unit, en_code = CURRENCY_UNITS.get(code, (code, code))
    amount = float(value)
    if lang == "zh":
        if abs(amount) >= 1e8:
            return f"{trim(_number(amount / 1e8, 2, csv))}亿{zh_unit}"
        if abs(amount) >= 1e4:
            return f"{trim(_number(amount / 1e4, 0, csv))}万{zh_unit}"
        return f"{_number(amount, 0, csv)}{zh_unit}"
    if abs(amount) >= 1e9:
        text = f"{trim(_number(amount / 1e9, 3, csv))} bn"
    elif abs(amount) >= 1e6:
        text = f"{trim(_number(amount / 1e6, 1, csv))} million"
    else:
        text = _number(amount, 0, csv)
    return f"{en_code} {text}".strip()


def measure(value: object, unit: str | None, currency: str | None, lang: str, *, csv: bool = False) -> str:
    """A figure whose unit varies by row (the article's claims): money, percent, count or other."""
    if is_missing(value):
        return ""
    unit = (unit or "").lower()
    if unit == "currency" or (not unit and currency):
        return money(value, currency, lang, csv=csv)
    if unit in ("percent", "pct"):
        return f"{float(value):.4g}%"
    if isinstance(value, str):
        return value
    amount = float(value)
    if unit == "count":
        if lang == "zh":
            if abs(amount) >= 1e8:
                return f"{_number(amount / 1e8, 2, csv)}亿"
            if abs(amount) >= 1e4:
                return f"{_number(amount / 1e4, 1, csv)}万"
        elif abs(amount) >= 1e6:
            return f"{_number(amount / 1e6, 1, csv)} million"
        return f"{amount:g}"
    return f"{amount:g} {unit}".strip()


def _trim(text: str) -> str:
    """'1,400.00' -> '1,400', '0.910' -> '0.91': a figure in a sentence needs no padding zeros."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(value: float, decimals: int, csv: bool) -> str:
    text = f"{value:.{decimals}f}" if csv else f"{value:,.{decimals}f}"
    return text
