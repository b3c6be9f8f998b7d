"""The companies aipipe tracks from SEC EDGAR, their baskets, and the pinned XBRL tags per metric.

Both live in TOML files inside the package (`config/watchlist.toml`, `config/metrics.toml`);
`AIPIPE_WATCHLIST` points at another watchlist file.

A company is named by its ticker. Its CIK is either pinned in `[companies]` (`TICKER = CIK`, which
works offline) or resolved from SEC's ticker file (`TICKER = 0`, or a ticker that appears only in a
basket). `resolve_watchlist` does the resolution in Python (to know which URLs to fetch);
`write_watchlist_tables` records the configuration in the warehouse, where the same resolution is
done in SQL against `staging.sec_tickers` (so the marts see it in the same transaction).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from aipipe.settings import CONFIG_DIR


class WatchlistError(ValueError):
    """The watchlist file is inconsistent; the message names the entry and the fix."""


@dataclass(frozen=True)
class Company:
    ticker: str
    cik: int
    baskets: tuple[str, ...]
    cik_source: str = "config"  # config | ticker_file

    @property
    def cik10(self) -> str:
        return f"CIK{self.cik:010d}"


@dataclass(frozen=True)
class CikCheck:
    """How one watched ticker's CIK was settled: ok | mismatch | resolved | unresolved | not_checked."""

    ticker: str
    configured_cik: int | None
    ticker_file_cik: int | None
    status: str
    message: str


@dataclass(frozen=True)
class Watchlist:
    companies: dict[str, Company]  # ticker -> company, only those with a known CIK
    baskets: dict[str, list[str]]
    refresh_baskets: list[str]
    configured: dict[str, int | None] = field(default_factory=dict)  # every watched ticker -> pinned CIK
    checks: tuple[CikCheck, ...] = ()
    fetch_submissions: bool = False
    # SEC frames to fetch ([frames] in the watchlist): calendar periods × metrics (their pinned tags).
    frame_periods: tuple[str, ...] = ()
    frame_metrics: tuple[str, ...] = ()

    @property
    def pending(self) -> list[str]:
        """Watched tickers without a known CIK (pinned as 0, or named only in a basket)."""
        return [t for t in self.configured if t not in self.companies]

    def basket(self, name: str) -> list[Company]:
        """The basket's members whose CIK is known (see `members` for every ticker)."""
        return [self.companies[t] for t in self.members(name) if t in self.companies]

    def members(self, name: str) -> list[str]:
        try:
            return list(self.baskets[name])
        except KeyError:
            raise KeyError(f"watchlist: basket {name!r} is not defined; known: {sorted(self.baskets)}") from None

    def refresh_companies(self) -> list[Company]:
        seen: dict[int, Company] = {}
        for basket in self.refresh_baskets:
            for company in self.basket(basket):
                seen.setdefault(company.cik, company)
        return list(seen.values())

    def problems(self) -> list[str]:
        """Messages for every check that needs the user's attention."""
        return [c.message for c in self.checks if c.status in ("mismatch", "unresolved")]


def normalize_ticker(ticker: str) -> str:
    """SEC's ticker file writes share classes with a dash (BRK-B); accept BRK.B and brk-b too."""
    return ticker.strip().upper().replace(".", "-")


def load_watchlist(path: Path | None = None) -> Watchlist:
    """The watchlist as configured (no network): pinned CIKs only; `pending` lists the rest."""
    path = Path(path or os.environ.get("AIPIPE_WATCHLIST", CONFIG_DIR / "watchlist.toml"))
    config = tomllib.loads(path.read_text())
    baskets = {name: [normalize_ticker(t) for t in tickers] for name, tickers in config.get("baskets", {}).items()}
    configured: dict[str, int | None] = {}
    for ticker, cik in config.get("companies", {}).items():
        if not isinstance(cik, int) or isinstance(cik, bool) or cik < 0:
            raise WatchlistError(f"watchlist {path}: {ticker} = {cik!r}: a CIK must be a whole number "
                                 f"(0 = resolve from SEC's ticker file)")
        configured[normalize_ticker(ticker)] = cik or None
    for tickers in baskets.values():
        for ticker in tickers:
            configured.setdefault(ticker, None)
    by_cik: dict[int, str] = {}
    for ticker, cik in configured.items():
        if cik is not None and cik in by_cik:
            raise WatchlistError(f"watchlist {path}: {by_cik[cik]} and {ticker} are both CIK {cik}; "
                                 f"keep one ticker per company")
        if cik is not None:
            by_cik[cik] = ticker
    companies = {t: Company(t, cik, _baskets_of(t, baskets)) for t, cik in configured.items() if cik is not None}
    refresh = config.get("refresh", {})
    refresh_baskets = refresh.get("baskets", list(baskets))
    unknown = [b for b in refresh_baskets if b not in baskets]
    if unknown:
        raise WatchlistError(f"watchlist {path}: [refresh] baskets {unknown} are not defined under [baskets]")
    frames = config.get("frames", {})
    periods = tuple(frames.get("periods", ()))
    bad = [p for p in periods if not re.fullmatch(r"CY\d{4}(Q[1-4])?I?", str(p))]
    if bad:
        raise WatchlistError(f"watchlist {path}: [frames] periods {bad}: write CY2025Q1 (a quarter), CY2024 "
                             f"(a year) or CY2024Q4I (an instant)")
    return Watchlist(companies, baskets, refresh_baskets, configured,
                     fetch_submissions=bool(refresh.get("submissions", False)),
                     frame_periods=periods, frame_metrics=tuple(frames.get("metrics", ())))


def resolve_watchlist(watchlist: Watchlist, tickers: Mapping[str, int] | None, *,
                      ticker_file: str = "SEC's ticker file") -> Watchlist:
    """Resolve pending tickers and check pinned CIKs against `tickers` (ticker -> CIK).

    With `tickers` None (no ticker file available), pinned CIKs are used unchecked and pending
    tickers stay unresolved. A pinned CIK that disagrees with the ticker file is kept (it is an
    explicit choice, and tickers get reused) but reported as a mismatch.
    """
    companies = dict(watchlist.companies)
    checks: list[CikCheck] = []
    for ticker, pinned in watchlist.configured.items():
        listed = tickers.get(ticker) if tickers is not None else None
        if pinned is not None:
            if tickers is None:
                checks.append(CikCheck(ticker, pinned, None, "not_checked",
                                       f"{ticker}: CIK {pinned} pinned in the watchlist, not checked "
                                       f"({ticker_file} unavailable)"))
            elif listed is None:
                checks.append(CikCheck(ticker, pinned, None, "not_listed",
                                       f"{ticker}: CIK {pinned} pinned; {ticker} is not in {ticker_file} "
                                       f"(delisted or renamed?)"))
            elif listed != pinned:
                checks.append(CikCheck(ticker, pinned, listed, "mismatch",
                                       f"{ticker}: watchlist pins CIK {pinned} but {ticker_file} gives {listed}; "
                                       f"using the pinned {pinned}. Fix the line `{ticker} = ...` in the watchlist "
                                       f"(or set it to 0 to follow the ticker file)"))
            else:
                checks.append(CikCheck(ticker, pinned, listed, "ok", f"{ticker}: CIK {pinned} matches {ticker_file}"))
            continue
        if listed is None:
            why = "is not in " + ticker_file if tickers is not None else f"needs {ticker_file}, which is unavailable"
            checks.append(CikCheck(ticker, None, None, "unresolved",
                                   f"{ticker}: no CIK: {ticker} {why}; pin it as `{ticker} = CIK` under [companies]"))
            continue
        same = next((c for c in companies.values() if c.cik == listed), None)
        if same is not None:
            # Two share classes of one company (GOOG/GOOGL): one company, baskets merged.
            merged = tuple(dict.fromkeys(same.baskets + _baskets_of(ticker, watchlist.baskets)))
            companies[same.ticker] = replace(same, baskets=merged)
            checks.append(CikCheck(ticker, None, listed, "resolved",
                                   f"{ticker}: CIK {listed} from {ticker_file}, already watched as {same.ticker}"))
            continue
        companies[ticker] = Company(ticker, listed, _baskets_of(ticker, watchlist.baskets), "ticker_file")
        checks.append(CikCheck(ticker, None, listed, "resolved", f"{ticker}: CIK {listed} from {ticker_file}"))
    return replace(watchlist, companies=companies, checks=tuple(checks))


def _baskets_of(ticker: str, baskets: Mapping[str, list[str]]) -> tuple[str, ...]:
    return tuple(name for name, tickers in baskets.items() if ticker in tickers)


# The SQL that turns staging.watchlist (the configuration) and staging.sec_tickers (SEC's ticker
# file) into staging.companies: pinned CIK first, else the ticker file; one row per CIK.
_RESOLVE_SQL = """
UPDATE staging.watchlist w
SET ticker_file_cik = t.cik,
    cik = coalesce(w.configured_cik, t.cik),
    cik_source = CASE WHEN w.configured_cik IS NOT NULL THEN 'config'
                      WHEN t.cik IS NOT NULL THEN 'ticker_file' END
FROM (SELECT w2.ticker, any_value(t2.cik) AS cik
      FROM staging.watchlist w2 LEFT JOIN staging.sec_tickers t2 ON t2.ticker = w2.ticker
      GROUP BY w2.ticker) t
WHERE t.ticker = w.ticker;

DELETE FROM staging.companies;
INSERT INTO staging.companies (cik, ticker, company_name, baskets)
SELECT w.cik,
       arg_min(w.ticker, w.position) AS ticker,
       (SELECT any_value(t.title) FROM staging.sec_tickers t WHERE t.cik = w.cik) AS company_name,
       list_distinct(flatten(list(w.baskets ORDER BY w.position))) AS baskets
FROM staging.watchlist w
WHERE w.cik IS NOT NULL
GROUP BY w.cik;
"""


def write_watchlist_tables(con, watchlist: Watchlist | None = None) -> None:
    """Record the watchlist in staging.watchlist and rebuild staging.companies from it.

    Call inside the load transaction, after this run's ticker file (if any) is loaded.
    """
    watchlist = watchlist or load_watchlist()
    con.execute("DELETE FROM staging.watchlist")
    rows = [[ticker, pinned, list(_baskets_of(ticker, watchlist.baskets)), position]
            for position, (ticker, pinned) in enumerate(watchlist.configured.items())]
    if rows:
        con.executemany("INSERT INTO staging.watchlist (ticker, configured_cik, baskets, position) "
                        "VALUES (?, ?, ?, ?)", rows)
    con.execute(_RESOLVE_SQL)


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
