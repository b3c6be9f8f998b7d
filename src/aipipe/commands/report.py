"""Print the summary of the latest (or a given) run and where its report files are.

Exit status: 0 when the run succeeded (warnings such as a fallback to a stored snapshot or
quarantined rows included, unless --strict), 1 when the run failed or a source errored (or, with
--strict, when there were warnings), 2 when there is no warehouse or no such run."""

from __future__ import annotations

import argparse
import sys
import webbrowser

from aipipe.settings import Settings

HELP = "summarise the latest (or a given) run; non-zero exit if it failed"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from aipipe.cli import add_common

    add_common(parser)
    parser.add_argument("--run", metavar="RUN_ID", help="a run id from audit.runs (default: latest)")
    parser.add_argument("--strict", action="store_true", help="also fail on warnings (fallbacks, quarantined rows)")
    parser.add_argument("--lang", choices=("zh", "en"), default=None,
                        help="language of the summary and of files written now (default: both written, English)")
    parser.add_argument("--as-of", metavar="DATE", dest="as_of",
                        help="also regenerate the article's tables, charts and edition as known on DATE "
                             "(YYYY-MM-DD) into reports/as-of/DATE/")
    parser.add_argument("--open", action="store_true", help="open the HTML report in a browser")


def run(args: argparse.Namespace) -> int:
    from aipipe.commands import open_read_only
    from aipipe.report import validation
    from aipipe.report.run_report import build_run_report, summary_lines, write_as_of

    settings = Settings().with_overrides(db_path=args.db, data_dir=args.data, reports_dir=args.reports)
    langs = (args.lang,) if args.lang else ("zh", "en")
    con = open_read_only(settings.db_path, "aipipe")
    if isinstance(con, int):
        return con
    try:
        latest = validation.latest_run_id(con)
        run_id = args.run or latest
        if run_id is None:
            print(f"aipipe: no run recorded in {settings.db_path}; run `aipipe refresh` first", file=sys.stderr)
            return 2
        try:
            report = validation.collect(con, run_id)
        except LookupError:
            print(f"aipipe: no run {run_id} recorded in {settings.db_path}", file=sys.stderr)
            return 2
    finally:
        con.close()
    folder = settings.reports_dir / "runs" / run_id
    if not (folder / "validation.json").exists():
        # A run whose report was never written (or was deleted): write it now, and only let it
        # replace reports/latest/ when it is the latest run.
        print(f"writing the report of run {run_id} …", file=sys.stderr)
        build_run_report(settings, run_id, langs, refresh_latest=(run_id == latest))
    for line in summary_lines(report, folder, args.lang or "en"):
        print(line)
    for name in ("validation.html", "validation.md", "validation.json", "article.html", "article.md"):
        if (folder / name).exists():
            print(f"  {name:<16} {folder / name}")
    for sub in ("tables", "charts"):
        files = sorted(p.name for p in (folder / sub).glob("*") if not args.lang or f".{args.lang}." in p.name)
        if files:
            print(f"  {sub + '/':<16} {folder / sub} ({len(files)} files)")
    if args.as_of:
        try:
            as_of_folder = write_as_of(settings, args.as_of, run_id, langs)
        except ImportError:
            print("aipipe: --as-of needs aipipe.warehouse.asof, which this installation lacks", file=sys.stderr)
            return 2
        except ValueError as exc:  # aipipe.warehouse.asof.AsOfError: a bad date, with the fix in the message
            print(f"aipipe: {exc}", file=sys.stderr)
            return 2
        print(f"  as of {args.as_of}: {as_of_folder}")
    if args.open:
        webbrowser.open((folder / "validation.html").resolve().as_uri())
    verdict = report["verdict"]
    return verdict["exit_status_strict"] if args.strict else verdict["exit_status"]
