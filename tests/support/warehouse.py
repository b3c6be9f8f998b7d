"""Build real warehouses for tests from real files, through the same functions a refresh uses."""

from __future__ import annotations

from pathlib import Path

from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import SnapshotStore, utc_now
from aipipe.ingest.stage import stage_source
from aipipe.settings import Settings
from aipipe.sources.base import SourceSpec, acquire
from aipipe.sources.sec.companyfacts import company_source
from aipipe.sources.sec.watchlist import Company
from aipipe.warehouse.ledger import RunRecord
from aipipe.warehouse.load import load_run
from aipipe.warehouse.sql import loaded_snapshots


def settings_in(tmp: Path, **kw) -> Settings:
    return Settings(db_path=tmp / "wh" / "aipipe.duckdb", data_dir=tmp / "data", reports_dir=tmp / "reports",
                    offline=True, **kw)


def store_companyfacts(settings: Settings, cik: int, content: bytes) -> None:
    """Put `content` in the snapshot store as the newest stored snapshot of that company."""
    SnapshotStore(settings.data_dir).put(f"sec:CIK{cik:010d}", f"file://companyfacts/CIK{cik:010d}.json",
                                         content, suffix=".json", licence="test", origin="live")


def load_companies(settings: Settings, companies: list[tuple[str, int]], extra: list[SourceSpec] | None = None):
    """Acquire (offline: stored or seed), stage and load the given companies (and any `extra`
    sources, e.g. the registry) in one run."""
    run = RunRecord(new_run_id(), "test", utc_now(), True)
    loaded = loaded_snapshots(settings.db_path)
    store = SnapshotStore(settings.data_dir)
    specs = [company_source(Company(ticker, cik, ()), settings) for ticker, cik in companies] + list(extra or [])
    results = [stage_source(spec, acquire(spec, store, None), settings.data_dir / "runs" / run.run_id,
                            run.run_id, loaded) for spec in specs]
    outcome = load_run(settings.db_path, run, results)
    return run, outcome, results
