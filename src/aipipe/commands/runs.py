"""List refresh runs from the run ledger (audit.runs), newest first, or show one run's per-source
load records (audit.source_loads): origin, status, rows in / valid / quarantined / inserted,
snapshot and duration. A run whose process died before its load committed shows as `running`
until the next refresh marks it `abandoned` (it loaded nothing).

Examples:
  aipipe runs                 # the 20 newest runs
  aipipe runs --limit 5 --json
  aipipe runs 20250101T120000Z-ab12cd    # one run (a unique prefix of the id is enough)
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys

from aipipe.commands import open_read_only
from aipipe.settings import Settings

HELP = "list refresh runs (newest first) or show one run's per-source records"
EXIT_NO_RUN = 2

RUN_COLUMNS = ["run_id", "status", "started_at", "finished_at", "duration_s", "offline", "sources_ok",
               "sources_error", "rows_inserted", "rows_quarantined", "pid", "host", "message"]
SOURCE_COLUMNS = ["source", "origin", "status", "rows_in", "rows_valid", "rows_quarantined", "rows_inserted",
                  "duration_s", "snapshot_sha256", "snapshot_retrieved_at", "message"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from aipipe.cli import add_common

    add_common(parser)
    parser.add_argument("run_id", nargs="?", metavar="RUN_ID", help="show this run's per-source records")
    parser.add_argument("--limit", type=int, default=20, help="how many runs to list (default 20)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--retry", type=float, default=30.0, metavar="SECONDS",
                        help="while a refresh is loading, retry this long (default 30)")


def run(args: argparse.Namespace) -> int:

    settings = Settings().with_overrides(db_path=args.db)
    con = open_read_only(settings.db_path, "aipipe runs", args.retry)
    if isinstance(con, int):
        return con
    try:
        con.execute("SET TimeZone = 'UTC'")
        if not _has_ledger(con):
            print(f"no runs recorded yet in {settings.db_path}; run `aipipe refresh`")
            return 0 if not args.run_id else EXIT_NO_RUN
        if args.run_id:
            return _show_run(con, args.run_id, as_json=args.json)
        return _list_runs(con, args.limit, as_json=args.json)
    finally:
        con.close()


def list_runs(con, limit: int = 20) -> list[dict]:
    """The newest `limit` runs as dicts (see RUN_COLUMNS)."""
    return _dicts(con, f"SELECT {_run_select(con)} FROM audit.runs ORDER BY started_at DESC, run_id DESC LIMIT ?",
                  [limit], RUN_COLUMNS)


def source_loads(con, run_id: str) -> list[dict]:
    """The per-source load records of one run (see SOURCE_COLUMNS)."""
    return _dicts(con, f"SELECT {', '.join(SOURCE_COLUMNS)} FROM audit.source_loads WHERE run_id = ? "
                       "ORDER BY source", [run_id], SOURCE_COLUMNS)


def _list_runs(con, limit: int, *, as_json: bool) -> int:
    from aipipe.commands.sql import format_table

    runs = [_annotate(r) for r in list_runs(con, limit)]
    if as_json:
        print(json.dumps(runs, default=str, indent=1))
        return 0
    if not runs:
        print("no runs recorded yet; run `aipipe refresh`")
        return 0
    shown = ["run_id", "status", "started_at", "duration_s", "sources_ok", "sources_error", "rows_inserted",
             "rows_quarantined", "message"]
    rows = [[_short_time(r[c]) if c == "started_at" else "" if r[c] is None else r[c] for c in shown] for r in runs]
    sys.stdout.write(format_table(["run", "status", "started (UTC)", "seconds", "sources ok", "errors",
                                   "rows in", "quarantined", "note"], rows, max_width=70))
    return 0


def _show_run(con, wanted: str, *, as_json: bool) -> int:
    from aipipe.commands.sql import format_table

    ids = [r[0] for r in con.execute("SELECT run_id FROM audit.runs WHERE starts_with(run_id, ?) "
                                     "ORDER BY run_id", [wanted]).fetchall()]
    if len(ids) != 1:
        problem = "no run" if not ids else f"{len(ids)} runs ({', '.join(ids[:5])})"
        print(f"aipipe runs: {problem} matching {wanted!r}; `aipipe runs` lists them", file=sys.stderr)
        return EXIT_NO_RUN
    run = _annotate(_dicts(con, f"SELECT {_run_select(con)} FROM audit.runs WHERE run_id = ?", ids, RUN_COLUMNS)[0])
    sources = source_loads(con, ids[0])
    if as_json:
        print(json.dumps({"run": run, "sources": sources}, default=str, indent=1))
        return 0
    print(f"run {run['run_id']}: {run['status']}")
    print(f"  started {run['started_at']}, finished {run['finished_at'] or '-'}"
          + (f" ({run['duration_s']} s)" if run["duration_s"] is not None else ""))
    print(f"  {'offline' if run['offline'] else 'live'}; process {run['pid']} on {run['host']}")
    if run["message"]:
        print(f"  {run['message']}")
    if not sources:
        print("  no per-source records: the run loaded nothing")
        return 0
    rows = [[s["source"], s["origin"], s["status"], s["rows_in"], s["rows_valid"], s["rows_quarantined"],
             s["rows_inserted"], s["duration_s"], (s["snapshot_sha256"] or "")[:12]] for s in sources]
    print()
    sys.stdout.write(format_table(["source", "origin", "status", "rows in", "valid", "quarantined", "inserted",
                                   "seconds", "snapshot"], rows, max_width=60))
    print("\nnotes:")
    for s in sources:
        print(f"  {s['source']}: {s['message'] or '-'}")
    return 0


def _has_ledger(con) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_schema = 'audit' AND table_name = 'runs'").fetchall()[0][0])


def _run_select(con) -> str:
    # A warehouse written before the ledger columns existed lacks pid/host/message until its next run.
    present = {r[0] for r in con.execute("DESCRIBE audit.runs").fetchall()}
    duration = "round(epoch(finished_at) - epoch(started_at), 1) AS duration_s"
    return ", ".join(duration if c == "duration_s" else
                     f"CAST({c} AS VARCHAR) AS {c}" if c in ("started_at", "finished_at") else
                     c if c in present else f"NULL AS {c}"
                     for c in RUN_COLUMNS)


def _annotate(run: dict) -> dict:
    """Say so when a 'running' run's process is gone (the next refresh will mark it abandoned)."""
    if run["status"] == "running" and run["host"] == socket.gethostname() and run["pid"] and \
            not _alive(int(run["pid"])):
        run["message"] = ("its process is gone: it stopped before its load committed "
                          "(the next refresh marks it abandoned)")
    return run


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _short_time(value: str | None) -> str | None:
    return value[:19] if value else value


def _dicts(con, sql: str, params: list, columns: list[str]) -> list[dict]:
    return [dict(zip(columns, row, strict=True)) for row in con.execute(sql, params).fetchall()]
