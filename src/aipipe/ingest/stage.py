"""Stage one acquired source: parse its snapshot, validate the rows, write them to Parquet.

Staging happens outside the warehouse so the writer's lock is held only for the load itself.
Each source's output lands in `<data>/runs/<run_id>/<source>/` as `valid.parquet`,
`quarantine.parquet` and `failures.parquet`, and the StageResult (paths and counts) is what
travels between tasks. A snapshot already loaded by the same parser version is not parsed again.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

import schemas
from aipipe.core.snapshots import Snapshot
from aipipe.ingest.validate import validate_frame
from aipipe.sources.base import Acquired, SourceSpec
from aipipe.warehouse.ledger import StageResult


def stage_source(
    spec: SourceSpec, acquired: Acquired, run_dir: Path, run_id: str, loaded: set[tuple[str, str, str]]
) -> StageResult:
    """Parse and validate `acquired`; `loaded` holds (sha256, source, parser_version) already in the warehouse."""
    started = time.perf_counter()
    result = StageResult(
        source=spec.name, family=spec.family, table=spec.table, origin=acquired.origin,
        status="staged", message="", parser_version=spec.parser_version, notes=list(acquired.notes),
        url=spec.url,
    )
    snapshot = acquired.snapshot
    if snapshot is None:
        result.status = "missing" if spec.optional else "error"
        result.message = "nothing to load: " + "; ".join(acquired.notes or ["no snapshot"])
        return _finish(result, started)
    result.snapshot = _snapshot_record(snapshot)
    if (snapshot.sha256, spec.name, spec.parser_version) in loaded:
        result.status = "no_change"
        result.message = f"snapshot {snapshot.snapshot_id} already loaded; nothing parsed"
        return _finish(result, started)
    try:
        frame = spec.parse(snapshot)
    except Exception as exc:  # any parser failure is this source's error, never the run's
        result.status = "error"
        result.message = f"{spec.name}: cannot parse {snapshot.path}: {exc}"
        return _finish(result, started)
    validated = validate_frame(frame, schemas.for_table(spec.table))
    out_dir = run_dir / _slug(spec.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    valid = validated.valid.assign(snapshot_sha256=snapshot.sha256, run_id=run_id)
    result.valid_path = _write(valid, out_dir / "valid.parquet")
    result.quarantine_path = _write(validated.quarantined, out_dir / "quarantine.parquet")
    result.failures_path = _write(validated.failures, out_dir / "failures.parquet")
    result.rows_in = validated.rows_in
    result.rows_valid = len(validated.valid)
    result.rows_quarantined = len(validated.quarantined)
    result.message = f"{result.rows_valid:,} valid rows, {result.rows_quarantined:,} quarantined"
    if frame.attrs.get("parse_note"):  # the parser says how it read the snapshot (e.g. a tolerant read)
        result.message += f"; {frame.attrs['parse_note']}"
    return _finish(result, started)


def _finish(result: StageResult, started: float) -> StageResult:
    result.duration_s = round(time.perf_counter() - started, 3)
    return result


def _write(frame: pd.DataFrame, path: Path) -> str:
    frame.to_parquet(path, index=False)
    return str(path)


def _snapshot_record(snapshot: Snapshot) -> dict:
    return snapshot.as_record()


def _slug(source: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in source)
