"""Print a mart (or any staging/mart view) as a table, optionally as it was known on a date:
`aipipe table big_tech_capex --as-of 2025-03-01`.

With --as-of, only SEC facts filed on or before the date count (see aipipe.warehouse.asof): the marts are
rebuilt over a read-only view of the warehouse, which is never written.
Exit status: 0 on success, 1 for an unknown table or a bad filter, 2 when there is no warehouse."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from aipipe.settings import Settings

HELP = "print a mart as a table, optionally --as-of a date (facts filed by then)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from aipipe.cli import add_common

    add_common(parser)
    parser.add_argument("name", help="mart name (big_tech_capex, us_app_software_quarterly, company_financials, ...) "
                                     "or schema.name (staging.watchlist_check)")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="only facts filed on or before this date")
    parser.add_argument("--where", metavar="SQL", help="a filter on the table's columns, e.g. \"ticker = 'SNOW'\"")
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="print at most N rows")
    parser.add_argument("--format", choices=["table", "csv", "markdown"], default="table")
    from aipipe.commands.sql import add_allow_read

    add_allow_read(parser)


def run(args: argparse.Namespace) -> int:
    import duckdb

    from aipipe.warehouse.asof import AsOfError, as_of_connection, parse_date
    from aipipe.warehouse.connect import WarehouseBusy, connect_read_only
    from aipipe.warehouse.sandbox import NotOneFilter, lock_down, one_filter, refusal

    settings = Settings().with_overrides(db_path=args.db)
    name = args.name if "." in args.name else f"marts.{args.name}"
    try:
        con = as_of_connection(settings.db_path, parse_date(args.as_of)) if args.as_of \
            else connect_read_only(settings.db_path)
    except FileNotFoundError as exc:
        print(f"aipipe: {exc}", file=sys.stderr)
        return 2
    except (AsOfError, WarehouseBusy) as exc:
        print(f"aipipe: {exc}", file=sys.stderr)
        return 1
    try:
        schema, _, table = name.partition(".")
        known = {f"{s}.{t}" for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "UNION SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = current_database() "
            "AND NOT internal").fetchall()}
        if name not in known:
            marts = sorted(k.split(".", 1)[1] for k in known if k.startswith("marts."))
            print(f"aipipe: no table {name}; marts: {', '.join(marts)}", file=sys.stderr)
            return 1
        try:
            where = f" WHERE {one_filter(args.where)}" if args.where else ""
        except NotOneFilter as exc:
            print(f"aipipe table: {exc}", file=sys.stderr)
            return 1
        sql = f'SELECT * FROM "{schema}"."{table}"{where}' + (f" LIMIT {int(args.limit)}" if args.limit else "")
        try:
            lock_down(con, args.allow_read)
            frame = con.execute(sql).df()
        except duckdb.Error as exc:
            print(f"aipipe table: {name}: {refusal(exc, sql) or str(exc).splitlines()[0]}", file=sys.stderr)
            return 1
    finally:
        con.close()
    as_of = f" as of {args.as_of} (facts filed on or before)" if args.as_of else ""
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif args.format == "markdown":
        from aipipe.report.markdown import md_table

        print(f"{name}{as_of}\n")
        rows = [[_text(v) for v in row] for row in frame.itertuples(index=False)]
        print("\n".join(md_table(list(frame.columns), rows)))
    else:
        print(f"{name}{as_of}: {len(frame)} row(s)")
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250,
                               "display.max_colwidth", 60):
            print(frame.to_string(index=False, float_format=_number) if len(frame) else "(no rows)")
    return 0


def _number(value: float) -> str:
    if value != value:  # NaN
        return ""
    if value.is_integer() and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return _number(value)
    return str(value)
