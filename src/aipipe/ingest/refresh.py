"""The refresh pipeline as plain functions: acquire → stage → load → report.

The Prefect flow in `flows/refresh.py` wraps these as tasks; tests and benchmarks call them
directly. Nothing here raises for a single source's failure: outcomes are returned and reported.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from aipipe.core.hooks import pause_point
from aipipe.core.http import PoliteClient
from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import SnapshotStore, utc_now
from aipipe.ingest.stage import stage_source
from aipipe.settings import Settings
from aipipe.sources.base import Acquired, SourceSpec, acquire
from aipipe.sources.families import all_sources
from aipipe.warehouse.connect import writer_lock
from aipipe.warehouse.ledger import LoadOutcome, RunRecord, StageResult, begin_run, fail_run
from aipipe.warehouse.load import load_run
from aipipe.warehouse.sql import loaded_snapshots

_clients: dict[tuple[str, float, int], PoliteClient] = {}


def http_client(settings: Settings) -> PoliteClient | None:
    """One shared client per process (so the rate limit is shared), or None when offline."""
    if settings.offline:
        return None
    key = (settings.user_agent, settings.http_timeout_s, settings.http_retries)
    if key not in _clients:
        _clients[key] = PoliteClient(settings.user_agent, timeout_s=settings.http_timeout_s,
                                     retries=settings.http_retries)
    return _clients[key]


def plan(settings: Settings, families: list[str] | None = None) -> list[SourceSpec]:
    return all_sources(settings, families)


def acquire_source(spec: SourceSpec, settings: Settings) -> Acquired:
    pause_point("fetch")
    return acquire(spec, SnapshotStore(settings.data_dir), http_client(settings))


def stage(spec: SourceSpec, acquired: Acquired, settings: Settings, run_id: str,
          loaded: set[tuple[str, str, str]]) -> StageResult:
    return stage_source(spec, acquired, run_dir(settings, run_id), run_id, loaded)


def run_dir(settings: Settings, run_id: str) -> Path:
    return settings.data_dir / "runs" / run_id


def load(settings: Settings, run: RunRecord, results: list[StageResult], wait_s: float = 0.0) -> LoadOutcome:
    return load_run(settings.db_path, run, results, wait_s=wait_s)


@contextlib.contextmanager
def refresh_run(settings: Settings, run: RunRecord, wait_s: float = 0.0) -> Iterator[list[str]]:
    """The frame of one refresh: hold the single-writer lock from start to finish (a second
    refresh waits up to `wait_s`, then gets WarehouseBusy), record the run as 'running' (marking
    runs that died earlier 'abandoned'; yields their ids), and mark it 'failed' if it raises."""
    with writer_lock(settings.db_path, wait_s=wait_s, holder=f"run {run.run_id}"):
        abandoned = begin_run(settings.db_path, run)
        try:
            yield abandoned
        except BaseException as exc:
            fail_run(settings.db_path, run, failure_reason(exc))
            raise


def failure_reason(exc: BaseException) -> str:
    """What the ledger says about a run that raised."""
    name = type(exc).__name__
    if isinstance(exc, TimeoutError) or name == "CancelledError":  # Prefect's timeout arrives as either
        return f"timed out or cancelled ({name}); nothing it staged was loaded"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (Ctrl-C or SIGINT); nothing it staged was loaded"
    return f"{name}: {exc}".rstrip(": ")


def refresh_direct(settings: Settings, families: list[str] | None = None, wait_s: float = 0.0,
                   progress: bool = False) -> tuple[RunRecord, LoadOutcome, list[StageResult]]:
    """The whole refresh without Prefect (used by benchmarks to measure Prefect's overhead)."""
    run = RunRecord(new_run_id(), "refresh", utc_now(), settings.offline)
    with refresh_run(settings, run, wait_s):
        loaded = loaded_snapshots(settings.db_path)
        results = []
        for spec in plan(settings, families):
            result = stage(spec, acquire_source(spec, settings), settings, run.run_id, loaded)
            if progress:
                print_progress(result)
            results.append(result)
        pause_point("stage")
        outcome = load(settings, run, results, wait_s)
    return run, outcome, results


def print_progress(result: StageResult) -> None:
    sys.stderr.write(f"  {result.source:<32} {result.origin:<12} {result.status:<9} {result.message}\n")


def without_network(result: StageResult) -> bool:
    """A source with nothing to load only because this run has no network (offline, or no DNS):
    the command sums these up in one line instead of one line each."""
    return result.status == "missing" and ("offline run" in result.message or "network unreachable" in result.message)
