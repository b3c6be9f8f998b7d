"""Prefect flow `sec-bulk-ingest`: parse tasks fan out over planned batches of a companyfacts
corpus (threads, or Dask workers) and write Parquet; the flow process is the single writer and
loads it in one transaction (aipipe.ingest.sec_bulk_parquet). The one-process load without
Prefect is aipipe.ingest.sec_bulk.ingest_bulk.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED, temporary_settings
from prefect.task_runners import ThreadPoolTaskRunner

from aipipe.core.runs import new_run_id
from aipipe.ingest.sec_bulk import (
    FLOW_BATCH_MB,
    BulkResult,
    ParsedBatch,
    Progress,
    load_parquet_batches,
    parse_batch_to_parquet,
)
from aipipe.sources.sec.files import plan_batches
from aipipe.warehouse.connect import STORAGE_VERSION


def make_task_runner(
    task_runner: str = "threads",
    dask_address: str | None = None,
    workers: int = 2,
    dask_processes: bool = True,
):
    """ThreadPoolTaskRunner, or prefect_dask.DaskTaskRunner on a new LocalCluster / an address."""
    if task_runner == "threads":
        return ThreadPoolTaskRunner(max_workers=workers)
    if task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": dask_processes,
                "dashboard_address": None,
                "silence_logs": logging.ERROR,
            },
        )
    raise ValueError(f"sec bulk: unknown task_runner {task_runner!r}; use 'threads' or 'dask'")


@contextlib.contextmanager
def _shared_prefect_api(needed: bool) -> Iterator[None]:
    """Point Dask worker processes at this process's Prefect API.

    With no PREFECT_API_URL, Prefect starts a temporary API server on first use, and each Dask
    worker process would start its own (~10 s each, and task runs land in separate databases).
    Starting it here and putting its URL in the settings context, which Prefect ships with every
    task, makes the workers report to the same server.
    """

    if not needed or PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the same instance Prefect's client would start
    server.start()
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield


parse_task = task(parse_batch_to_parquet, name="parse-companyfacts-batch", cache_policy=NO_CACHE)


@flow(name="sec-bulk-ingest", validate_parameters=False)
def sec_bulk_ingest(
    source_path: str,
    db_path: str,
    batch_mb: float,
    concepts: list[str] | None,
    run_id: str,
    run_dir: str,
    dedup: bool,
    progress: bool,
    storage_version: str | None,
) -> BulkResult:
    """Parse every planned batch in a task (to Parquet), then load them all as the single writer."""
    started = time.perf_counter()
    specs = plan_batches(source_path, batch_mb)
    result = BulkResult(run_id, source_path, db_path)
    result.files_total = sum(len(s.members) for s in specs)
    result.bytes_total = sum(s.nbytes for s in specs)
    futures = parse_task.map(specs, run_dir=unmapped(run_dir), run_id=unmapped(run_id), concepts=unmapped(concepts))
    bar = Progress(result.bytes_total, result.files_total, progress)
    parsed: list[ParsedBatch] = []
    for future in futures:
        batch = future.result()
        parsed.append(batch)
        result.errors.update(batch.errors)
        bar.advance(specs[batch.index])
    bar.close()
    result.timings["parse_s"] = time.perf_counter() - started
    load_started = time.perf_counter()
    result.rows_inserted = load_parquet_batches(parsed, db_path, dedup=dedup, storage_version=storage_version)
    result.timings["load_s"] = time.perf_counter() - load_started
    result.files_failed = len(result.errors)
    result.seconds = time.perf_counter() - started
    return result


def bulk_ingest_flow(
    source_path: str | Path,
    db_path: str | Path,
    task_runner: str = "threads",
    dask_address: str | None = None,
    *,
    workers: int = 2,
    dask_processes: bool = True,
    batch_mb: float = FLOW_BATCH_MB,
    concepts: Sequence[str] | None = None,
    run_id: str | None = None,
    run_dir: str | Path | None = None,
    keep_parquet: bool = False,
    dedup: bool = True,
    progress: bool = True,
    storage_version: str | None = STORAGE_VERSION,
) -> BulkResult:
    """Run the Prefect flow `sec-bulk-ingest` with the chosen task runner and return its result.

    Parse tasks fan out over batches (threads, or Dask workers on a LocalCluster of `workers`
    processes, or the scheduler at `dask_address`); Parquet goes to `run_dir` (default: a
    directory next to the database, removed after the load unless `keep_parquet`). With a
    remote Dask cluster, `source_path` and `run_dir` must be on storage the workers share.
    """
    run_id = run_id or new_run_id("sec-bulk")
    db_path = Path(db_path)
    own_dir = run_dir is None
    run_path = Path(run_dir) if run_dir else db_path.parent / f".{db_path.name}.{run_id}"
    run_path.mkdir(parents=True, exist_ok=True)
    runner = make_task_runner(task_runner, dask_address, workers, dask_processes)
    configured = sec_bulk_ingest.with_options(task_runner=runner)
    try:
        with _shared_prefect_api(task_runner == "dask"):
            return configured(
                source_path=str(source_path),
                db_path=str(db_path),
                batch_mb=batch_mb,
                concepts=list(concepts) if concepts else None,
                run_id=run_id,
                run_dir=str(run_path),
                dedup=dedup,
                progress=progress,
                storage_version=storage_version,
            )
    finally:
        if own_dir and not keep_parquet:
            shutil.rmtree(run_path, ignore_errors=True)
