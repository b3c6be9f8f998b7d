"""SEC's ticker file: which CIK each ticker belongs to, and each company's submissions metadata.

- Ticker file: https://www.sec.gov/files/company_tickers.json, a JSON object of
  {"0": {"cik_str": 320193, "ticker": "AAPL", "title": "Apple Inc."}, ...}. It is a source like
  any other (snapshotted, conditional requests, live → stored fallback, loaded into
  staging.sec_tickers) and it resolves watchlist tickers whose CIK is not pinned.
- Submissions: https://data.sec.gov/submissions/CIK##########.json, per company; only its header
  (name, tickers, `fiscalYearEnd` as MMDD, SIC, filer category) goes to staging.sec_submissions.
  It names the fiscal year of a company that has no full-year facts loaded (optional source).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import orjson
import pandas as pd

from aipipe.core.http import PoliteClient
from aipipe.core.snapshots import Snapshot, SnapshotStore
from aipipe.settings import Settings
from aipipe.sources.base import SourceSpec, acquire
from aipipe.sources.sec.spec import sec_source
from aipipe.sources.sec.watchlist import Company, Watchlist, load_watchlist, normalize_ticker, resolve_watchlist

TICKERS_SOURCE = "sec:company_tickers"
TICKERS_PARSER_VERSION = "sec-company-tickers-1"
SUBMISSIONS_PARSER_VERSION = "sec-submissions-1"
TICKER_COLUMNS = ["ticker", "cik", "title"]
SUBMISSION_COLUMNS = ["cik", "entity_name", "tickers", "exchanges", "fiscal_year_end", "sic",
                      "sic_description", "category", "entity_type"]


class TickerFileError(ValueError):
    """The ticker file (or a submissions file) is not in the expected shape."""


def tickers_source(settings: Settings) -> SourceSpec:
    """SEC's ticker → CIK file as a source (no seed: offline it is simply missing)."""
    url = f"{settings.sec_www_url}/files/company_tickers.json"
    return sec_source(TICKERS_SOURCE, "sec_tickers", url, parse_tickers_snapshot, TICKERS_PARSER_VERSION,
                      "SEC ticker file: ticker → CIK and company name")


def submissions_source(company: Company, settings: Settings) -> SourceSpec:
    """One company's submissions JSON (only its header is kept)."""
    url = f"{settings.sec_base_url}/submissions/{company.cik10}.json"
    return sec_source(f"sec:submissions-{company.cik10}", "sec_submissions", url, parse_submissions_snapshot,
                      SUBMISSIONS_PARSER_VERSION,
                      f"SEC submissions header for {company.ticker} ({company.cik10}): fiscal year end")


def parse_tickers(content: bytes, label: str = "ticker file") -> pd.DataFrame:
    """Rows (ticker, cik, title) of the ticker file; tickers normalized like the watchlist's."""
    try:
        doc = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise TickerFileError(f"sec: {label}: not valid JSON ({exc})") from None
    entries = doc.values() if isinstance(doc, dict) else doc if isinstance(doc, list) else None
    if entries is None:
        raise TickerFileError(f"sec: {label}: expected an object of entries, got {type(doc).__name__}")
    rows = []
    for entry in entries:
        try:
            rows.append((normalize_ticker(str(entry["ticker"])), int(entry["cik_str"]), entry.get("title")))
        except (KeyError, TypeError, ValueError) as exc:
            raise TickerFileError(f"sec: {label}: entry {entry!r} lacks ticker/cik_str ({exc})") from None
    frame = pd.DataFrame(rows, columns=TICKER_COLUMNS)
    # The file lists a ticker once; keep the first should it ever repeat one.
    return frame.drop_duplicates("ticker", keep="first").reset_index(drop=True)


def parse_tickers_snapshot(snapshot: Snapshot) -> pd.DataFrame:
    return parse_tickers(snapshot.read_bytes(), f"{snapshot.source} snapshot {snapshot.path.name}")


def parse_submissions(content: bytes, label: str = "submissions") -> pd.DataFrame:
    """One row: the header of a submissions JSON (the filings list is not kept)."""
    try:
        doc = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise TickerFileError(f"sec: {label}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or "cik" not in doc:
        raise TickerFileError(f"sec: {label}: no 'cik' at the top level: not a submissions file")
    fiscal_year_end = doc.get("fiscalYearEnd") or None
    row = {
        "cik": int(doc["cik"]),
        "entity_name": doc.get("name"),
        "tickers": ",".join(doc.get("tickers") or []) or None,
        "exchanges": ",".join(e for e in (doc.get("exchanges") or []) if e) or None,
        "fiscal_year_end": fiscal_year_end,
        "sic": doc.get("sic") or None,
        "sic_description": doc.get("sicDescription") or None,
        "category": doc.get("category") or None,
        "entity_type": doc.get("entityType") or None,
    }
    return pd.DataFrame([row], columns=SUBMISSION_COLUMNS)


def parse_submissions_snapshot(snapshot: Snapshot) -> pd.DataFrame:
    return parse_submissions(snapshot.read_bytes(), f"{snapshot.source} snapshot {snapshot.path.name}")


@dataclass(frozen=True)
class TickerMap:
    """Ticker → CIK from one snapshot of the ticker file."""

    ciks: dict[str, int]
    snapshot_id: str
    retrieved_at: str

    @property
    def label(self) -> str:
        return f"SEC's ticker file (snapshot {self.snapshot_id}, retrieved {self.retrieved_at})"


def ticker_map(settings: Settings, *, fetch: bool) -> TickerMap | None:
    """The ticker file: fetched live when `fetch` and online, else the newest stored snapshot."""
    spec = tickers_source(settings)
    store = SnapshotStore(settings.data_dir)
    client = None
    if fetch and not settings.offline:
        client = PoliteClient(settings.user_agent, timeout_s=settings.http_timeout_s, retries=settings.http_retries)
    try:
        acquired = acquire(spec, store, client)
    finally:
        if client is not None:
            client.close()
    if acquired.snapshot is None:
        return None
    try:
        frame = parse_tickers_snapshot(acquired.snapshot)
    except TickerFileError as exc:
        _warn(f"{exc}; watchlist tickers without a pinned CIK stay unresolved")
        return None
    return TickerMap(dict(zip(frame["ticker"], frame["cik"].astype(int), strict=True)),
                     acquired.snapshot.snapshot_id, acquired.snapshot.retrieved_at)


def resolved_watchlist(settings: Settings, watchlist: Watchlist | None = None) -> Watchlist:
    """The watchlist with every ticker's CIK settled, and checks against the ticker file.

    The ticker file is fetched live only when a ticker has no pinned CIK and the stored snapshot
    cannot resolve it; otherwise the stored snapshot (if any) is used for the checks, and the
    refresh itself keeps it current. Problems are written to stderr as well as returned.
    """
    watchlist = watchlist or load_watchlist()
    stored = ticker_map(settings, fetch=False)
    needs_fetch = any(stored is None or t not in stored.ciks for t in watchlist.pending)
    tickers = ticker_map(settings, fetch=True) if needs_fetch else stored
    resolved = resolve_watchlist(watchlist, tickers.ciks if tickers else None,
                                 ticker_file=tickers.label if tickers else "SEC's ticker file")
    for problem in resolved.problems():
        _warn(problem)
    return resolved


def _warn(message: str) -> None:
    sys.stderr.write(f"sec: watchlist: {message}\n")
