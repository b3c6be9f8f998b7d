"""The companies aipipe tracks from SEC EDGAR, their baskets, and the pinned XBRL tags per metric.

Both live in TOML files inside the package (`config/watchlist.toml`, `config/metrics.toml`);
`AIPIPE_WATCHLIST` points at another watchlist file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from aipipe.settings import CONFIG_DIR


@dataclass(frozen=True)
class Company:
    ticker: str
    cik: int
    baskets: tuple[str, ...]

    @property
    def cik10(self) -> str:
        return f"CIK{self.cik:010d}"


@dataclass(frozen=True)
class Watchlist:
    companies: dict[str, Company]
    baskets: dict[str, list[str]]
    refresh_baskets: list[str]

    def basket(self, name: str) -> list[Company]:
        try:
            return [self.companies[t] for t in self.baskets[name]]
        except KeyError as exc:
            raise KeyError(f"watchlist: basket {name!r} or ticker {exc} is not defined") from None

    def refresh_companies(self) -> list[Company]:
        seen: dict[str, Company] = {}
        for basket in self.refresh_baskets:
            for company in self.basket(basket):
                seen.setdefault(company.ticker, company)
        return list(seen.values())


def load_watchlist(path: Path | None = None) -> Watchlist:
    path = path or Path(os.environ.get("AIPIPE_WATCHLIST", CONFIG_DIR / "watchlist.toml"))
    config = tomllib.loads(Path(path).read_text())
    baskets = {name: [t.upper() for t in tickers] for name, tickers in config.get("baskets", {}).items()}
    companies = {}
    for ticker, cik in config.get("companies", {}).items():
        ticker = ticker.upper()
        member_of = tuple(name for name, tickers in baskets.items() if ticker in tickers)
        companies[ticker] = Company(ticker, int(cik), member_of)
    refresh = config.get("refresh", {}).get("baskets", list(baskets))
    return Watchlist(companies, baskets, refresh)


@dataclass(frozen=True)
class MetricTag:
    metric: str
    taxonomy: str
    concept: str
    priority: int
    per_share: bool


def load_metric_tags(path: Path | None = None) -> list[MetricTag]:
    """The pinned tag lists, flattened to rows with their priority (1 = preferred)."""
    config = tomllib.loads(Path(path or CONFIG_DIR / "metrics.toml").read_text())
    tags = []
    for metric, spec in config.items():
        per_share = bool(spec.get("per_share", False))
        for taxonomy, concepts in spec.items():
            if taxonomy == "per_share":
                continue
            for priority, concept in enumerate(concepts, start=1):
                tags.append(MetricTag(metric, taxonomy, concept, priority, per_share))
    return tags
