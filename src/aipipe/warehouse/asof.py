"""Figures as they were known on a date: only SEC facts filed on or before it.

Three ways in, one rule (a fact version counts from its filing date, `staging.sec_facts.filed`):

- SQL: ``SELECT * FROM marts.company_financials_as_of(DATE '2025-03-01')`` — the table macro
  behind marts.company_financials (warehouse/marts/company_financials_as_of.sql).
- Python: ``financials_as_of(con, date)`` — that macro's rows as a DataFrame, on any connection
  to the warehouse (read-only is enough).
- Any mart: ``mart_as_of(db_path, "big_tech_capex", date)`` / ``as_of_connection(db_path, date)``
  — an in-memory DuckDB that attaches the warehouse read-only and re-creates the staging and mart
  views of warehouse/ over it, with staging.sec_facts cut at the date. Every mart built on SEC
  facts (big_tech_capex, us_app_software_quarterly, ...) then answers "as of" without a macro of
  its own. Nothing is written to the warehouse.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import duckdb
import pandas as pd

from aipipe.settings import SQL_DIR

# The tables an as-of view cuts at the date, and the column that holds the filing date.
AS_OF_COLUMNS = {("staging", "sec_facts"): "filed"}
_ATTACHED = "asof_source"


class AsOfError(ValueError):
    """An as-of request that cannot be answered; the message says why and what to do."""


def parse_date(value: str | dt.date) -> dt.date:
    """A date from `YYYY-MM-DD` (or a date), with an error naming the bad value."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise AsOfError(f"as-of date {value!r} is not a date; use YYYY-MM-DD, e.g. 2025-03-01") from None


def financials_as_of(con: duckdb.DuckDBPyConnection, as_of: str | dt.date) -> pd.DataFrame:
    """marts.company_financials as known on `as_of`: one row per company × metric × period."""
    day = parse_date(as_of)
    return con.execute("SELECT * FROM marts.company_financials_as_of(?::DATE) "
                       "ORDER BY ticker, metric, period_end, period_start", [day]).df()


def as_of_connection(db_path: Path, as_of: str | dt.date, *, retry_s: float = 30.0,
                     sql_dir: Path = SQL_DIR) -> duckdb.DuckDBPyConnection:
    """An in-memory connection whose staging and mart views see the warehouse as of `as_of`."""
    day = parse_date(as_of)
    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(f"no warehouse at {db_path}; run `aipipe refresh` (or `make run`) first")
    con = duckdb.connect()
    try:
        _attach_read_only(con, db_path, retry_s)
        schemas = con.execute("SELECT schema_name FROM duckdb_schemas() WHERE database_name = ? AND NOT internal",
                              [_ATTACHED]).fetchall()
        for (schema,) in schemas:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ?", [_ATTACHED]
        ).fetchall()
        for schema, table in tables:
            cut = AS_OF_COLUMNS.get((schema, table))
            where = f" WHERE {cut} <= DATE '{day.isoformat()}'" if cut else ""
            con.execute(f'CREATE VIEW "{schema}"."{table}" AS SELECT * FROM {_ATTACHED}."{schema}"."{table}"{where}')
        _apply_views(con, sql_dir)
    except BaseException:
        con.close()
        raise
    return con


def mart_as_of(db_path: Path, name: str, as_of: str | dt.date, *, retry_s: float = 30.0) -> pd.DataFrame:
    """The rows of mart `name` (e.g. "big_tech_capex" or "marts.big_tech_capex") as of `as_of`."""
    qualified = name if "." in name else f"marts.{name}"
    con = as_of_connection(db_path, as_of, retry_s=retry_s)
    try:
        schema, _, table = qualified.partition(".")
        found = con.execute("SELECT count(*) FROM duckdb_views() WHERE schema_name = ? AND view_name = ? "
                            "AND database_name = current_database()", [schema, table]).fetchall()[0][0]
        if not found:
            raise AsOfError(f"as-of: {qualified} is not a view that can be rebuilt from warehouse/*.sql "
                            f"(only views over staging tables can be shown as of a date)")
        return con.execute(f'SELECT * FROM "{schema}"."{table}"').df()
    finally:
        con.close()


def _attach_read_only(con: duckdb.DuckDBPyConnection, db_path: Path, retry_s: float) -> None:
    """ATTACH read-only, retrying while a refresh holds the file for its load."""
    deadline = time.monotonic() + retry_s
    delay = 0.05
    path = str(db_path).replace("'", "''")
    while True:
        try:
            con.execute(f"ATTACH '{path}' AS {_ATTACHED} (READ_ONLY)")
            return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def _apply_views(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> None:
    """Create the staging and mart views and macros over the attached tables.

    `CREATE TABLE IF NOT EXISTS` statements find the as-of views in place and do nothing. A view
    may depend on one defined in a later file, so files that fail for a missing object are retried
    until no progress is made; files that still fail are left out (their views are then missing).
    """
    pending = [p for layer in ("staging", "marts") for p in sorted((sql_dir / layer).glob("*.sql"))]
    while pending:
        failed = []
        for path in pending:
            try:
                con.execute(path.read_text())
            except duckdb.Error:
                failed.append(path)
        if len(failed) == len(pending):
            return
        pending = failed
