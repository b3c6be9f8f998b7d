"""Connections to the DuckDB warehouse, and the single-writer lock.

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
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

# On-disk format of every warehouse file aipipe creates. DuckDB's default (v0.10.2) keeps files
# readable by old clients; v1.5.0 storage writes the bulk SEC load ~25% faster (DICT_FSST string
# compression; benchmarks/README.md). Files created this way open only in DuckDB >= 1.5. Existing
# files keep the format they were created with.
STORAGE_VERSION = "v1.5.0"


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse (writer lock or DuckDB file lock)."""


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


@contextlib.contextmanager
def write_transaction(db_path: Path, *, retry_s: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection inside one transaction (call under `writer_lock`): committed when
    the block ends, rolled back if it raises (a kill mid-way is rolled back by DuckDB on the
    next open), closed either way."""
    con = connect_write(db_path, retry_s=retry_s)
    try:
        con.execute("BEGIN TRANSACTION")
        yield con
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()
