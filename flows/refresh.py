"""Prefect flow `refresh`: fetch every source (or fall back), stage, validate, load, report.

Tasks are thin wrappers over `aipipe.ingest.refresh`; they pass specs, paths and small records, never
connections. A source that fails is reported, not raised, so one broken source cannot sink the run.

Timeouts: the flow's (FLOW_TIMEOUT_S, or `refresh.with_options(timeout_seconds=...)`) is enforced
by an alarm in the main thread, which interrupts even blocking calls; the load runs in that thread
(called, not submitted), so a timed-out load rolls back and the run is recorded 'failed'. Source
tasks run in worker threads, where a Prefect task timeout cannot interrupt a blocking call (Prefect
warns as much), so tasks have none: each fetch is bounded by the HTTP client's connect and read
timeouts (Settings.http_timeout_s) and its bounded retries, and the load by the flow's alarm.
"""

from __future__ import annotations

import os

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from aipipe.core.hooks import pause_point
from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import utc_now
from aipipe.ingest import refresh as pipeline
from aipipe.report.run_report import build_run_report
from aipipe.settings import Settings
from aipipe.sources.base import SourceSpec
from aipipe.warehouse.ledger import RunRecord, StageResult
from aipipe.warehouse.sql import loaded_snapshots
from flows.artifacts import publish

# Per deployment: `aipipe serve` sets it with `refresh.with_options`; Prefect workers (prefect.yaml)
# set AIPIPE_FLOW_TIMEOUT_S in the flow run's environment.
FLOW_TIMEOUT_S = float(os.environ.get("AIPIPE_FLOW_TIMEOUT_S", "3600"))


@task(name="source", cache_policy=NO_CACHE, task_run_name="{spec.name}")
def source_task(spec: SourceSpec, settings: Settings, run_id: str, loaded: set) -> StageResult:
    """Acquire one source (live, stored or seed) and stage it: parse, validate, write Parquet."""
    acquired = pipeline.acquire_source(spec, settings)
    result = pipeline.stage(spec, acquired, settings, run_id, loaded)
    if not pipeline.without_network(result):  # those are summed up at the end, in one line
        pipeline.print_progress(result)
    return result


@task(name="load", cache_policy=NO_CACHE)
def load_task(settings: Settings, run: RunRecord, results: list[StageResult], wait_s: float):
    return pipeline.load(settings, run, results, wait_s)


@task(name="report", cache_policy=NO_CACHE)
def report_task(settings: Settings, run_id: str):
    """Write the run's report files, and publish them as artifacts of this flow run."""
    built = build_run_report(settings, run_id)
    publish(built.validation_md, built.report, built.outputs.claims, built.outputs.tables, built.outputs.charts)
    return built.latest / "validation.html"


@flow(name="refresh", timeout_seconds=FLOW_TIMEOUT_S, log_prints=False)
def refresh(settings: Settings | None = None, families: list[str] | None = None,
            wait_s: float = 0.0) -> dict:
    """Refresh the warehouse from every source; returns the run id, status and report path."""
    settings = settings or Settings()
    logger = get_run_logger()
    run = RunRecord(new_run_id(), "refresh", utc_now(), settings.offline)
    specs = pipeline.plan(settings, families)
    logger.info("run %s: %d sources (%s)", run.run_id, len(specs), "offline" if settings.offline else "live")
    with pipeline.refresh_run(settings, run, wait_s) as abandoned:
        if abandoned:
            logger.warning("marked runs that never finished as abandoned: %s", ", ".join(abandoned))
        loaded = loaded_snapshots(settings.db_path)
        staged = [source_task.submit(spec, settings, run.run_id, loaded) for spec in specs]
        results = [s.result() for s in staged]
        pause_point("stage")
        outcome = load_task(settings, run, results, wait_s)
        report = report_task(settings, run.run_id)
    return {"run_id": run.run_id, "status": outcome.status, "report": str(report),
            "sources": {r.source: r.status for r in results},
            "without_network": [r.source for r in results if pipeline.without_network(r)]}
