"""Run the Prefect flow `refresh`: fetch each source live (falling back to the newest stored
snapshot, then to the seed shipped with aipipe), validate, load the warehouse, write the report."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from aipipe.settings import Settings

HELP = "fetch every source (or fall back offline), validate, load, report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from aipipe.cli import add_common

    add_common(parser)
    parser.add_argument("--offline", action="store_true", help="never touch the network")
    parser.add_argument("--only", action="append", metavar="FAMILY",
                        help="refresh only this source family (repeatable): sec, fx, news, article")
    parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="if another refresh holds the warehouse, wait this long for it (default: exit)")


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings().with_overrides(
        db_path=args.db, data_dir=args.data, reports_dir=getattr(args, "reports", None),
        offline=True if getattr(args, "offline", False) else None,
    )


def run(args: argparse.Namespace) -> int:
    from aipipe.warehouse.connect import WarehouseBusy
    from flows.refresh import refresh

    settings = settings_from(args)
    mode = "offline" if settings.offline else "live, falling back to stored snapshots"
    print(f"aipipe refresh ({mode}) → {settings.db_path}", file=sys.stderr)
    try:
        result = refresh(settings=settings, families=args.only, wait_s=args.wait)
    except WarehouseBusy as exc:
        print(f"aipipe: {exc}", file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again later
    missing = result.get("without_network", [])
    if missing:
        families = Counter(name.split(":", 1)[0] for name in missing)
        print(f"  nothing to load for {len(missing)} sources ("
              + ", ".join(f"{family} {n}" for family, n in sorted(families.items()))
              + "): no network, no stored snapshot and not in the seed; they load on a run with internet. "
              "The report lists them", file=sys.stderr)
    print(f"run {result['run_id']}: {result['status']}")
    print(f"warehouse: {settings.db_path}")
    print(f"report:    {result['report']}")
    return 0 if result["status"] in ("success", "no_change", "partial") else 1
