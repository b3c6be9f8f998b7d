"""The run ledger: what a run and each of its sources did, in `audit.runs` and
`audit.source_loads` (the records a refresh, `aipipe ingest` and the bulk load all write).

A run records itself as 'running' in a short transaction of its own (`begin_run`); its load
writes the final run row and one row per source in the load's own transaction; a run that
raises is marked 'failed' (`fail_run`), and one whose process died is marked 'abandoned' by the
next run to begin.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from aipipe.core.snapshots import utc_now
from aipipe.warehouse.connect import connect_write, write_transaction
from aipipe.warehouse.sql import apply_sql, insert_records


@dataclass
class StageResult:
    source: str
    family: str
    table: str
    origin: str
    status: str  # staged | no_change | missing | error
    message: str
    snapshot: dict | None = None
    parser_version: str = ""
    valid_path: str | None = None
    quarantine_path: str | None = None
    failures_path: str | None = None
    rows_in: int = 0
    rows_valid: int = 0
    rows_quarantined: int = 0
    duration_s: float = 0.0
    notes: list[str] = field(default_factory=list)
    url: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


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


def record_run(con: duckdb.DuckDBPyConnection, run: RunRecord, *, status: str, sources_ok: int,
               sources_error: int, rows_inserted: int, rows_quarantined: int, summary: object,
               offline: bool | None = None) -> None:
    """Write `run`'s final row in audit.runs (replacing its 'running' row)."""
    con.execute("DELETE FROM audit.runs WHERE run_id = ?", [run.run_id])
    insert_records(con, "audit.runs", [{
        "run_id": run.run_id, "flow": run.flow, "started_at": run.started_at, "finished_at": utc_now(),
        "status": status, "offline": run.offline if offline is None else offline, "sources_ok": sources_ok,
        "sources_error": sources_error, "rows_inserted": rows_inserted, "rows_quarantined": rows_quarantined,
        "summary": summary, "pid": os.getpid(), "host": socket.gethostname(),
    }])


def record_sources(
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


def begin_run(db_path: Path, run: RunRecord) -> list[str]:
    """Record `run` as 'running' in a short transaction of its own; call it holding `writer_lock`.

    Runs still 'running' are ones whose process died before their load committed (a live run
    would hold the lock we hold): they are marked 'abandoned'. Returns their run ids. This commit
    touches only audit.runs, so the load's all-or-nothing guarantee is unchanged.
    """
    with write_transaction(db_path) as con:
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
    return [stale_id for stale_id, _, _ in stale]


def fail_run(db_path: Path, run: RunRecord, reason: str) -> None:
    """Mark a still-'running' run 'failed' with `reason` (best effort: never raises)."""
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
