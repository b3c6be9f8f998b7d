"""Stream SEC's bulk companyfacts (a directory of CIK##########.json, or companyfacts.zip) into
`staging.sec_facts`, with memory bounded by the batch size, not by the size of the corpus.

Two entry points:

- `ingest_bulk(source, db)` — one process; DuckDB reads each batch of files and appends the rows
  straight into the warehouse table inside the target connection (`INSERT … SELECT` from
  `read_json`). No Arrow or pandas hop: measured faster than parsing to Arrow and inserting that
  (see benchmarks/README.md).
- `bulk_ingest_flow(source, db, task_runner="threads" | "dask")` — the Prefect fan-out: tasks parse
  batches to Parquet files in a run directory and return their paths; the flow process is the
  single writer and loads them in one transaction.

Both dedupe on the fact-version key (KEY_COLUMNS) with an anti-join per batch, restricted to the
batch's CIK range so the cost does not grow with the table. A file that cannot be parsed is
reported by name with the reason and does not stop the others.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from aipipe.settings import SQL_DIR
from aipipe.sources.sec_parse import COMPANYFACTS_COLUMNS, unnest_sql
from aipipe.warehouse import STORAGE_VERSION, creation_config, writer_lock

STAGING_TABLE = "staging.sec_facts"
STAGING_COLUMNS = {
    "cik": "BIGINT",
    "entity_name": "VARCHAR",
    "taxonomy": "VARCHAR",
    "concept": "VARCHAR",
    "unit": "VARCHAR",
    "period_start": "DATE",
    "period_end": "DATE",
    "value": "DOUBLE",
    "accession": "VARCHAR",
    "fiscal_year": "INTEGER",
    "fiscal_period": "VARCHAR",
    "form": "VARCHAR",
    "filed": "DATE",
    "frame": "VARCHAR",
    "source_file": "VARCHAR",
    "snapshot_sha256": "VARCHAR",
    "run_id": "VARCHAR",
}
# One fact version: the same value re-reported in a later filing has another accession.
KEY_COLUMNS = ("cik", "taxonomy", "concept", "unit", "period_start", "period_end", "accession")
# The foundation team's canonical DDL (idempotent); used instead of ours when present.
CANONICAL_DDL = SQL_DIR / "staging" / "sec_facts.sql"

# ingest_bulk's batch. Measured on the 1,000- and 4,000-company corpora (benchmarks/README.md):
# 128 MB took 15-25% less CPU than 64 MB (fewer statements, and fewer checkpoints that merge the
# partial row groups each batch leaves), at a peak RSS ~30 MB higher; 96 and 192 MB were slower.
DEFAULT_BATCH_MB = 128
# The Prefect flow's parse-task batch and the size of its load statements.
FLOW_BATCH_MB = 64
DEFAULT_MEMORY_LIMIT = "2GB"
_CIK_NAME = re.compile(r"^CIK(\d{10})\.json$")
_ALL_CIKS = (-(2**63), 2**63 - 1)
_R = TypeVar("_R")


# --------------------------------------------------------------------------------------------
# Sources: plan batches from a directory or a zip, materialize one batch at a time
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchSpec:
    """A planned batch: member names of one source (directory or zip), not yet on local disk.

    Small and picklable, so Prefect tasks (and Dask workers) receive this, never file contents.
    """

    source: str
    members: tuple[str, ...]
    nbytes: int
    index: int = 0


@dataclass(frozen=True)
class CompanyFile:
    """One companyfacts file ready for DuckDB: where it is and what rows should record."""

    path: str  # local path DuckDB reads (a temporary copy for zip members)
    source_file: str  # recorded in staging.sec_facts.source_file
    nbytes: int
    sha256: str

    @property
    def name_cik(self) -> int | None:
        """The CIK in a SEC-style file name (CIK0000320193.json), else None."""
        match = _CIK_NAME.match(Path(self.source_file.rsplit("!/", 1)[-1]).name)
        return int(match.group(1)) if match else None


@dataclass
class FileBatch:
    """A materialized batch. Files of a zip batch live in `scratch` until `cleanup()`."""

    spec: BatchSpec
    files: list[CompanyFile]
    errors: dict[str, str] = field(default_factory=dict)
    scratch: str | None = None

    def cleanup(self) -> None:
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


def plan_batches(source_path: str | Path, batch_mb: float = DEFAULT_BATCH_MB) -> list[BatchSpec]:
    """Group the source's .json files (sorted by name, so by CIK) into batches of ~batch_mb.

    Only names and sizes are held (about 100 bytes per file, ~2 MB for the whole SEC universe).
    """
    source = Path(source_path)
    if source.is_dir():
        entries = sorted(
            (e.name, e.stat().st_size) for e in os.scandir(source) if e.is_file() and e.name.endswith(".json")
        )
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as zf:
            entries = sorted(
                (i.filename, i.file_size) for i in zf.infolist() if not i.is_dir() and i.filename.endswith(".json")
            )
    else:
        raise FileNotFoundError(f"sec bulk: {source} is neither a directory nor a zip file")
    limit = max(1, int(batch_mb * 1_000_000))
    batches: list[BatchSpec] = []
    members: list[str] = []
    nbytes = 0
    for name, size in entries:
        if members and nbytes + size > limit:
            batches.append(BatchSpec(str(source), tuple(members), nbytes, len(batches)))
            members, nbytes = [], 0
        members.append(name)
        nbytes += size
    if members:
        batches.append(BatchSpec(str(source), tuple(members), nbytes, len(batches)))
    return batches


def materialize(spec: BatchSpec, scratch_root: str | None = None) -> FileBatch:
    """Make a batch readable by DuckDB and hash each file (the snapshot checksum).

    Directory files are read in place. Zip members are streamed, one at a time, into a fresh
    scratch directory that the caller removes with `FileBatch.cleanup()`.
    """
    source = Path(spec.source)
    if source.is_dir():
        files = [
            CompanyFile(str(source / name), str(source / name), *_size_and_sha256(source / name))
            for name in spec.members
        ]
        return FileBatch(spec, files)
    scratch = tempfile.mkdtemp(prefix=f"aipipe-bulk-{spec.index:05d}-", dir=scratch_root)
    batch = FileBatch(spec, [], scratch=scratch)
    try:
        with zipfile.ZipFile(source) as zf:
            for member in spec.members:
                label = f"{source}!/{member}"
                try:
                    batch.files.append(_extract_member(zf, member, Path(scratch), label))
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    batch.errors[label] = f"sec: {label}: cannot extract from zip: {exc}"
    except BaseException:
        batch.cleanup()
        raise
    return batch


def iter_companyfacts(source_path: str | Path, batch_mb: float = DEFAULT_BATCH_MB) -> Iterator[list[CompanyFile]]:
    """Yield the source's companyfacts files in batches of ~batch_mb.

    For a zip, each batch is extracted to a scratch directory that is removed when the next batch
    is requested, so at most one batch is on disk. Members that cannot be extracted are skipped.
    """
    for spec in plan_batches(source_path, batch_mb):
        batch = materialize(spec)
        try:
            yield batch.files
        finally:
            batch.cleanup()


def _size_and_sha256(path: Path) -> tuple[int, str]:
    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256")
    return path.stat().st_size, digest.hexdigest()


def _extract_member(zf: zipfile.ZipFile, member: str, scratch: Path, label: str) -> CompanyFile:
    digest = hashlib.sha256()
    target = scratch / Path(member).name  # members are flat in SEC's zip; never trust paths
    size = 0
    with zf.open(member) as src, open(target, "wb") as dst:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return CompanyFile(str(target), label, size, digest.hexdigest())


def _prefetched(specs: Sequence[BatchSpec], scratch_root: str | None) -> Iterator[FileBatch]:
    """Materialize batch k+1 in a background thread while the caller works on batch k.

    Hashing and zip inflation release the GIL, so this overlaps with DuckDB. At most two batches
    exist at once; each is cleaned up when the caller asks for the next one (or stops).
    """
    if not specs:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-prefetch") as pool:
        pending = pool.submit(materialize, specs[0], scratch_root)
        try:
            for nxt in [*specs[1:], None]:
                batch = pending.result()
                pending = pool.submit(materialize, nxt, scratch_root) if nxt else None
                try:
                    yield batch
                finally:
                    batch.cleanup()
        finally:
            if pending is not None:  # the caller stopped early: drop the prefetched batch too
                try:
                    pending.result().cleanup()
                except Exception:  # noqa: BLE001 - its error does not matter any more
                    pass


# --------------------------------------------------------------------------------------------
# SQL: parse a batch inside DuckDB, dedupe, append
# --------------------------------------------------------------------------------------------

# One row per file: the declared types of sec_parse, the file-level columns (snapshot checksum,
# logical source name) joined once per file rather than per row, and a check that the cik inside
# a file matches its name (the dedup range relies on it). sec_parse.unnest_sql unnests the facts.
_COMPANIES_SQL = """
    SELECT CASE WHEN m.name_cik IS NULL OR j.cik = m.name_cik THEN j.cik
                ELSE error(printf('cik %d inside does not match the file name %s',
                                  j.cik, m.source_file)) END AS cik,
           j.entityName AS entity_name, m.source_file, m.snapshot_sha256, j.facts
    FROM read_json($files, columns = $columns, format = '{json_format}', filename = true,
                   maximum_object_size = {max_object_bytes}) AS j
    JOIN batch_files AS m ON j.filename = m.path"""


def parse_sql(
    json_format: str = "newline_delimited", with_concepts: bool = False, max_object_bytes: int = 1 << 24
) -> str:
    """SELECT of staging rows from the files in $files (meta in the `batch_files` relation).

    'newline_delimited' is ~1.5x faster than 'auto' and fits SEC's compact one-line files; a
    pretty-printed file fails it cleanly, and callers retry that batch with 'auto'.
    `max_object_bytes` must cover the largest file: DuckDB reserves buffers of about twice it.
    With `with_concepts`, only the concepts in $concepts are unnested.
    """
    companies = _COMPANIES_SQL.format(json_format=json_format, max_object_bytes=int(max_object_bytes))
    return unnest_sql(
        companies,
        file_columns=("source_file", "snapshot_sha256"),
        extra_columns=("$run_id AS run_id",),
        concept_filter="list_contains($concepts, concept)" if with_concepts else "",
    )


def max_object_bytes(files: Sequence[CompanyFile]) -> int:
    """A read_json object-size limit for these files: 16 MiB, or the largest file plus room."""
    largest = max((f.nbytes for f in files), default=0)
    return max(1 << 24, (largest + (largest >> 3) + (1 << 20)) & ~((1 << 20) - 1))


def insert_sql(source_sql: str, dedup: bool = True, within_batch: bool = False, table: str = STAGING_TABLE) -> str:
    """INSERT the rows of `source_sql` into `table`, skipping keys already there.

    The anti-join only looks at table rows with cik in [$cik_lo, $cik_hi]; DuckDB prunes the rest
    by zone maps, so a batch's cost stays flat as the table grows (measured: an unrestricted
    anti-join scans the whole table every batch). `within_batch` also drops repeated keys inside
    the statement, needed only when two files of a batch may hold the same company (see
    `keys_may_repeat`); one SEC file never repeats a key.
    """
    columns = ", ".join(STAGING_COLUMNS)
    if within_batch:
        keys = ", ".join(KEY_COLUMNS)
        source_sql = (
            f"SELECT * FROM ({source_sql}) QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY source_file) = 1"
        )
    select = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM ({source_sql}) AS n"
    if not dedup:
        return select
    matches = " AND ".join(f"t.{c} IS NOT DISTINCT FROM n.{c}" for c in KEY_COLUMNS)
    return (
        f"{select} WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.cik BETWEEN $cik_lo AND $cik_hi AND {matches})"
    )


def has_rows_in_range(con: duckdb.DuckDBPyConnection, cik_lo: int, cik_hi: int, table: str = STAGING_TABLE) -> bool:
    """Whether `table` already holds any row with cik in [cik_lo, cik_hi] (zone maps make it cheap).

    When it does not, the batch is appended without the anti-join: on a first load that join only
    builds a hash table of the new rows to probe nothing (measured ~+35% CPU).
    """
    rows = con.execute(f"SELECT 1 FROM {table} WHERE cik BETWEEN ? AND ? LIMIT 1", [cik_lo, cik_hi]).fetchall()
    return bool(rows)


def keys_may_repeat(files: Sequence[CompanyFile]) -> bool:
    """Whether two files of a batch may hold the same company: a repeated or non-SEC file name.

    With SEC names the cik inside each file is checked against its name, so distinct names mean
    distinct companies and no key can repeat across files.
    """
    ciks = [f.name_cik for f in files]
    return any(c is None for c in ciks) or len(set(ciks)) != len(ciks)


def cik_range(files: Sequence[CompanyFile]) -> tuple[int, int]:
    """The CIK range a batch can touch, from its file names (every CIK when a name is unusual)."""
    ciks = [f.name_cik for f in files]
    if not ciks or any(c is None for c in ciks):
        return _ALL_CIKS
    return min(ciks), max(ciks)  # type: ignore[type-var]


def batch_files_table(files: Sequence[CompanyFile]) -> pa.Table:
    """One row per file of a batch: the path DuckDB reads and what its rows record."""
    return pa.table(
        {
            "path": pa.array([f.path for f in files], pa.string()),
            "source_file": pa.array([f.source_file for f in files], pa.string()),
            "snapshot_sha256": pa.array([f.sha256 for f in files], pa.string()),
            "name_cik": pa.array([f.name_cik for f in files], pa.int64()),
        }
    )


def _execute_on_files(
    con: duckdb.DuckDBPyConnection,
    sql_for_format: Callable[[str, int], str],
    files: Sequence[CompanyFile],
    params: dict[str, Any],
) -> int:
    """Run a statement over `files`: newline-delimited first, then 'auto' for pretty JSON."""
    con.register("batch_files", batch_files_table(files))
    limit = max_object_bytes(files)
    try:
        params = {**params, "files": [f.path for f in files], "columns": COMPANYFACTS_COLUMNS}
        try:
            return _count(con.execute(sql_for_format("newline_delimited", limit), params).fetchall())
        except duckdb.OutOfMemoryException:
            raise
        except duckdb.Error:
            return _count(con.execute(sql_for_format("auto", limit), params).fetchall())
    finally:
        con.unregister("batch_files")


def _count(rows: list[tuple]) -> int:
    return int(rows[0][0]) if rows and rows[0] and rows[0][0] is not None else 0


def run_isolating(
    files: Sequence[CompanyFile], attempt: Callable[[Sequence[CompanyFile]], _R]
) -> tuple[list[_R], dict[str, str]]:
    """Run `attempt` on all files; when it fails, bisect so one bad file cannot sink the rest.

    Returns (results of the subsets that succeeded, {source_file: reason} for the bad files).
    A batch with one bad file costs about 2·log2(n) extra attempts, not n.
    """
    if not files:
        return [], {}
    try:
        return [attempt(files)], {}
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as exc:
        if len(files) == 1:
            name = files[0].source_file
            return [], {name: f"sec: {name}: cannot parse companyfacts: {_first_line(exc)}"}
    middle = len(files) // 2
    left, left_errors = run_isolating(files[:middle], attempt)
    right, right_errors = run_isolating(files[middle:], attempt)
    return left + right, {**left_errors, **right_errors}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


# --------------------------------------------------------------------------------------------
# Warehouse connection and table
# --------------------------------------------------------------------------------------------


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


def ensure_staging_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create staging.sec_facts if absent: the canonical DDL file when it exists, else ours."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'staging' AND table_name = 'sec_facts'"
    ).fetchall()[0][0]
    if exists:
        return
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    if CANONICAL_DDL.exists():
        con.execute(CANONICAL_DDL.read_text())
        return
    columns = ",\n    ".join(f"{name} {kind}" for name, kind in STAGING_COLUMNS.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {STAGING_TABLE} (\n    {columns}\n)")


def count_rows(db_path: str | Path) -> int:
    """Rows in staging.sec_facts (0 when the table does not exist)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'staging' AND table_name = 'sec_facts'"
        ).fetchall()[0][0]
        return _count(con.execute(f"SELECT count(*) FROM {STAGING_TABLE}").fetchall()) if found else 0
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# ingest_bulk: one process, DuckDB parses straight into the warehouse
# --------------------------------------------------------------------------------------------


@dataclass
class BulkResult:
    """What one bulk load did. `errors` maps each file that failed to the reason."""

    run_id: str
    source: str
    db_path: str
    files_total: int = 0
    files_failed: int = 0
    bytes_total: int = 0
    rows_inserted: int = 0
    seconds: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

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


def new_run_id() -> str:
    return f"sec-bulk-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


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
        return _ingest_bulk(
            source_path,
            db_path,
            batch_mb=batch_mb,
            concepts=concepts,
            progress=progress,
            run_id=run_id,
            dedup=dedup,
            threads=threads,
            memory_limit=memory_limit,
            storage_version=storage_version,
            scratch_dir=scratch_dir,
            reopen_between_batches=reopen_between_batches,
        )


def _ingest_bulk(
    source_path: str | Path,
    db_path: str | Path,
    *,
    batch_mb: float,
    concepts: Sequence[str] | None,
    progress: bool,
    run_id: str | None,
    dedup: bool,
    threads: int,
    memory_limit: str,
    storage_version: str | None,
    scratch_dir: str | None,
    reopen_between_batches: bool,
) -> BulkResult:
    started = time.perf_counter()
    run_id = run_id or new_run_id()
    specs = plan_batches(source_path, batch_mb)
    result = BulkResult(run_id, str(source_path), str(db_path))
    result.files_total = sum(len(s.members) for s in specs)

    def connect() -> duckdb.DuckDBPyConnection:
        return connect_warehouse(db_path, threads=threads, memory_limit=memory_limit, storage_version=storage_version)

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
        return _execute_on_files(con, sql_for, files, batch_params)

    bar = _Progress(sum(s.nbytes for s in specs), result.files_total, progress)
    last_index = specs[-1].index if specs else -1
    result.timings.update(reopens=0, reopen_s=0.0)
    try:
        for batch in _prefetched(specs, scratch_dir):
            inserted, errors = run_isolating(batch.files, attempt)
            result.rows_inserted += sum(inserted)
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


class _Progress:
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


# --------------------------------------------------------------------------------------------
# Prefect fan-out: parse tasks write Parquet, the flow process is the single writer
# --------------------------------------------------------------------------------------------


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

        rows = _execute_on_files(con, copy_sql, files, params)
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
        return _load_parquet_batches(
            parsed,
            db_path,
            dedup=dedup,
            threads=threads,
            memory_limit=memory_limit,
            storage_version=storage_version,
        )


def _load_parquet_batches(
    parsed: Sequence[ParsedBatch],
    db_path: str | Path,
    *,
    dedup: bool,
    threads: int,
    memory_limit: str,
    storage_version: str | None,
) -> int:
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
            inserted += _count(con.execute(sql, params).fetchall())
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


def make_task_runner(
    task_runner: str = "threads",
    dask_address: str | None = None,
    workers: int = 2,
    dask_processes: bool = True,
):
    """ThreadPoolTaskRunner, or prefect_dask.DaskTaskRunner on a new LocalCluster / an address."""
    if task_runner == "threads":
        from prefect.task_runners import ThreadPoolTaskRunner

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
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED, temporary_settings

    if not needed or PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the same instance Prefect's client would start
    server.start()
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield


@functools.cache
def _prefect_flow():
    """Build the Prefect task and flow on first use, so the direct path never imports Prefect."""
    from prefect import flow, task, unmapped
    from prefect.cache_policies import NO_CACHE

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
        started = time.perf_counter()
        specs = plan_batches(source_path, batch_mb)
        result = BulkResult(run_id, source_path, db_path)
        result.files_total = sum(len(s.members) for s in specs)
        result.bytes_total = sum(s.nbytes for s in specs)
        futures = parse_task.map(specs, run_dir=unmapped(run_dir), run_id=unmapped(run_id), concepts=unmapped(concepts))
        bar = _Progress(result.bytes_total, result.files_total, progress)
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

    return sec_bulk_ingest


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
    run_id = run_id or new_run_id()
    db_path = Path(db_path)
    own_dir = run_dir is None
    run_path = Path(run_dir) if run_dir else db_path.parent / f".{db_path.name}.{run_id}"
    run_path.mkdir(parents=True, exist_ok=True)
    runner = make_task_runner(task_runner, dask_address, workers, dask_processes)
    flow = _prefect_flow().with_options(task_runner=runner)
    try:
        with _shared_prefect_api(task_runner == "dask"):
            return flow(
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
