"""The measurements of the bulk benchmark. Each runs in its own fresh process (see run.py), so
the peak RSS it reports (VmHWM) belongs to that measurement alone.

Every function takes the corpus directory and a scratch directory and returns a dict with at
least `seconds` (wall time of the work itself, imports excluded).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _files(corpus: Path) -> list[Path]:
    return sorted((corpus / "companyfacts").glob("*.json"))


def _fresh(path: Path) -> Path:
    for stale in (path, path.with_name(path.name + ".wal")):
        if stale.exists():
            stale.unlink()
    return path


# ---- (a) the parse floor ---------------------------------------------------------------------


def floor(corpus: Path, scratch: Path) -> dict[str, Any]:
    """Read + orjson.loads every file, one process: the fastest parse available here."""
    import orjson

    started = time.perf_counter()
    nbytes = 0
    for path in _files(corpus):
        with open(path, "rb") as fh:
            body = fh.read()
        nbytes += len(body)
        orjson.loads(body)
    return {"seconds": time.perf_counter() - started, "bytes": nbytes}


def _parse_share(paths: list[str]) -> int:
    import orjson

    total = 0
    for path in paths:
        with open(path, "rb") as fh:
            body = fh.read()
        total += len(body)
        orjson.loads(body)
    return total


def floor_2proc(corpus: Path, scratch: Path) -> dict[str, Any]:
    """The same floor spread over both cores (two processes): context for the 2-thread ingest."""
    from concurrent.futures import ProcessPoolExecutor

    paths = [str(p) for p in _files(corpus)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_parse_share, [[paths[0]], [paths[1]]]))  # start both workers first
        started = time.perf_counter()
        nbytes = sum(pool.map(_parse_share, [paths[0::2], paths[1::2]]))
    return {"seconds": time.perf_counter() - started, "bytes": nbytes}


# ---- (b) aipipe's ingest and its variants --------------------------------------------------


def _warm_imports() -> None:
    """Import what DuckDB's Python client imports lazily at the first bound parameter (numpy and
    pandas, ~0.3-0.5 s), so the clock measures the work and not a one-off import, like the rest."""
    import numpy  # noqa: F401
    import pandas  # noqa: F401


def _ingest(source: Path, db: Path, **kwargs: Any) -> dict[str, Any]:
    from aipipe.ingest.sec_bulk import ingest_bulk
    from aipipe.ingest.sec_bulk_sql import count_rows

    _warm_imports()
    started = time.perf_counter()
    result = ingest_bulk(source, db, progress=False, **kwargs)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "bytes": result.bytes_total,
        "rows_inserted": result.rows_inserted,
        "rows_in_table": count_rows(db),
        "files_failed": result.files_failed,
        "db_mb": db.stat().st_size / 1e6,
        "reopens": result.timings.get("reopens"),
        "reopen_s": result.timings.get("reopen_s"),
    }


def ingest_dir(corpus: Path, scratch: Path, batch_mb: float = 128, **kwargs: Any) -> dict[str, Any]:
    """aipipe.ingest.sec_bulk.ingest_bulk from the directory into a fresh DuckDB file (kept for `reingest`)."""
    return _ingest(corpus / "companyfacts", _fresh(scratch / "ingest_dir.duckdb"), batch_mb=batch_mb, **kwargs)


def ingest_dir_v0102(corpus: Path, scratch: Path, batch_mb: float = 128) -> dict[str, Any]:
    """Same, into a file created with DuckDB's default v0.10.2 storage (aipipe creates v1.5.0)."""
    db = _fresh(scratch / "ingest_v0102.duckdb")
    return _ingest(corpus / "companyfacts", db, batch_mb=batch_mb, storage_version=None)


def ingest_zip(corpus: Path, scratch: Path, batch_mb: float = 128) -> dict[str, Any]:
    """From companyfacts.zip: members streamed to a scratch dir batch by batch."""
    return _ingest(corpus / "companyfacts.zip", _fresh(scratch / "ingest_zip.duckdb"), batch_mb=batch_mb)


def reingest(corpus: Path, scratch: Path, batch_mb: float = 128) -> dict[str, Any]:
    """The directory again into the database `ingest_dir` filled: every batch runs the anti-join."""
    db = scratch / "ingest_dir.duckdb"
    if not db.exists():
        raise RuntimeError("reingest needs ingest_dir to run first")
    copy = _fresh(scratch / "reingest.duckdb")
    shutil.copyfile(db, copy)
    return _ingest(corpus / "companyfacts", copy, batch_mb=batch_mb)


def ingest_key_index(corpus: Path, scratch: Path, batch_mb: float = 128) -> dict[str, Any]:
    """Fresh load into a table that carries an ART index on the fact-version key.

    (A PRIMARY KEY is not possible: period_start is NULL for instants, and a UNIQUE index treats
    NULLs as distinct, so it could not dedupe instants anyway.)
    """
    import duckdb

    from aipipe.ingest.sec_bulk_sql import KEY_COLUMNS, STAGING_TABLE, ensure_staging_table

    db = _fresh(scratch / "ingest_index.duckdb")
    con = duckdb.connect(str(db))
    ensure_staging_table(con)
    con.execute(f"CREATE INDEX sec_facts_key ON {STAGING_TABLE} ({', '.join(KEY_COLUMNS)})")
    con.close()
    return _ingest(corpus / "companyfacts", db, batch_mb=batch_mb)


def ingest_arrow(corpus: Path, scratch: Path, batch_mb: float = 128) -> dict[str, Any]:
    """The alternative load path: sec_parse.parse_companyfacts_each to an Arrow table per batch,
    then INSERT … SELECT from that Arrow table (same file columns and dedup as ingest_bulk)."""
    from aipipe.ingest import sec_bulk_sql as bulk
    from aipipe.ingest.sec_bulk import connect_warehouse
    from aipipe.sources.sec.files import materialize, plan_batches
    from aipipe.sources.sec.parse import parse_companyfacts_each

    db = _fresh(scratch / "ingest_arrow.duckdb")
    _warm_imports()
    started = time.perf_counter()
    con = connect_warehouse(db)
    rows = 0
    select = (
        "SELECT a.* REPLACE (m.source_file AS source_file), m.snapshot_sha256, $run_id AS run_id "
        "FROM batch_arrow AS a JOIN batch_files AS m ON a.source_file = m.path"
    )
    for spec in plan_batches(corpus / "companyfacts", batch_mb):
        batch = materialize(spec)
        table, _errors = parse_companyfacts_each([f.path for f in batch.files])
        lo, hi = bulk.cik_range(batch.files)
        check = bulk.has_rows_in_range(con, lo, hi)
        params: dict[str, Any] = {"run_id": "bench-arrow"}
        if check:
            params.update(cik_lo=lo, cik_hi=hi)
        con.register("batch_arrow", table)
        con.register("batch_files", bulk.batch_files_table(batch.files))
        rows += con.execute(bulk.insert_sql(select, dedup=check), params).fetchall()[0][0]
        con.unregister("batch_arrow")
        con.unregister("batch_files")
        batch.cleanup()
    con.close()
    return {"seconds": time.perf_counter() - started, "rows_inserted": rows, "bytes": _corpus_bytes(corpus)}


def _corpus_bytes(corpus: Path) -> int:
    return json.loads((corpus / "manifest.json").read_text())["bytes"]


# ---- (c) the naive baseline -----------------------------------------------------------------


def naive_sample(corpus: Path, n: int) -> list[Path]:
    """n files spread over the size distribution (size quantiles), so MB extrapolation is fair."""
    files = sorted(_files(corpus), key=lambda p: (p.stat().st_size, p.name))
    if n >= len(files):
        return files
    return [files[round(i * (len(files) - 1) / (n - 1))] for i in range(n)]


def naive(corpus: Path, scratch: Path, files: int = 20) -> dict[str, Any]:
    """json.load + a pandas DataFrame per concept + executemany row-by-row into DuckDB.

    Run on a subsample; run.py extrapolates to the corpus by MB.
    """
    import duckdb
    import pandas as pd

    from aipipe.ingest.sec_bulk_sql import STAGING_COLUMNS

    sample = naive_sample(corpus, files)
    db = _fresh(scratch / "naive.duckdb")
    con = duckdb.connect(str(db))
    columns = ", ".join(f"{name} {kind}" for name, kind in STAGING_COLUMNS.items())
    con.execute(f"CREATE TABLE facts ({columns})")
    insert = f"INSERT INTO facts VALUES ({', '.join('?' for _ in STAGING_COLUMNS)})"
    started = time.perf_counter()
    rows = 0
    for path in sample:
        with open(path) as fh:
            doc = json.load(fh)
        for taxonomy, concepts in doc["facts"].items():
            for concept, body in concepts.items():
                for unit, versions in body["units"].items():
                    frame = pd.DataFrame(versions)
                    records = [
                        [
                            doc["cik"],
                            doc["entityName"],
                            taxonomy,
                            concept,
                            unit,
                            r.get("start"),
                            r["end"],
                            r["val"],
                            r["accn"],
                            r.get("fy"),
                            r.get("fp"),
                            r.get("form"),
                            r.get("filed"),
                            r.get("frame"),
                            str(path),
                            None,
                            "naive",
                        ]
                        for r in frame.to_dict("records")
                    ]
                    con.executemany(insert, records)
                    rows += len(records)
    seconds = time.perf_counter() - started
    con.close()
    return {"seconds": seconds, "bytes": sum(p.stat().st_size for p in sample), "rows_inserted": rows,
            "sample_files": len(sample)}  # fmt: skip


# ---- (d) the Prefect flow, threads and Dask ---------------------------------------------------


def _flow(corpus: Path, scratch: Path, runner: str, batch_mb: float) -> dict[str, Any]:
    from flows.sec_bulk import bulk_ingest_flow

    db = _fresh(scratch / f"flow_{runner}.duckdb")
    started = time.perf_counter()
    result = bulk_ingest_flow(corpus / "companyfacts.zip", db, runner, batch_mb=batch_mb, progress=False)
    return {
        "seconds": time.perf_counter() - started,
        "in_flow_seconds": result.seconds,
        "parse_seconds": result.timings.get("parse_s"),
        "load_seconds": result.timings.get("load_s"),
        "bytes": result.bytes_total,
        "rows_inserted": result.rows_inserted,
        "files_failed": result.files_failed,
    }


def flow_threads(corpus: Path, scratch: Path, batch_mb: float = 32) -> dict[str, Any]:
    """bulk_ingest_flow with ThreadPoolTaskRunner (2 threads), from the zip."""
    return _flow(corpus, scratch, "threads", batch_mb)


def flow_dask(corpus: Path, scratch: Path, batch_mb: float = 32) -> dict[str, Any]:
    """bulk_ingest_flow with DaskTaskRunner on a LocalCluster of 2 worker processes, from the zip."""
    return _flow(corpus, scratch, "dask", batch_mb)


# ---- the refresh-flow measurements (bench_refresh.py) -------------------------------------------


def refresh_hooks(corpus: Path, scratch: Path) -> dict[str, Any]:
    """The refresh measurements of bench_refresh.py: `prefect_overhead(scratch)` (flow run minus
    direct call) and `no_change_rerun(scratch)` (cost of a re-run when nothing changed)."""
    import bench_refresh

    return {"status": "measured", "prefect_overhead": bench_refresh.prefect_overhead(scratch),
            "no_change_rerun": bench_refresh.no_change_rerun(scratch)}


MEASURES: dict[str, Callable[..., dict[str, Any]]] = {
    "floor": floor,
    "floor_2proc": floor_2proc,
    "ingest_dir": ingest_dir,
    "ingest_dir_v0102": ingest_dir_v0102,
    "ingest_zip": ingest_zip,
    "reingest": reingest,
    "ingest_arrow": ingest_arrow,
    "ingest_key_index": ingest_key_index,
    "naive": naive,
    "flow_threads": flow_threads,
    "flow_dask": flow_dask,
    "refresh_hooks": refresh_hooks,
}


# ---- process accounting ----------------------------------------------------------------------


def vm_hwm_mb() -> float:
    """Peak resident set of this process (VmHWM), in MB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


class TreeRssSampler:
    """Samples the summed RSS of this process and all its descendants (Dask workers, the Prefect
    server) every 50 ms; VmHWM alone would miss them."""

    def __init__(self) -> None:
        import psutil

        self._me = psutil.Process(os.getpid())
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for proc in [self._me, *self._me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_mb = max(self.peak_mb, total / 1e6)
            self._stop.wait(0.05)

    def __enter__(self) -> TreeRssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
