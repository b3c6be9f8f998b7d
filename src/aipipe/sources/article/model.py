"""What the article parser produces: claim rows (`Claim`, `CLAIM_COLUMNS`), the article's own
metadata (`article_meta`: title and publication date), figures deliberately not made claims,
and the DataFrame the staging table is loaded from."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

import pandas as pd

CLAIM_COLUMNS = [
    "claim_id",
    "section",
    "entity",
    "metric",
    "value",
    "value_high",
    "unit",
    "currency",
    "currency_inferred",
    "qualifier",
    "period_claimed",
    "period_start",
    "period_end",
    "is_projection",
    "growth_of",
    "location_from",
    "location_to",
    "attributed_to",
    "raw",
    "context",
    "source_url",
    "article_date",
]


@dataclass(frozen=True)
class ArticleMeta:
    title: str
    published: date
    published_at: str  # as written, e.g. "2025-08-07 19:03"
    place: str | None


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One figure the article states. `value` is in base units (percent as 35.0); location
    claims (relocations) have no value and name `location_from`/`location_to` instead."""

    claim_id: str
    section: str
    entity: str
    metric: str
    unit: str
    period_claimed: str
    period_start: date | None
    period_end: date | None
    is_projection: bool
    raw: str
    context: str
    source_url: str
    article_date: date
    value: float | None = None
    value_high: float | None = None
    currency: str | None = None
    currency_inferred: bool = False
    qualifier: str | None = None
    growth_of: str | None = None
    location_from: str | None = None
    location_to: str | None = None
    attributed_to: str | None = None


@dataclass(frozen=True)
class SkippedFigure:
    section: str
    raw: str
    context: str
    reason: str


@dataclass
class ArticleParse:
    meta: ArticleMeta
    claims: list[Claim]
    skipped: list[SkippedFigure]


def claims_frame(claims: list[Claim]) -> pd.DataFrame:
    """Claims as a DataFrame with CLAIM_COLUMNS (dates as `datetime.date`, for DuckDB DATE)."""
    frame = pd.DataFrame([asdict(claim) for claim in claims], columns=CLAIM_COLUMNS)
    frame["value"] = frame["value"].astype("float64")
    frame["value_high"] = frame["value_high"].astype("float64")
    frame["is_projection"] = frame["is_projection"].astype(bool)
    frame["currency_inferred"] = frame["currency_inferred"].astype(bool)
    return frame


PUBLISHED_LINE = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})(?:\s+(?P<time>\d{1,2}:\d{2}))?\s*发布于\s*(?P<place>\S+)?",
    re.MULTILINE,
)


def article_meta(text: str) -> ArticleMeta:
    """Title and publication date, read from the article's own header lines."""
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "")
    published = PUBLISHED_LINE.search(text)
    if not title or published is None:
        raise ValueError(
            "article: no '# title' line or no 'YYYY-MM-DD HH:MM 发布于 PLACE' line; "
            "the publication date is needed to resolve 今年/年底/最新"
        )
    written = published.group("day") + (f" {published.group('time')}" if published.group("time") else "")
    return ArticleMeta(
        title=title,
        published=date.fromisoformat(published.group("day")),
        published_at=written,
        place=published.group("place"),
    )
