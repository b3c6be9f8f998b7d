"""The warehouse's SQL: apply the files of the repository's `warehouse/` folder, and write rows
into tables by each table's named disposition (append_new, merge, replace)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

import schemas
from aipipe.settings import SQL_DIR
from aipipe.warehouse.connect import connect_read_only

SQL_LAYERS = ["ddl", "staging", "marts"]


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
