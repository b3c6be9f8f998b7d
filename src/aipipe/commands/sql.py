"""Run read-only SQL against the warehouse and print the result as an aligned table, CSV or JSON.

The connection is read-only and locked down (aipipe.warehouse.sandbox): nothing here can change
the warehouse (writes go through `aipipe refresh`), write a file, install or load an extension,
reach the network, or read a file other than the warehouse, unless you name it with
`--allow-read PATH` (repeatable; a folder allows the files in it). While a refresh holds the
database file for its load, the query waits and retries for up to --retry seconds. A query DuckDB
rejects is shown with its line and a caret; a refused one says what was refused.

Examples:
  aipipe sql "SELECT * FROM marts.big_tech_capex WHERE row_type = 'company' ORDER BY ticker, fiscal_year"
  aipipe sql --file query.sql --format csv > out.csv
  aipipe sql --allow-read tickers.csv "SELECT * FROM marts.big_tech_capex JOIN 'tickers.csv' USING (ticker)"
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from aipipe.commands import open_read_only
from aipipe.settings import Settings
from aipipe.warehouse.sandbox import lock_down, refusal

HELP = "run read-only SQL on the warehouse; print a table, CSV or JSON"
EXIT_SQL_ERROR = 1

_POSITION = re.compile(r"\n*LINE (\d+): (.*)\n( *)\^\s*$", re.DOTALL)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from aipipe.cli import add_common

    add_common(parser)
    parser.add_argument("query", nargs="?", help="the SQL to run (or use --file)")
    parser.add_argument("--file", "-f", type=Path, metavar="PATH", help="read the SQL from this file")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table",
                        help="output format (default: table)")
    parser.add_argument("--retry", type=float, default=30.0, metavar="SECONDS",
                        help="while a refresh is loading, retry this long before giving up (default 30)")
    parser.add_argument("--max-width", type=int, default=60, metavar="CHARS",
                        help="table format: cut longer cells to this width (0: never; default 60)")
    add_allow_read(parser)


def add_allow_read(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--allow-read", action="append", type=Path, default=[], metavar="PATH",
                        help="let the SQL read this file (or the files in this folder), e.g. a CSV to join; "
                             "repeatable. Nothing else outside the warehouse can be read")


def run(args: argparse.Namespace) -> int:
    import duckdb

    if bool(args.query) == bool(args.file):
        print("aipipe sql: give either a query or --file PATH (not both)", file=sys.stderr)
        return EXIT_SQL_ERROR
    if args.file:
        try:
            text, origin = args.file.read_text(encoding="utf-8"), str(args.file)
        except OSError as exc:
            print(f"aipipe sql: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
            return EXIT_SQL_ERROR
    else:
        text, origin = args.query, "query"
    settings = Settings().with_overrides(db_path=args.db)
    con = open_read_only(settings.db_path, "aipipe sql", args.retry)
    if isinstance(con, int):
        return con
    try:
        lock_down(con, args.allow_read)
        cursor = con.execute(text)
        columns = [d[0] for d in cursor.description] if cursor.description else []
        rows = cursor.fetchall() if columns else []
    except duckdb.Error as exc:
        refused = refusal(exc, text)
        print(f"aipipe sql: {refused}" if refused else describe_error(str(exc), text, origin), file=sys.stderr)
        return EXIT_SQL_ERROR
    finally:
        con.close()
    if args.format == "csv":
        write_csv(columns, rows, sys.stdout)
    elif args.format == "json":
        sys.stdout.write(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=_json_value,
                                    ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(format_table(columns, rows, max_width=args.max_width))
        sys.stdout.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
    return 0


def describe_error(message: str, sql: str, origin: str = "query") -> str:
    """DuckDB's error with the offending line of `sql` and a caret under the position it names."""
    match = _POSITION.search(message)
    headline = (message[: match.start()] if match else message).strip()
    if "read-only" in headline.lower():
        headline += ("\n  (aipipe sql opens the warehouse read-only; "
                     "the warehouse changes only through `aipipe refresh`)")
    if not match:
        return f"aipipe sql: {headline}"
    line_no, shown, pad = int(match.group(1)), match.group(2), match.group(3)
    caret_in_shown = len(pad) - len(f"LINE {line_no}: ")
    lines = sql.splitlines() or [""]
    source_line = lines[line_no - 1] if 0 < line_no <= len(lines) else shown
    # DuckDB shows a window of long lines between "..."; find that window in the real line.
    window = shown.removeprefix("...").removesuffix("...")
    offset = source_line.find(window) if window else -1
    column = (offset + caret_in_shown - (3 if shown.startswith("...") else 0)) if offset >= 0 else caret_in_shown
    column = max(0, min(column, len(source_line)))
    gutter = f"{line_no} | "
    return (f"aipipe sql: {headline}\n  at {origin}:{line_no}:{column + 1}\n"
            f"  {gutter}{source_line}\n  {' ' * (len(gutter) - 2)}| {' ' * column}^")


def format_table(columns: Sequence[str], rows: Sequence[Sequence[object]], *, max_width: int = 60) -> str:
    """An aligned plain-text table: numbers right-aligned, NULL shown as NULL, long cells cut."""
    if not columns:
        return ""
    cells = [[_cell(v, max_width) for v in row] for row in rows]
    numeric = [all(isinstance(r[i], int | float | decimal.Decimal) and not isinstance(r[i], bool)
                   for r in rows if r[i] is not None) and any(r[i] is not None for r in rows)
               for i in range(len(columns))]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    def line(values: Sequence[str], header: bool = False) -> str:
        parts = [v.rjust(w) if numeric[i] and not header else v.ljust(w)
                 for i, (v, w) in enumerate(zip(values, widths, strict=True))]
        return "  ".join(parts).rstrip() + "\n"
    out = [line(list(columns), header=True), line(["-" * w for w in widths], header=True)]
    out.extend(line(r) for r in cells)
    return "".join(out)


def write_csv(columns: Sequence[str], rows: Sequence[Sequence[object]], stream) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _text(v) for v in row])


def _cell(value: object, max_width: int) -> str:
    text = "NULL" if value is None else _text(value).replace("\n", " ")
    if max_width and len(text) > max_width:
        return text[: max_width - 1] + "…"
    return text


def _text(value: object) -> str:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        # Whole amounts (most money columns) read better without a trailing ".0"; nothing is lost.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _json_value(value: object) -> object:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
