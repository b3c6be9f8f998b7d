"""Print the summary of the latest (or a given) run and where its report files are.
Exit status: 0 when the run succeeded (warnings such as fallbacks or quarantined rows included,
unless --strict), 1 when the run failed or a source errored, 2 when there is no such run."""

from __future__ import annotations

import argparse
import sys

from aipipe.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from aipipe.cli import add_common

    add_common(parser)
    parser.add_argument("--run", metavar="RUN_ID", help="a run id from `aipipe runs` (default: latest)")
    parser.add_argument("--strict", action="store_true", help="also fail on warnings (fallbacks, quarantined rows)")


def run(args: argparse.Namespace) -> int:
    from aipipe.warehouse import connect_read_only

    settings = Settings().with_overrides(db_path=args.db, reports_dir=args.reports)
    try:
        con = connect_read_only(settings.db_path)
    except FileNotFoundError as exc:
        print(f"aipipe: {exc}", file=sys.stderr)
        return 2
    try:
        where, params = ("WHERE run_id = ?", [args.run]) if args.run else ("", [])
        rows = con.execute(
            f"SELECT run_id, status, started_at, rows_inserted, rows_quarantined, sources_error FROM audit.runs "
            f"{where} ORDER BY started_at DESC LIMIT 1", params).fetchall()
        if not rows:
            print(f"aipipe: no run {args.run or ''} recorded in {settings.db_path}".replace("  ", " "), file=sys.stderr)
            return 2
        run_id, status, started, inserted, quarantined, sources_error = rows[0]
        fallbacks = con.execute(
            "SELECT count(*) FROM audit.source_loads WHERE run_id = ? AND origin IN ('local', 'seed')",
            [run_id]).fetchall()[0][0]
    finally:
        con.close()
    folder = settings.reports_dir / "runs" / run_id
    print(f"run {run_id} ({started}): {status}")
    print(f"  rows loaded {inserted:,}, quarantined {quarantined:,}, sources errored {sources_error}, "
          f"sources from stored/seed snapshots {fallbacks}")
    print(f"  report: {folder}")
    failed = status in ("failed", "partial") or sources_error > 0
    warned = fallbacks > 0 or quarantined > 0
    return 1 if failed or (args.strict and warned) else 0
