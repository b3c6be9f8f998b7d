"""Read-only means nothing is written: the lock put on the connection that runs SQL a person
typed (`aipipe sql`, `aipipe table --where`).

`lock_down` turns off DuckDB's external access (no file written or read outside the warehouse, no
extension installed or loaded, no network) and then locks the configuration, so no statement can
turn it back on. Files the person names with `--allow-read PATH` stay readable, for joins.
`refusal` turns the PermissionException DuckDB raises into one line saying what was refused and
how to allow a read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

_FILE_IN_ERROR = re.compile(r'Cannot access (?:file|directory) "([^"]+)"')


class NotOneFilter(ValueError):
    """A --where that is not a single filter expression."""


def lock_down(con: duckdb.DuckDBPyConnection, allow_read: Sequence[Path] = ()) -> None:
    """No writes, extensions or network; reads only of the warehouse and `allow_read`; locked."""
    files = [str(Path(p).resolve()) for p in allow_read if not Path(p).is_dir()]
    folders = [str(Path(p).resolve()) for p in allow_read if Path(p).is_dir()]
    if files:
        con.execute(f"SET allowed_paths = {_sql_list(files)}")
    if folders:
        con.execute(f"SET allowed_directories = {_sql_list(folders)}")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def refusal(exc: duckdb.Error, sql: str) -> str | None:
    """What a locked-down connection refused, in one line; None when `exc` is another error."""
    text = str(exc)
    locked = "configuration has been locked" in text
    if not isinstance(exc, duckdb.PermissionException) and not locked:
        return None
    kinds = {statement.type for statement in _statements(sql)}
    if locked:
        return "refused: changing DuckDB's settings (the sandbox of read-only SQL is locked)"
    if duckdb.StatementType.LOAD in kinds or "extension" in text.lower():
        return ("refused: installing or loading DuckDB extensions "
                "(read-only SQL runs no extension code and uses no network)")
    if duckdb.StatementType.ATTACH in kinds:
        return "refused: ATTACH (read-only SQL sees only the warehouse; write to another database with the DuckDB CLI)"
    if duckdb.StatementType.EXPORT in kinds:
        return "refused: EXPORT DATABASE writes files (read-only SQL writes nothing)"
    target = _FILE_IN_ERROR.search(text)
    where = target.group(1) if target else "a file"
    if duckdb.StatementType.COPY in kinds:
        return (f"refused: writing {where} (read-only SQL writes nothing; use --format csv or json "
                "and redirect the output)")
    if where.startswith(("http://", "https://", "s3://", "gs://", "hf://")):
        return f"refused: reading {where} over the network (read-only SQL uses no network)"
    return (f"refused: reading {where} (read-only SQL reads only the warehouse; to join a file of yours, "
            f"pass --allow-read {where})")


def one_filter(where: str) -> str:
    """`where` if it is one filter expression; NotOneFilter if it ends a statement or starts another."""
    probe = f"SELECT 1 FROM (SELECT 1 AS x) AS t WHERE {where}"
    try:
        statements = _statements(probe)
    except duckdb.Error:
        return where  # a syntax error: the query itself will say where
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise NotOneFilter(f"--where must be one filter on the table's columns, not more SQL: {where!r}")
    return where


def _statements(sql: str) -> list:
    try:
        return duckdb.extract_statements(sql)
    except duckdb.Error:
        return []


def _sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"
