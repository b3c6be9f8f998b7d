"""Load a run's staged sources into the warehouse in one transaction, with its audit records.

Everything a run writes — staging rows, quarantined rows, validation failures, snapshot records,
per-source load records, the run record, and the config reference tables — commits together or
not at all. The writer lock is taken here (re-entered when the refresh already holds it for the
whole run, see `begin_run`); the database file is open only for this transaction.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from aipipe.faultpoints import pause_point
from aipipe.stage import StageResult
from aipipe.warehouse import (
    apply_sql,
    connect_write,
    insert_records,
    insert_staged,
    replace_rows,
    writer_lock,
)
from aipipe.watchlist import load_metric_tags, load_watchlist


@dataclass
class RunRecord:
    run_id: str
    flow: str
    started_at: str
    offline: bool
    finished_at: str | None = None
    status: str = "running"


@dataclass
class LoadOutcome:
    run_id: str
    status: str
    rows_inserted: dict[str, int] = field(default_factory=dict)  # source -> rows
    rows_quarantined: int = 0
    sources_ok: int = 0
    sources_error: int = 0


def run_status(results: list[StageResult]) -> str:
    """success | no_change | partial: the run's verdict from its sources' outcomes."""
    if any(r.status == "error" for r in results):
        return "partial"
    if all(r.status in ("no_change", "missing") for r in results):
        return "no_change"
    return "success"


def load_run(db_path: Path, run: RunRecord, results: list[StageResult], *, wait_s: float = 0.0) -> LoadOutcome:
    """Write `results` and the run's audit records into `db_path` atomically."""
    outcome = LoadOutcome(run.run_id, run_status(results))
    with writer_lock(db_path, wait_s=wait_s, holder=f"run {run.run_id}"):
        con = connect_write(db_path)
        try:
            con.execute("BEGIN TRANSACTION")
            apply_sql(con)
            _load_reference_tables(con)
            for result in results:
                inserted = _load_source(con, run.run_id, result)
                outcome.rows_inserted[result.source] = inserted
                outcome.rows_quarantined += result.rows_quarantined
            # After the sources, so tickers resolve against the ticker file this run loaded.
            from aipipe.watchlist import write_watchlist_tables

            write_watchlist_tables(con)
            outcome.sources_ok = sum(r.status in ("staged", "no_change") for r in results)
            outcome.sources_error = sum(r.status == "error" for r in results)
            if outcome.status == "success" and not any(outcome.rows_inserted.values()) and not outcome.rows_quarantined:
                outcome.status = "no_change"
            _record_sources(con, run.run_id, results, outcome.rows_inserted)
            _record_run(con, run, outcome, results)
            pause_point("load")
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise
        finally:
            con.close()
    return outcome


def _load_source(con: duckdb.DuckDBPyConnection, run_id: str, result: StageResult) -> int:
    if result.status != "staged":
        return 0
    inserted = insert_staged(con, result.table, result.valid_path) if result.rows_valid else 0
    audit_files = ((result.quarantine_path, "audit.quarantine"), (result.failures_path, "audit.validation_failures"))
    for path, table in audit_files:
        if path and Path(path).exists():
            frame = pd.read_parquet(path)
            if len(frame):
                frame = frame.assign(run_id=run_id, source=result.source, table_name=f"staging.{result.table}",
                                     snapshot_sha256=(result.snapshot or {}).get("sha256"))
                con.register("_staged_audit", frame)
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _staged_audit")
                con.unregister("_staged_audit")
    snap = result.snapshot or {}
    con.execute(
        "INSERT OR REPLACE INTO raw.snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [snap.get("sha256"), result.source, snap.get("url"), snap.get("origin"), snap.get("retrieved_at"),
         snap.get("http_status"), snap.get("etag"), snap.get("last_modified"), snap.get("size"),
         snap.get("licence"), result.parser_version, run_id],
    )
    return inserted


def _load_reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    tags = load_metric_tags()
    replace_rows(con, "staging.metric_tags", [
        {"metric": t.metric, "taxonomy": t.taxonomy, "concept": t.concept, "priority": t.priority,
         "per_share": t.per_share} for t in tags
    ])
    watchlist = load_watchlist()
    con.execute("DELETE FROM staging.companies")
    for company in watchlist.companies.values():
        con.execute("INSERT INTO staging.companies VALUES (?, ?, NULL, ?)",
                    [company.cik, company.ticker, list(company.baskets)])


def _record_sources(
    con: duckdb.DuckDBPyConnection, run_id: str, results: list[StageResult], inserted: dict[str, int]
) -> None:
    rows = []
    for r in results:
        snap = r.snapshot or {}
        status = r.status
        if status == "staged":
            status = "fallback" if r.origin in ("local", "seed") and _fetch_failed(r) else "loaded"
        rows.append({
            "run_id": run_id, "source": r.source, "family": r.family, "table_name": f"staging.{r.table}",
            "origin": r.origin, "snapshot_sha256": snap.get("sha256"), "snapshot_path": snap.get("path"),
            "snapshot_retrieved_at": snap.get("retrieved_at"), "status": status, "rows_in": r.rows_in,
            "rows_valid": r.rows_valid, "rows_quarantined": r.rows_quarantined,
            "rows_inserted": inserted.get(r.source, 0), "duration_s": r.duration_s,
            "message": "; ".join([*r.notes, r.message]) if r.message else "; ".join(r.notes),
            "url": r.url,
        })
    insert_records(con, "audit.source_loads", rows)


def _fetch_failed(result: StageResult) -> bool:
    return any(n.startswith(("network unreachable", "live fetch failed")) for n in result.notes)


def _record_run(
    con: duckdb.DuckDBPyConnection, run: RunRecord, outcome: LoadOutcome, results: list[StageResult]
) -> None:
    from aipipe.snapshots import utc_now

    summary = {r.source: {"status": r.status, "origin": r.origin, "message": r.message} for r in results}
    con.execute("DELETE FROM audit.runs WHERE run_id = ?", [run.run_id])
    insert_records(con, "audit.runs", [{
        "run_id": run.run_id, "flow": run.flow, "started_at": run.started_at, "finished_at": utc_now(),
        "status": outcome.status, "offline": run.offline, "sources_ok": outcome.sources_ok,
        "sources_error": outcome.sources_error, "rows_inserted": sum(outcome.rows_inserted.values()),
        "rows_quarantined": outcome.rows_quarantined, "summary": summary,
        "pid": os.getpid(), "host": socket.gethostname(),
    }])


def begin_run(db_path: Path, run: RunRecord) -> list[str]:
    """Record `run` as 'running' in a short transaction of its own; call it holding `writer_lock`.

    Runs still 'running' are ones whose process died before their load committed (a live run
    would hold the lock we hold): they are marked 'abandoned'. Returns their run ids. This commit
    touches only audit.runs, so the load's all-or-nothing guarantee is unchanged.
    """
    con = connect_write(db_path)
    try:
        con.execute("BEGIN TRANSACTION")
        apply_sql(con)
        stale = con.execute("SELECT run_id, pid, host FROM audit.runs WHERE status = 'running'").fetchall()
        for stale_id, pid, host in stale:
            con.execute(
                "UPDATE audit.runs SET status = 'abandoned', message = ? WHERE run_id = ?",
                [f"no finish recorded: its process (pid {pid} on {host}) stopped before the load "
                 f"committed, so it loaded nothing; found by run {run.run_id}", stale_id])
        insert_records(con, "audit.runs", [{
            "run_id": run.run_id, "flow": run.flow, "started_at": run.started_at, "status": "running",
            "offline": run.offline, "pid": os.getpid(), "host": socket.gethostname(),
        }])
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise
    finally:
        con.close()
    return [stale_id for stale_id, _, _ in stale]


def fail_run(db_path: Path, run: RunRecord, reason: str) -> None:
    """Mark a still-'running' run 'failed' with `reason` (best effort: never raises)."""
    from aipipe.snapshots import utc_now

    try:
        con = connect_write(db_path, retry_s=5.0)
    except Exception as exc:  # the failure being recorded matters more than this note
        sys.stderr.write(f"aipipe: run {run.run_id} failed ({reason}); could not record it: {exc}\n")
        return
    try:
        con.execute("UPDATE audit.runs SET status = 'failed', finished_at = ?, message = ? "
                    "WHERE run_id = ? AND status = 'running'", [utc_now(), reason, run.run_id])
    except duckdb.Error as exc:
        sys.stderr.write(f"aipipe: run {run.run_id} failed ({reason}); could not record it: {exc}\n")
    finally:
        con.close()


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass
