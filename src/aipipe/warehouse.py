"""The DuckDB warehouse: connections, the SQL in `warehouse/`, and the one-transaction load.

Concurrency rules (DuckDB lets one process hold a file read-write, and while it does no other
process can open it, even read-only):
- one writer at a time, enforced by an OS lock on `<db>.lock`; a second writer waits (bounded)
  or gets a clear message naming the holder;
- the writer opens the database only for two short transactions (recording the run as started,
  and the load); fetching and parsing happen in between with the file closed;
- readers open read-only and retry for a bounded time while a load is in progress.
A load is one transaction: killed half-way, DuckDB rolls it back on the next open.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

import schemas
from aipipe.settings import SQL_DIR

SQL_LAYERS = ["ddl", "staging", "marts"]
# On-disk format of every warehouse file aipipe creates. DuckDB's default (v0.10.2) keeps files
# readable by old clients; v1.5.0 storage writes the bulk SEC load ~25% faster (DICT_FSST string
# compression; benchmarks/README.md). Files created this way open only in DuckDB >= 1.5. Existing
# files keep the format they were created with.
STORAGE_VERSION = "v1.5.0"


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse (writer lock or DuckDB file lock)."""


def sql_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    files = []
    for layer in SQL_LAYERS:
        files.extend(sorted((sql_dir / layer).glob("*.sql")))
    return files


def apply_sql(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> None:
    """Create schemas, tables and views. Views may depend on each other, so failed ones retry.

    Skipped when the warehouse already has exactly these files applied (their fingerprint is kept
    in audit.sql_applied): re-applying every view costs more than the rest of a no-change run."""
    files = sql_files(sql_dir)
    fingerprint = hashlib.sha256(b"".join(p.relative_to(sql_dir).as_posix().encode() + b"\0" + p.read_bytes()
                                          for p in files)).hexdigest()
    if _applied_fingerprint(con) == fingerprint:
        return
    pending = files
    while pending:
        failed: list[tuple[Path, Exception]] = []
        for path in pending:
            try:
                con.execute(path.read_text())
            except duckdb.CatalogException as exc:  # a view whose dependency comes later
                failed.append((path, exc))
        if len(failed) == len(pending):
            details = "; ".join(f"{p.relative_to(sql_dir)}: {str(e).splitlines()[0]}" for p, e in failed)
            raise RuntimeError(f"warehouse SQL cannot be applied: {details}")
        pending = [p for p, _ in failed]
    con.execute("CREATE TABLE IF NOT EXISTS audit.sql_applied (fingerprint VARCHAR, applied_at TIMESTAMPTZ)")
    con.execute("DELETE FROM audit.sql_applied")
    con.execute("INSERT INTO audit.sql_applied VALUES (?, current_timestamp)", [fingerprint])


def _applied_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    exists = con.execute("SELECT count(*) FROM information_schema.tables "
                         "WHERE table_schema = 'audit' AND table_name = 'sql_applied'").fetchall()[0][0]
    if not exists:
        return None
    rows = con.execute("SELECT fingerprint FROM audit.sql_applied").fetchall()
    return rows[0][0] if rows else None


# Lock files this process holds, with their nesting depth: a refresh takes the lock for the whole
# run and the load inside it re-enters (flock would refuse a second open file of the same process).
_held_locks: dict[str, int] = {}
_held_guard = threading.Lock()


@contextlib.contextmanager
def writer_lock(db_path: Path, *, wait_s: float = 0.0, holder: str = "") -> Iterator[None]:
    """Hold the single-writer lock for `db_path`; wait up to `wait_s` seconds for it.

    Re-entrant within one process (a refresh holds it from start to finish; its load re-enters)."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".lock")
    key = str(lock_path.resolve())
    with _held_guard:
        reentered = key in _held_locks
        if reentered:
            _held_locks[key] += 1
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held_locks[key] -= 1
        return
    with _exclusive_lock(lock_path, db_path, wait_s, holder):
        with _held_guard:
            _held_locks[key] = 1
        try:
            yield
        finally:
            with _held_guard:
                del _held_locks[key]


@contextlib.contextmanager
def _exclusive_lock(lock_path: Path, db_path: Path, wait_s: float, holder: str) -> Iterator[None]:
    handle = open(lock_path, "a+")
    deadline = time.monotonic() + wait_s
    announced = False
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    who = handle.read().strip() or "another process"
                    raise WarehouseBusy(
                        f"{db_path} is being refreshed by {who}; wait for it to finish "
                        f"(or pass --wait SECONDS to queue behind it)"
                    ) from None
                if not announced:
                    handle.seek(0)
                    sys.stderr.write(f"aipipe: {db_path} is being refreshed by "
                                     f"{handle.read().strip() or 'another process'}; waiting up to {wait_s:g}s\n")
                    announced = True
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} {holder}".strip())
        handle.flush()
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def connect_read_only(db_path: Path, *, retry_s: float = 30.0) -> duckdb.DuckDBPyConnection:
    """A read-only connection; retries for up to `retry_s` while a writer holds the file."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(f"no warehouse at {db_path}; run `aipipe refresh` (or `make run`) first")
    deadline = time.monotonic() + retry_s
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(db_path), read_only=True)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                if "lock" in str(exc).lower():
                    raise WarehouseBusy(f"{db_path} stayed locked by a writer for {retry_s:.0f}s") from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def connect_write(db_path: Path, *, retry_s: float = 30.0) -> duckdb.DuckDBPyConnection:
    """A read-write connection (call under `writer_lock`); retries while readers hold the file.

    A new file is created with STORAGE_VERSION storage."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + retry_s
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(db_path), config=creation_config(db_path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def creation_config(db_path: Path, storage_version: str | None = STORAGE_VERSION) -> dict[str, str]:
    """DuckDB config that creates `db_path` with `storage_version` storage; {} when it exists.

    The setting only matters when the file is created: an existing file keeps its format."""
    if storage_version and not Path(db_path).exists():
        return {"storage_compatibility_version": storage_version}
    return {}


def loaded_snapshots(db_path: Path) -> set[tuple[str, str, str]]:
    """(sha256, source, parser_version) of every snapshot the warehouse has loaded."""
    if not Path(db_path).exists():
        return set()
    con = connect_read_only(db_path)
    try:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema='raw' AND table_name='snapshots'"
        ).fetchall()[0][0]
        if not exists:
            return set()
        return {tuple(r) for r in con.execute("SELECT sha256, source, parser_version FROM raw.snapshots").fetchall()}
    finally:
        con.close()


def insert_staged(con: duckdb.DuckDBPyConnection, table: str, parquet_path: str) -> int:
    """Write one staged Parquet file into staging.<table> by the table's named disposition."""
    schema = schemas.for_table(table)
    target = f"staging.{table}"
    key = list(schema.KEY)
    disposition = schema.DISPOSITION
    source = f"read_parquet('{_sql_str(parquet_path)}')"
    matches = " AND ".join(f"t.{c} IS NOT DISTINCT FROM v.{c}" for c in key)
    insert_new_sql = (f"INSERT INTO {target} BY NAME SELECT v.* FROM {source} v "
                      f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {matches})")
    if disposition == "append_new":
        return _count(con.execute(insert_new_sql))
    if disposition == "merge":
        columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        compared = [c for c in columns if c not in key and c not in ("run_id", "snapshot_sha256")]
        differs = " OR ".join(f"t.{c} IS DISTINCT FROM v.{c}" for c in compared) or "FALSE"
        con.execute(f"DELETE FROM {target} t WHERE EXISTS (SELECT 1 FROM {source} v WHERE {matches} AND ({differs}))")
        return _count(con.execute(insert_new_sql))
    if disposition == "replace":
        con.execute(f"DELETE FROM {target}")
        return _count(con.execute(f"INSERT INTO {target} BY NAME SELECT v.* FROM {source} v"))
    raise ValueError(f"{target}: unknown disposition {disposition!r}")


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Replace the whole content of a small reference table (config tables such as metric tags)."""
    con.execute(f"DELETE FROM {table}")
    if rows:
        columns = list(rows[0])
        placeholders = ", ".join("?" for _ in columns)
        con.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
            [[row[c] for c in columns] for row in rows],
        )


def insert_records(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    placeholders = ", ".join("?" for _ in columns)
    con.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
        [[_plain(row[c]) for c in columns] for row in rows],
    )


def _plain(value: object) -> object:
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    return value


def _count(relation: duckdb.DuckDBPyConnection) -> int:
    rows = relation.fetchall()
    return int(rows[0][0]) if rows else 0


def _sql_str(text: str) -> str:
    return text.replace("'", "''")
