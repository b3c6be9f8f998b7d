"""Epoch AI's 'Data on AI Companies': revenue reports per company, a curated peer to cross-check.

Live: https://epoch.ai/data/ai_companies_revenue_reports.csv (also inside
https://epoch.ai/data/ai_companies.zip), CC BY 4.0. Each row is one report of a company's
revenue (annualised run-rate, yearly, quarterly, ...) with its date, a confidence, up to three
source links and the kind of source (company disclosure, media report). Seed: the copy built by
`aipipe seed build` (seed/epoch_revenue_reports.csv.gz, MANIFEST.toml names it). Rows go to
staging.epoch_revenue; marts.epoch_cross_check sets them beside the registry's figures.
"""

from __future__ import annotations

import gzip
import io

import pandas as pd

from aipipe.core.snapshots import Snapshot, SnapshotStore
from aipipe.settings import SEED_DIR, Settings
from aipipe.sources.base import SourceSpec

PARSER_VERSION = "epoch-revenue-1"
TABLE = "epoch_revenue"
SOURCE_NAME = "epoch:revenue_reports"
SEED_FILE = SEED_DIR / "epoch_revenue_reports.csv.gz"
LICENCE = ("Epoch AI, 'Data on AI Companies', published online at epoch.ai "
           "(https://epoch.ai/data/ai-companies); CC BY 4.0")
# Epoch's header -> staging column. A file missing any of these is not the dataset described.
COLUMN_MAP = {
    "Id": "report_id", "Company": "company", "Date": "report_period_date",
    "Annualized revenue (USD)": "annualized_revenue_usd", "Type": "revenue_type",
    "Revenue info (non-annualized)": "revenue_info", "Confidence": "confidence",
    "Source 1": "source_1", "Source 2": "source_2", "Source 3": "source_3", "Notes": "notes",
    "Report date": "report_date", "Source type": "source_type",
}
COLUMNS = list(COLUMN_MAP.values())


class EpochFileError(ValueError):
    """The file is not Epoch's revenue-report CSV; the message names what is missing."""


def epoch_sources(settings: Settings) -> list[SourceSpec]:
    url = f"{settings.epoch_base_url}/data/ai_companies_revenue_reports.csv"
    return [SourceSpec(name=SOURCE_NAME, family="epoch", table=TABLE, url=url, suffix=".csv", licence=LICENCE,
                       parse=parse_snapshot, parser_version=PARSER_VERSION,
                       seed=lambda store: seed_snapshot(store, url),
                       description="Epoch AI revenue reports of AI companies", optional=True)]


def seed_snapshot(store: SnapshotStore, url: str) -> Snapshot | None:
    if not SEED_FILE.exists():
        return None
    content = gzip.decompress(SEED_FILE.read_bytes())
    newest = parse_revenue_reports(content)["report_date"].dropna().max()
    return store.put(SOURCE_NAME, url, content, suffix=".csv", licence=LICENCE, origin="seed",
                     last_modified=f"newest report {newest}")


def parse_snapshot(snapshot: Snapshot) -> pd.DataFrame:
    return parse_revenue_reports(snapshot.read_bytes(), where=f"{snapshot.source}: snapshot {snapshot.path}")


def parse_revenue_reports(content: bytes, where: str = "Epoch revenue reports") -> pd.DataFrame:
    """Rows of staging.epoch_revenue; values as Epoch writes them (dates as text are parsed)."""
    try:
        raw = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise EpochFileError(f"{where} is not a CSV ({exc})") from None
    missing = [c for c in COLUMN_MAP if c not in raw.columns]
    if missing:
        raise EpochFileError(f"{where} lacks the columns {missing}: not Epoch's revenue-report file "
                             f"(has {list(raw.columns)[:6]}...)")
    frame = raw[list(COLUMN_MAP)].rename(columns=COLUMN_MAP).replace("", None)
    frame["annualized_revenue_usd"] = pd.to_numeric(frame["annualized_revenue_usd"], errors="coerce")
    for column in ("report_period_date", "report_date"):
        frame[column] = pd.to_datetime(frame[column], errors="coerce", format="%Y-%m-%d").dt.date
    for column in ("report_id", "company", "notes", "revenue_info"):
        frame[column] = frame[column].str.strip()
    return frame[COLUMNS]
