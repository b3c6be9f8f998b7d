"""Load a run's staged sources into the warehouse in one transaction, with its audit records.

Everything a run writes — staging rows, quarantined rows, validation failures, snapshot records,
per-source load records, the run record, and the config reference tables — commits together or
not at all. The writer lock is taken here (re-entered when the refresh already holds it for the
whole run, see `begin_run`); the database file is open only for this transaction.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from aipipe.core.hooks import pause_point
from aipipe.sources.article.notes import load_claim_notes
from aipipe.sources.cninfo import basket_rows
from aipipe.sources.sec.watchlist import load_metric_tags, load_watchlist, write_watchlist_tables
from aipipe.warehouse.connect import write_transaction, writer_lock
from aipipe.warehouse.ledger import (
    LoadOutcome,
    RunRecord,
    StageResult,
    record_run,
    record_sources,
    run_status,
)
from aipipe.warehouse.sql import apply_sql, insert_staged, replace_rows


def load_run(db_path: Path, run: RunRecord, results: list[StageResult], *, wait_s: float = 0.0) -> LoadOutcome:
    """Write `results` and the run's audit records into `db_path` atomically."""
    outcome = LoadOutcome(run.run_id, run_status(results))
    with writer_lock(db_path, wait_s=wait_s, holder=f"run {run.run_id}"), write_transaction(db_path) as con:
        apply_sql(con)
        _load_reference_tables(con)
        for result in results:
            inserted = _load_source(con, run.run_id, result)
            outcome.rows_inserted[result.source] = inserted
            outcome.rows_quarantined += result.rows_quarantined
        # After the sources, so tickers resolve against the ticker file this run loaded.
        write_watchlist_tables(con)
        outcome.sources_ok = sum(r.status in ("staged", "no_change") for r in results)
        outcome.sources_error = sum(r.status == "error" for r in results)
        if outcome.status == "success" and not any(outcome.rows_inserted.values()) and not outcome.rows_quarantined:
            outcome.status = "no_change"
        record_sources(con, run.run_id, results, outcome.rows_inserted)
        summary = {r.source: {"status": r.status, "origin": r.origin, "message": r.message} for r in results}
        record_run(con, run, status=outcome.status, sources_ok=outcome.sources_ok,
                   sources_error=outcome.sources_error, rows_inserted=sum(outcome.rows_inserted.values()),
                   rows_quarantined=outcome.rows_quarantined, summary=summary)
        pause_point("load")
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
    replace_rows(con, "staging.ashare_basket", basket_rows())
    replace_rows(con, "staging.claim_notes", [{"claim_id": k, "note": v} for k, v in load_claim_notes().items()])
    watchlist = load_watchlist()
    con.execute("DELETE FROM staging.companies")
    for company in watchlist.companies.values():
        con.execute("INSERT INTO staging.companies VALUES (?, ?, NULL, ?)",
                    [company.cik, company.ticker, list(company.baskets)])
