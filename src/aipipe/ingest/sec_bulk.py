"""Stream SEC's bulk companyfacts (a directory of CIK##########.json, or companyfacts.zip) into
`staging.sec_facts`, with memory bounded by the batch size, not by the size of the corpus.

`ingest_bulk(source, db)` runs in one process: DuckDB reads each batch of files and appends the
rows straight into the warehouse table inside the target connection (`INSERT … SELECT` from
`read_json`). No Arrow or pandas hop: measured faster than parsing to Arrow and inserting that
(see benchmarks/README.md). For a fan-out (`flows/sec_bulk.py`), `parse_batch_to_parquet` parses
one planned batch to Parquet and `load_parquet_batches` loads them all as the single writer.

Batches dedupe on the fact-version key (KEY_COLUMNS) with an anti-join per batch, restricted to
the batch's CIK range so the cost does not grow with the table. A file that cannot be parsed is
reported by name with the reason and does not stop the others.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from aipipe.core.runs import new_run_id
from aipipe.ingest.sec_bulk_sql import (
    batch_files_table,
    cik_range,
    count_result,
    ensure_staging_table,
    execute_on_files,
    has_rows_in_range,
    insert_sql,
    keys_may_repeat,
    parse_sql,
    run_isolating,
)
from aipipe.sources.sec.files import DEFAULT_BATCH_MB, BatchSpec, CompanyFile, materialize, plan_batches, prefetched
from aipipe.sources.sec.parse import CompanyFactsError
from aipipe.sources.sec.tolerant import read_tolerant
from aipipe.warehouse.connect import STORAGE_VERSION, creation_config, writer_lock

DEFAULT_MEMORY_LIMIT = "2GB"


def connect_warehouse(
    db_path: str | Path,
    *,
    threads: int = 2,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    storage_version: str | None = STORAGE_VERSION,
) -> duckdb.DuckDBPyConnection:
    """Open the target DuckDB file tuned for appends, and make sure staging.sec_facts exists.

    `preserve_insertion_order=false` lets both threads write row groups in parallel.
    `memory_limit` caps DuckDB's buffer pool (the JSON reader and allocator caches come on top).
    `storage_version` only applies when the file is created. The default, the warehouse's
    v1.5.0, writes ~25% faster here than DuckDB's default v0.10.2 (None), but files created
    with it cannot be opened by DuckDB older than 1.5.
    """
    config: dict[str, Any] = {
        "threads": threads,
        "memory_limit": memory_limit,
        "preserve_insertion_order": False,
        # Flush each row group as it fills instead of buffering five per thread: lower peak RSS
        # per batch (median 458 -> 416 MB measured), no measurable cost.
        "write_buffer_row_group_count": 1,
    }
    config.update(creation_config(Path(db_path), storage_version))
    con = duckdb.connect(str(db_path), config=config)
    ensure_staging_table(con)
    return con


@dataclass
class BulkResult:
    """What one bulk load did. `errors` maps each file that failed to the reason."""

    run_id: str
    source: str
    """The directory or companyfacts.zip that was read."""
    db_path: str
    files_total: int = 0
    files_failed: int = 0
    """Files that could not be extracted or parsed; each is named in `errors` with its reason."""
    bytes_total: int = 0
    rows_inserted: int = 0
    seconds: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)
    tolerant: dict[str, str] = field(default_factory=dict)
    """Files the typed read rejected and the tolerant read loaded, with what it tolerated."""
    timings: dict[str, float] = field(default_factory=dict)
    """Where the time went (parse, load, reopening connections), for benchmarks."""

    @property
    def files_loaded(self) -> int:
        return self.files_total - self.files_failed

    @property
    def mb_per_s(self) -> float:
        return self.bytes_total / 1e6 / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (
            f"sec bulk {self.run_id}: {self.files_loaded}/{self.files_total} files, "
            f"{self.bytes_total / 1e6:.1f} MB, {self.rows_inserted:,} new rows in "
            f"{self.seconds:.1f} s ({self.mb_per_s:.0f} MB/s), {self.files_failed} failed"
        )




def ingest_bulk(
    source_path: str | Path,
    db_path: str | Path,
    *,
    batch_mb: float = DEFAULT_BATCH_MB,
    concepts: Sequence[str] | None = None,
    progress: bool = True,
    run_id: str | None = None,
    dedup: bool = True,
    threads: int = 2,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    storage_version: str | None = STORAGE_VERSION,
    scratch_dir: str | None = None,
    wait_s: float = 0.0,
    reopen_between_batches: bool = True,
) -> BulkResult:
    """Append every fact version in `source_path` (directory or companyfacts.zip) to
    staging.sec_facts in `db_path`, batch by batch; each batch commits on its own.

    Re-running is safe: keys already in the table are skipped (`dedup`), so an interrupted load
    resumes by running it again. `concepts` keeps only those concept names. Holds the
    warehouse's single-writer lock (waiting up to `wait_s`) for the whole load. Memory is bounded
    by `batch_mb` and `memory_limit`, and does not grow with the corpus because the connection is
    reopened between batches (`reopen_between_batches`).
    """
    with writer_lock(Path(db_path), wait_s=wait_s, holder="sec bulk ingest"):
        started = time.perf_counter()
        run_id = run_id or new_run_id("sec-bulk")
        specs = plan_batches(source_path, batch_mb)
        result = BulkResult(run_id, str(source_path), str(db_path))
        result.files_total = sum(len(s.members) for s in specs)

        def connect() -> duckdb.DuckDBPyConnection:
            return connect_warehouse(db_path, threads=threads, memory_limit=memory_limit,
                                     storage_version=storage_version)

        con = connect()
        params: dict[str, Any] = {"run_id": run_id}
        if concepts:
            params["concepts"] = list(concepts)

        def attempt(files: Sequence[CompanyFile]) -> int:
            lo, hi = cik_range(files)
            check = dedup and has_rows_in_range(con, lo, hi)
            within = dedup and keys_may_repeat(files)

            def sql_for(json_format: str, max_object: int) -> str:
                select = parse_sql(json_format, bool(concepts), max_object)
                return insert_sql(select, dedup=check, within_batch=within)

            batch_params = {**params, "cik_lo": lo, "cik_hi": hi} if check else params
            return execute_on_files(con, sql_for, files, batch_params)

        bar = Progress(sum(s.nbytes for s in specs), result.files_total, progress)
        last_index = specs[-1].index if specs else -1
        result.timings.update(reopens=0, reopen_s=0.0)
        try:
            for batch in prefetched(specs, scratch_dir):
                inserted, errors = run_isolating(batch.files, attempt)
                result.rows_inserted += sum(inserted)
                result.rows_inserted += _retry_tolerant(con, batch.files, errors, result, run_id, dedup, concepts)
                result.errors.update(batch.errors)
                result.errors.update(errors)
                result.bytes_total += batch.spec.nbytes
                bar.advance(batch.spec)
                # Checkpoint every batch, so each checkpoint only has one batch of row groups to
                # settle. Otherwise the WAL grows until an automatic checkpoint inside some later
                # INSERT settles all of them at once: measured up to 4 s and 1.2 GB RSS on the 4x
                # corpus (peak over 5 runs: 430-560 MB with this line, 520-820 MB without).
                con.execute("CHECKPOINT")
                # A connection keeps memory from every batch it ran until it closes (DuckDB's cached
                # blocks and freed buffers; 30-60 MB per 64 MB batch measured): a batch on a used
                # connection peaked 60-100 MB higher than one on a fresh connection, and over 13
                # batches the peak drifted up to 480 MB. Reopening after every batch (each has
                # committed; ~40 ms) starts each batch from the same state, so the peak is that of
                # one batch however big the corpus.
                if reopen_between_batches and batch.spec.index != last_index:
                    reopen_started = time.perf_counter()
                    con.close()
                    con = connect()
                    result.timings["reopens"] += 1
                    result.timings["reopen_s"] += time.perf_counter() - reopen_started
        finally:
            bar.close()
            con.close()
        result.files_failed = len(result.errors)
        result.seconds = time.perf_counter() - started
        return result


def _retry_tolerant(con: duckdb.DuckDBPyConnection, files: Sequence[CompanyFile], errors: dict[str, str],
                    result: BulkResult, run_id: str, dedup: bool, concepts: Sequence[str] | None) -> int:
    """Read each file the typed read rejected through the tolerant path and append its rows; a
    file read this way leaves `errors` for `result.tolerant` (with how it was read)."""
    inserted = 0
    for company_file in [f for f in files if f.source_file in errors]:
        try:
            table, tolerated = read_tolerant(company_file.path, concepts)
        except CompanyFactsError:
            continue  # not companyfacts at all: the typed read's error stands
        ciks = set(table.column("cik").to_pylist())
        if company_file.name_cik is not None and ciks - {company_file.name_cik}:
            continue  # the cik inside does not match the file name: the typed read's error stands
        con.register("tolerant_rows", table)
        con.register("batch_files", batch_files_table([company_file]))
        try:
            lo, hi = cik_range([company_file])
            check = dedup and has_rows_in_range(con, lo, hi)
            select = ("SELECT t.* REPLACE (m.source_file AS source_file), m.snapshot_sha256, $run_id AS run_id "
                      "FROM tolerant_rows AS t JOIN batch_files AS m ON t.source_file = m.path")
            params = {"run_id": run_id, **({"cik_lo": lo, "cik_hi": hi} if check else {})}
            inserted += count_result(con.execute(insert_sql(select, dedup=check), params).fetchall())
        finally:
            con.unregister("tolerant_rows")
            con.unregister("batch_files")
        refused = errors.pop(company_file.source_file).split("cannot parse companyfacts: ", 1)[-1]
        result.tolerant[company_file.source_file] = (
            f"tolerant read ({'; '.join(tolerated) or 'values coerced'}; the typed read said: {refused})")
    return inserted


class Progress:
    """tqdm bar over bytes (so it shows MB/s) with files done and files/s in the postfix."""

    def __init__(self, total_bytes: int, total_files: int, enabled: bool) -> None:
        from tqdm.auto import tqdm

        self.started = time.perf_counter()
        self.files_done = 0
        self.bar = tqdm(
            total=total_bytes,
            unit="B",
            unit_scale=True,
            unit_divisor=1000,
            desc=f"sec bulk ({total_files} files)",
            disable=not enabled,
            smoothing=0.1,
        )

    def advance(self, spec: BatchSpec) -> None:
        self.files_done += len(spec.members)
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        self.bar.set_postfix(files=self.files_done, files_s=f"{self.files_done / elapsed:.0f}", refresh=False)
        self.bar.update(spec.nbytes)

    def close(self) -> None:
        self.bar.close()


# ---- the parse-to-Parquet half, for a fan-out (flows/sec_bulk.py): workers parse planned batches
# to Parquet and hand back their paths; the single writer loads them all in one transaction.

# The fan-out's parse-task batch and the size of its load statements.
FLOW_BATCH_MB = 64


@dataclass(frozen=True)
class ParsedBatch:
    """What a parse task hands back: Parquet paths (never data or connections) and failures."""

    index: int
    parquet_paths: tuple[str, ...]
    rows: int
    nbytes: int
    files: int
    cik_lo: int
    cik_hi: int
    keys_may_repeat: bool
    errors: dict[str, str]
    seconds: float


def parse_batch_to_parquet(
    spec: BatchSpec,
    run_dir: str,
    run_id: str,
    concepts: Sequence[str] | None = None,
    threads: int = 1,
    memory_limit: str = "1GB",
) -> ParsedBatch:
    """Parse one planned batch into Parquet file(s) under `run_dir` (the body of a parse task).

    Materializes the batch locally (zip members go to a scratch dir), so it runs on any worker
    that can read `spec.source` and write `run_dir`.
    """
    started = time.perf_counter()
    batch = materialize(spec)
    con = duckdb.connect(config={"threads": threads, "memory_limit": memory_limit, "preserve_insertion_order": False})
    params: dict[str, Any] = {"run_id": run_id}
    if concepts:
        params["concepts"] = list(concepts)
    part = 0

    def attempt(files: Sequence[CompanyFile]) -> tuple[str, int]:
        nonlocal part
        path = Path(run_dir) / f"batch-{spec.index:05d}-{part}.parquet"
        part += 1

        def copy_sql(json_format: str, max_object: int) -> str:
            select = parse_sql(json_format, bool(concepts), max_object)
            return f"COPY ({select}) TO '{path}' (FORMAT parquet, COMPRESSION snappy)"

        rows = execute_on_files(con, copy_sql, files, params)
        return str(path), rows

    try:
        written, errors = run_isolating(batch.files, attempt)
    finally:
        con.close()
        batch.cleanup()
    lo, hi = cik_range(batch.files)
    return ParsedBatch(
        index=spec.index,
        parquet_paths=tuple(p for p, _ in written),
        rows=sum(n for _, n in written),
        nbytes=spec.nbytes,
        files=len(spec.members),
        cik_lo=lo,
        cik_hi=hi,
        keys_may_repeat=keys_may_repeat(batch.files),
        errors={**batch.errors, **errors},
        seconds=time.perf_counter() - started,
    )


def load_parquet_batches(
    parsed: Sequence[ParsedBatch],
    db_path: str | Path,
    *,
    dedup: bool = True,
    threads: int = 2,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    storage_version: str | None = STORAGE_VERSION,
    wait_s: float = 0.0,
) -> int:
    """The single writer: append every batch's Parquet into staging.sec_facts in ONE transaction.

    Batches are inserted one by one (bounded memory), each deduped against the rows already in
    the table, including those inserted earlier in this transaction. Returns rows inserted.
    """
    with writer_lock(Path(db_path), wait_s=wait_s, holder="sec bulk flow load"):
        con = connect_warehouse(db_path, threads=threads, memory_limit=memory_limit, storage_version=storage_version)
        inserted = 0
        try:
            con.execute("BEGIN TRANSACTION")
            for group in group_for_load(parsed):
                lo, hi = min(b.cik_lo for b in group), max(b.cik_hi for b in group)
                params: dict[str, Any] = {"paths": [p for b in group for p in b.parquet_paths]}
                check = dedup and has_rows_in_range(con, lo, hi)
                if check:
                    params.update(cik_lo=lo, cik_hi=hi)
                within = dedup and (any(b.keys_may_repeat for b in group) or _ranges_overlap(group))
                sql = insert_sql("SELECT * FROM read_parquet($paths)", dedup=check, within_batch=within)
                inserted += count_result(con.execute(sql, params).fetchall())
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.close()
        return inserted



def group_for_load(
    parsed: Sequence[ParsedBatch], target_bytes: int = FLOW_BATCH_MB * 1_000_000
) -> list[list[ParsedBatch]]:
    """Consecutive parsed batches (in plan order) joined up to ~target_bytes of source JSON.

    Each INSERT has a fixed cost (partial row groups), so loading many small task outputs one by
    one is ~2x slower than in ~64 MB statements (measured on 13 x 16 MB batches).
    """
    groups: list[list[ParsedBatch]] = []
    size = 0
    for batch in sorted(parsed, key=lambda b: b.index):
        if not batch.parquet_paths:
            continue
        if not groups or size + batch.nbytes > target_bytes:
            groups.append([])
            size = 0
        groups[-1].append(batch)
        size += batch.nbytes
    return groups


def _ranges_overlap(group: Sequence[ParsedBatch]) -> bool:
    spans = sorted((b.cik_lo, b.cik_hi) for b in group)
    return any(later[0] <= earlier[1] for earlier, later in zip(spans, spans[1:], strict=False))

