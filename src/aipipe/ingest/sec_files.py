"""`aipipe ingest sec PATH`: load companyfacts files a user downloaded (a directory of
CIK##########.json, or SEC's bulk companyfacts.zip) into the warehouse.

Two modes, both recorded like a refresh (a run id on every row, audit.runs, one
audit.source_loads row per file, bad files named with the reason and kept in quarantine):

- default: each file goes the refresh's own way — the same parser (`sec.parse_snapshot` →
  `sec_parse.parse_companyfacts`), a snapshot in the store (so an offline refresh can use it),
  pandera validation (bad rows to audit.quarantine), and one load transaction for all files.
  Right for tens or hundreds of files.
- `fast=True`: for the full bulk zip. Reuses `aipipe.ingest.sec_bulk.ingest_bulk` (DuckDB parses batches
  straight into staging.sec_facts, committing per batch; the parse SQL is the same declared-type
  unnest as sec_parse). pandera would be the bottleneck there, so the rows are validated
  afterwards by SQL checks that mirror the pandera model (schemas/sec_facts.py); failing rows are
  moved to audit.quarantine. No snapshot copies are made. The summary says so.

A file that cannot be parsed does not stop the others: it is named with its reason, recorded in
audit.source_loads (status 'error') and copied to `<data>/quarantine/sec/<run_id>/`.
"""

from __future__ import annotations

import shutil
import zipfile
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from aipipe.core.runs import first_line, new_run_id
from aipipe.core.snapshots import Snapshot, SnapshotStore, utc_now
from aipipe.ingest.sec_bulk import ingest_bulk
from aipipe.ingest.stage import stage_source
from aipipe.settings import Settings
from aipipe.sources.base import Acquired
from aipipe.sources.sec.companyfacts import company_source
from aipipe.sources.sec.files import CompanyFile, materialize, plan_batches
from aipipe.sources.sec.parse import CompanyFactsError
from aipipe.sources.sec.spec import LICENCE
from aipipe.sources.sec.tolerant import TYPED, read_companyfacts
from aipipe.sources.sec.watchlist import Company, load_metric_tags, write_watchlist_tables
from aipipe.warehouse.connect import write_transaction, writer_lock
from aipipe.warehouse.ledger import RunRecord, StageResult, record_run
from aipipe.warehouse.load import load_run
from aipipe.warehouse.sql import apply_sql, insert_records, loaded_snapshots, replace_rows

VALIDATION_PANDERA = "pandera (schemas/sec_facts.py), file by file"
VALIDATION_SQL = ("SQL checks mirroring schemas/sec_facts.py, run after the bulk load "
                  "(pandera is skipped for speed); failing rows moved to audit.quarantine")


@dataclass
class FileOutcome:
    """What happened to one file."""

    name: str
    """The file's name (for a zip, the member's name)."""
    status: str  # loaded | no_change | error
    cik: int | None = None
    entity_name: str | None = None
    rows_valid: int = 0
    rows_quarantined: int = 0
    rows_inserted: int = 0
    message: str = ""
    read_by: str = "typed read"
    """Which path parsed the file: the typed read, or the tolerant read and what it tolerated."""
    quarantined_to: str | None = None
    """Where a file that could not be parsed was copied, under <data>/quarantine/sec/<run_id>/."""

    @property
    def rows_in(self) -> int:
        """Rows the file held: those that passed validation and those quarantined."""
        return self.rows_valid + self.rows_quarantined


@dataclass
class IngestReport:
    source: str
    mode: str  # files | fast
    validation: str
    run_ids: list[str] = field(default_factory=list)
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "error"]

    @property
    def rows_inserted(self) -> int:
        return sum(f.rows_inserted for f in self.files)


def ingest_sec(path: str | Path, settings: Settings, *, fast: bool = False, progress: bool = False) -> IngestReport:
    """Load every companyfacts .json in `path` (a directory or a zip); see the module docstring."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"ingest sec: {path} does not exist; give a directory of CIK##########.json "
                                f"files or SEC's companyfacts.zip")
    if not path.is_dir() and not zipfile.is_zipfile(path):
        raise ValueError(f"ingest sec: {path} is neither a directory nor a zip file")
    return _ingest_fast(path, settings, progress) if fast else _ingest_files(path, settings)


# ------------------------------------------------------------------------------------------
# Default mode: file by file through snapshot → stage (pandera) → one load transaction
# ------------------------------------------------------------------------------------------


@dataclass
class _Checked:
    name: str
    cik: int | None = None
    entity_name: str | None = None
    snapshot: Snapshot | None = None
    error: str | None = None
    quarantined_to: Path | None = None
    read_by: str = TYPED


def _ingest_files(path: Path, settings: Settings) -> IngestReport:
    report = IngestReport(str(path), "files", VALIDATION_PANDERA)
    first_run_id = new_run_id()  # bad files are recorded by the first run; quarantined under its id
    checked: list[_Checked] = []
    for spec in plan_batches(path):
        batch = materialize(spec)
        try:
            for label, reason in batch.errors.items():
                name = _member_name(label)
                kept = _quarantine_member(path, name, reason, settings, first_run_id)
                checked.append(_Checked(name, error=_reason_text(reason), quarantined_to=kept))
            for company_file in batch.files:
                checked.append(_check_file(company_file, settings, first_run_id))
        finally:
            # Good files are in the snapshot store now, bad ones in quarantine: scratch can go.
            batch.cleanup()
    # One run per "wave": a directory may hold two files of one company (the run records one
    # load per source), so the second goes to a second run.
    waves: list[list[_Checked]] = []
    seen: dict[int, int] = defaultdict(int)
    for item in checked:
        wave = 0 if item.cik is None else seen[item.cik]
        if item.cik is not None:
            seen[item.cik] += 1
        while len(waves) <= wave:
            waves.append([])
        waves[wave].append(item)
    for number, items in enumerate(waves):
        report.run_ids.append(_load_wave(items, settings, report, first_run_id if number == 0 else new_run_id()))
    return report


def _check_file(company_file: CompanyFile, settings: Settings, run_id: str) -> _Checked:
    """Parse once with the flow's parser to learn the CIK (and whether the file is usable);
    keep a usable file as a snapshot of its company (origin "file", there for later runs too) and
    a bad one in quarantine."""
    name = _member_name(company_file.source_file)
    error = None
    try:
        table, read_by = read_companyfacts(company_file.path)
        cik, entity_name = _header(company_file.path, table)
    except CompanyFactsError as exc:
        cik, entity_name, error = None, None, f"cannot parse companyfacts: {_reason(exc)}"
    except duckdb.Error as exc:
        cik, entity_name, error = None, None, f"cannot parse companyfacts: {first_line(exc)}"
    if error is None and cik is None:
        error = "no 'cik' at the top level: not a companyfacts file"
    if error is None and company_file.name_cik is not None and company_file.name_cik != cik:
        error = f"cik {cik} inside does not match the file name ({company_file.name_cik}); rename the file"
    if error is not None:
        kept = _quarantine_copy(Path(company_file.path), name, error, settings, run_id)
        return _Checked(name, None, entity_name, error=error, quarantined_to=kept)
    snapshot = SnapshotStore(settings.data_dir).put(
        f"sec:CIK{cik:010d}", f"file:{name}", Path(company_file.path).read_bytes(), suffix=".json",
        licence=LICENCE, origin="file")
    return _Checked(name, cik, entity_name, snapshot=snapshot, read_by=read_by)


def _load_wave(items: list[_Checked], settings: Settings, report: IngestReport, run_id: str) -> str:
    run = RunRecord(run_id, "ingest-sec", utc_now(), True)
    run_dir = settings.data_dir / "runs" / run.run_id
    loaded = loaded_snapshots(settings.db_path)
    results: list[StageResult] = []
    outcomes: list[FileOutcome] = []
    for item in items:
        if item.error is not None:
            message = f"{item.name}: {item.error}; file kept at {item.quarantined_to}"
            results.append(StageResult(source=f"sec:file:{item.name}", family="sec", table="sec_facts",
                                       origin="file", status="error", message=message))
            outcomes.append(FileOutcome(item.name, "error", item.cik, item.entity_name, message=message,
                                        quarantined_to=str(item.quarantined_to)))
            continue
        assert item.cik is not None and item.snapshot is not None
        spec = company_source(Company(f"CIK{item.cik:010d}", item.cik, ()), settings)
        acquired = Acquired(spec.name, item.snapshot, "file", [f"ingested from {item.name}"])
        result = stage_source(spec, acquired, run_dir, run.run_id, loaded)
        results.append(result)
        status = {"staged": "loaded", "no_change": "no_change"}.get(result.status, result.status)
        outcomes.append(FileOutcome(item.name, status, item.cik, item.entity_name, result.rows_valid,
                                    result.rows_quarantined, message=result.message, read_by=item.read_by))
    outcome = load_run(settings.db_path, run, results)
    for file_outcome, result in zip(outcomes, results, strict=True):
        file_outcome.rows_inserted = outcome.rows_inserted.get(result.source, 0)
    report.files.extend(outcomes)
    return run.run_id


# ------------------------------------------------------------------------------------------
# Fast mode: aipipe.ingest.sec_bulk, then SQL validation and the audit records
# ------------------------------------------------------------------------------------------

# Each check: (name, SQL condition that is TRUE for a bad row). Mirrors schemas/sec_facts.py.
SQL_CHECKS = [
    ("cik in 1..9999999999", "NOT (cik > 0 AND cik <= 9999999999)"),
    ("taxonomy length 1..64", "NOT (length(taxonomy) BETWEEN 1 AND 64)"),
    ("concept matches ^[A-Za-z][A-Za-z0-9_-]*$", "NOT regexp_full_match(concept, '[A-Za-z][A-Za-z0-9_\\-]*')"),
    ("unit length 1..64", "NOT (length(unit) BETWEEN 1 AND 64)"),
    ("period_end in 1990-01-01..2100-01-01", "NOT (period_end BETWEEN DATE '1990-01-01' AND DATE '2100-01-01')"),
    ("accession matches ^\\d{10}-\\d{2}-\\d{6}$", "NOT regexp_full_match(accession, '\\d{10}-\\d{2}-\\d{6}')"),
    ("filed >= 1993-01-01", "NOT (filed >= DATE '1993-01-01')"),
    ("period_start is after period_end", "period_start IS NOT NULL AND period_start > period_end"),
    ("value is not a finite number", "NOT isfinite(value)"),
    ("filed before the period began", "period_start IS NOT NULL AND filed < period_start"),
]


def _ingest_fast(path: Path, settings: Settings, progress: bool) -> IngestReport:
    report = IngestReport(str(path), "fast", VALIDATION_SQL)
    run = RunRecord(new_run_id("sec-bulk"), "ingest-sec-fast", utc_now(), True)
    report.run_ids.append(run.run_id)
    names = [m for spec in plan_batches(path) for m in spec.members]
    with writer_lock(settings.db_path, holder=f"ingest {run.run_id}"):
        _in_transaction(settings, lambda con: apply_sql(con))
    result = ingest_bulk(path, settings.db_path, run_id=run.run_id, progress=progress)
    bad = {_member_name(label): reason for label, reason in result.errors.items()}
    with writer_lock(settings.db_path, holder=f"ingest {run.run_id}"):
        def finish(con: duckdb.DuckDBPyConnection) -> None:
            # The config reference tables, as a refresh's load writes them (the marts need them).
            replace_rows(con, "staging.metric_tags", [asdict(t) for t in load_metric_tags()])
            write_watchlist_tables(con)
            quarantined = _sql_validate(con, run.run_id)
            per_file = {row[0]: row[1:] for row in con.execute(
                "SELECT source_file, any_value(cik), arg_max(entity_name, filed), count(*) "
                "FROM staging.sec_facts WHERE run_id = ? GROUP BY source_file", [run.run_id]).fetchall()}
            for name in names:
                label = _label_for(path, name)
                if name in bad:
                    kept = _quarantine_member(path, name, bad[name], settings, run.run_id)
                    report.files.append(FileOutcome(name, "error", message=f"{name}: {_reason_text(bad[name])}; "
                                                    f"file kept at {kept}", quarantined_to=str(kept)))
                    continue
                cik, entity_name, inserted = per_file.get(label, (None, None, 0))
                rows_bad = quarantined.get(label, 0)
                report.files.append(FileOutcome(
                    name, "loaded" if inserted or rows_bad else "no_change", cik, entity_name,
                    rows_valid=inserted, rows_quarantined=rows_bad, rows_inserted=inserted,
                    message=f"{inserted:,} new rows, {rows_bad:,} quarantined by SQL checks",
                    read_by=result.tolerant.get(label, TYPED)))
            _record_fast_run(con, run, report)
        _in_transaction(settings, finish)
    return report


def _sql_validate(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """Move this run's rows that fail a check to audit.quarantine; returns bad rows per file."""
    failing = " OR ".join(f"coalesce({cond}, TRUE)" for _, cond in SQL_CHECKS)
    reasons = " || ".join(f"CASE WHEN coalesce({cond}, TRUE) THEN '{name.replace(chr(39), chr(39) * 2)}; ' ELSE '' END"
                          for name, cond in SQL_CHECKS)
    con.execute(f"""
        INSERT INTO audit.quarantine (run_id, source, table_name, row_key, reasons, row_json, snapshot_sha256)
        SELECT run_id, 'sec:file:' || regexp_extract(source_file, '[^/!]+$'), 'staging.sec_facts',
               concat_ws('|', cik, taxonomy, concept, unit, period_start, period_end, accession),
               rtrim({reasons}, '; '), CAST(to_json(f) AS VARCHAR), snapshot_sha256
        FROM staging.sec_facts f WHERE run_id = ? AND ({failing})""", [run_id])
    counts = dict(con.execute(f"SELECT source_file, count(*) FROM staging.sec_facts WHERE run_id = ? AND ({failing}) "
                              "GROUP BY source_file", [run_id]).fetchall())
    con.execute(f"DELETE FROM staging.sec_facts WHERE run_id = ? AND ({failing})", [run_id])
    return counts


def _record_fast_run(con: duckdb.DuckDBPyConnection, run: RunRecord, report: IngestReport) -> None:
    rows = []
    for f in report.files:
        source = f"sec:file:{f.name}"
        rows.append({"run_id": run.run_id, "source": source, "family": "sec", "table_name": "staging.sec_facts",
                     "origin": "file", "status": f.status, "rows_in": f.rows_valid + f.rows_quarantined,
                     "rows_valid": f.rows_valid, "rows_quarantined": f.rows_quarantined,
                     "rows_inserted": f.rows_inserted, "message": f"{f.message} (validation: {VALIDATION_SQL})"})
    insert_records(con, "audit.source_loads", rows)
    failed = len(report.failed)
    status = "partial" if failed else ("success" if report.rows_inserted else "no_change")
    summary = {f.name: {"status": f.status, "message": f.message} for f in report.files}
    record_run(con, run, status=status, sources_ok=len(report.files) - failed, sources_error=failed,
               rows_inserted=report.rows_inserted, rows_quarantined=sum(f.rows_quarantined for f in report.files),
               summary={"validation": VALIDATION_SQL, "files": summary}, offline=True)


def _in_transaction(settings: Settings, work) -> None:
    with write_transaction(settings.db_path) as con:
        work(con)


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------


def _header(path: str, table) -> tuple[int | None, str | None]:
    """The file's cik and entity name: from its rows, else from its top level (a file with no facts)."""
    if table.num_rows:
        return table.column("cik")[0].as_py(), table.column("entity_name")[0].as_py()
    con = duckdb.connect()
    try:
        rows = con.execute("SELECT cik, entityName FROM read_json(?, columns = {cik: 'VARCHAR', "
                           "entityName: 'VARCHAR'}, format = 'auto', maximum_object_size = 1073741824)",
                           [path]).fetchall()
    finally:
        con.close()
    if not rows or rows[0][0] is None or not str(rows[0][0]).strip().isdigit():
        return None, rows[0][1] if rows else None
    return int(rows[0][0]), rows[0][1]


def _quarantine_dir(settings: Settings, run_id: str) -> Path:
    folder = settings.data_dir / "quarantine" / "sec" / run_id
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _quarantine_copy(path: Path, name: str, reason: str, settings: Settings, run_id: str) -> Path:
    target = _quarantine_dir(settings, run_id) / Path(name).name
    shutil.copyfile(path, target)
    target.with_name(target.name + ".reason.txt").write_text(reason + "\n")
    return target


def _quarantine_member(source: Path, name: str, reason: str, settings: Settings, run_id: str) -> Path:
    """Copy a bad file (or zip member) next to a note of why it was rejected."""
    target = _quarantine_dir(settings, run_id) / Path(name).name
    try:
        if source.is_dir():
            shutil.copyfile(source / name, target)
        else:
            with zipfile.ZipFile(source) as zf, zf.open(name) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        reason = f"{reason} (the file itself could not be copied: {exc})"
    target.with_name(target.name + ".reason.txt").write_text(reason)
    return target


def _label_for(source: Path, name: str) -> str:
    """How aipipe.ingest.sec_bulk records a file in staging.sec_facts.source_file."""
    return str(source / name) if source.is_dir() else f"{source}!/{name}"


def _member_name(label: str) -> str:
    return Path(label.rsplit("!/", 1)[-1]).name


def _reason(exc: Exception) -> str:
    # CompanyFactsError reads "sec: cannot parse companyfacts <files>: <reason>"; keep the reason.
    return str(exc).split(": ", 2)[-1]


def _reason_text(message: str) -> str:
    return message.split(": ", 2)[-1] if message.startswith("sec: ") else message

