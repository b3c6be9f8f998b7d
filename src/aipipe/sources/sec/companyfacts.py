"""SEC EDGAR companyfacts: one source per watched company, parsed into staging.sec_facts rows.

Live: https://data.sec.gov/api/xbrl/companyfacts/CIK##########.json (one JSON per company).
Seed: `seed/sec_facts.csv.gz`, built by `aipipe seed build` from real companyfacts files (every
fact version of the mapped concepts, with accession, form and filing date; MANIFEST.toml names
each file), used only when nothing can be fetched and nothing is stored.

`family_sources(settings)` is the whole SEC family of a refresh: SEC's ticker file, then one
companyfacts source per watched company (tickers resolved to CIKs, see aipipe.sources.sec.watchlist), then,
when the watchlist asks for them, each company's submissions header.
"""

from __future__ import annotations

import functools
import io

import pandas as pd

from aipipe.core.snapshots import Snapshot, SnapshotStore
from aipipe.settings import SEED_DIR, Settings
from aipipe.sources.base import SourceSpec
from aipipe.sources.sec.parse import FACT_COLUMNS, CompanyFactsError
from aipipe.sources.sec.spec import LICENCE, sec_source
from aipipe.sources.sec.tickers import resolved_watchlist, submissions_source, tickers_source
from aipipe.sources.sec.tolerant import TYPED, read_companyfacts
from aipipe.sources.sec.watchlist import Company, Watchlist

PARSER_VERSION = "sec-companyfacts-1"
SEED_FILE = SEED_DIR / "sec_facts.csv.gz"


def family_sources(settings: Settings, watchlist: Watchlist | None = None) -> list[SourceSpec]:
    """Every SEC source a refresh fetches: the ticker file, companyfacts, optional submissions."""
    resolved = resolved_watchlist(settings, watchlist)
    companies = resolved.refresh_companies()
    specs = [tickers_source(settings)] + [company_source(c, settings) for c in companies]
    if resolved.fetch_submissions:
        specs += [submissions_source(c, settings) for c in companies]
    return specs


def company_source(company: Company, settings: Settings) -> SourceSpec:
    """The companyfacts source for one company."""
    url = f"{settings.sec_base_url}/api/xbrl/companyfacts/{company.cik10}.json"
    return sec_source(f"sec:{company.cik10}", "sec_facts", url, parse_snapshot, PARSER_VERSION,
                      f"SEC companyfacts for {company.ticker} ({company.cik10})",
                      seed=lambda store, cik=company.cik: seed_snapshot(store, cik))


def parse_snapshot(snapshot: Snapshot) -> pd.DataFrame:
    """Rows of staging.sec_facts from a stored companyfacts JSON or a seed CSV."""
    if snapshot.path.suffix == ".csv":
        return _parse_seed_csv(snapshot.read_bytes(), _cik_of(snapshot.source))
    try:
        table, read_by = read_companyfacts(snapshot.path)
    except CompanyFactsError as exc:
        raise CompanyFactsError(f"{snapshot.source}: snapshot {snapshot.path} is not valid companyfacts JSON: "
                                f"{str(exc).split(': ', 2)[-1]}") from None
    frame = table.to_pandas(types_mapper={}.get)
    frame["source_file"] = snapshot.path.name
    if read_by != TYPED:
        frame.attrs["parse_note"] = read_by
    return frame


def seed_snapshot(store: SnapshotStore, cik: int) -> Snapshot | None:
    """Store the seed rows for `cik` as a snapshot (origin "seed"); None if the seed lacks it."""
    seed = _seed_rows()
    rows = seed[seed["cik"] == str(cik)]
    if rows.empty:
        return None
    return store.put(
        f"sec:CIK{cik:010d}",
        f"https://data.sec.gov/api/xbrl/companyfacts/CIK{cik:010d}.json",
        rows.to_csv(index=False).encode(),
        suffix=".csv",
        licence=LICENCE,
        origin="seed",
        # The seed's content is current as of its newest filing; that is its "last modified".
        last_modified=f"newest filing {rows['filed'].max()}",
    )


@functools.cache
def _seed_rows() -> pd.DataFrame:
    return pd.read_csv(SEED_FILE, dtype=str, keep_default_na=False)


def _parse_seed_csv(content: bytes, cik: int) -> pd.DataFrame:
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    frame = frame[frame["cik"] == str(cik)].copy()
    frame["cik"] = frame["cik"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    frame["fiscal_year"] = pd.to_numeric(frame["fiscal_year"].replace("", None)).astype("Int64")
    for column in ("period_start", "period_end", "filed"):
        frame[column] = pd.to_datetime(frame[column].replace("", None)).dt.date
    for column in ("fiscal_period", "form", "frame", "entity_name"):
        frame[column] = frame[column].replace("", None)
    frame["source_file"] = "seed:" + frame.pop("input")
    return frame[FACT_COLUMNS]


def _cik_of(source: str) -> int:
    return int(source.split(":", 1)[1].removeprefix("CIK"))
