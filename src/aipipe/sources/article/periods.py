"""Time expressions of the article (2024年, 2025年第一季度, 今年6月, 年底, 最新, 过去一年 …) and
the period each resolves to, relative to the article's publication date."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    claimed: str
    start: date | None
    end: date | None


def month_period(year: int, month: int, label: str | None = None) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(label or f"{year}-{month:02d}", date(year, month, 1), date(year, month, last))


def period_rules(published: date) -> list[tuple[str, Callable[[re.Match[str]], Period]]]:
    """Time expressions, most specific first, each with how it resolves."""
    year = published.year

    def quarter(y: int, q: int) -> Period:
        start = date(y, 3 * q - 2, 1)
        return Period(f"{y}Q{q}", start, month_period(y, 3 * q).end)

    def half(y: int, which: str) -> Period:
        if which == "上":
            return Period(f"{y}H1", date(y, 1, 1), date(y, 6, 30))
        return Period(f"{y}H2", date(y, 7, 1), date(y, 12, 31))

    cn_quarter = {"一": 1, "二": 2, "三": 3, "四": 4}
    return [
        (
            r"(?P<y1>\d{4})\s?[-–—~至到]\s?(?P<y2>\d{4})年",
            lambda m: Period(
                f"{m['y1']}–{m['y2']} (each year)",
                date(int(m["y1"]), 1, 1),
                date(int(m["y2"]), 12, 31),
            ),
        ),
        (r"(?P<y>\d{4})年年?[底末]", lambda m: month_period(int(m["y"]), 12)),
        (r"(?P<y>\d{4})年(?P<m>\d{1,2})月", lambda m: month_period(int(m["y"]), int(m["m"]))),
        (r"(?P<y>\d{4})年(?P<h>上|下)半年", lambda m: half(int(m["y"]), m["h"])),
        (r"(?P<y>\d{4})年\s?Q(?P<q>[1-4])", lambda m: quarter(int(m["y"]), int(m["q"]))),
        (
            r"(?P<y>\d{4})年第(?P<q>[一二三四])季度",
            lambda m: quarter(int(m["y"]), cn_quarter[m["q"]]),
        ),
        (
            r"(?P<y>\d{4})年",
            lambda m: Period(m["y"], date(int(m["y"]), 1, 1), date(int(m["y"]), 12, 31)),
        ),
        (r"今年(?P<m>\d{1,2})月", lambda m: month_period(year, int(m["m"]))),
        (r"今年(?P<h>上|下)半年", lambda m: half(year, m["h"])),
        (r"今年", lambda m: Period(str(year), date(year, 1, 1), date(year, 12, 31))),
        (r"去年", lambda m: Period(str(year - 1), date(year - 1, 1, 1), date(year - 1, 12, 31))),
        (r"年[底末]", lambda m: month_period(year, 12)),
        (r"最新|目前|截至目前", lambda m: Period(f"{published:%Y-%m} (latest)", None, published)),
        (
            r"过去一年",
            lambda m: Period(
                f"past year (to {published.isoformat()})",
                _one_year_before(published) + timedelta(days=1),
                published,
            ),
        ),
        (r"(?P<n>\d+)个月", lambda m: Period(f"{m['n']} months after launch", None, None)),
        (r"上线数月", lambda m: Period("a few months after launch", None, None)),
    ]


def _one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


UNDATED = Period("undated", None, None)
