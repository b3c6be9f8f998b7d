"""Ingest files you downloaded: `aipipe ingest sec PATH` and `aipipe ingest fx FILE`.

`aipipe ingest fx FILE` loads an ECB reference-rate file (eurofxref-hist.zip, or its CSV, or the
daily CSV/XML) downloaded elsewhere, for machines without internet; see aipipe.ingest.fx_file.
Exit status: 0 when loaded, 1 when the file is not an ECB file, 2 when it does not exist.

`aipipe ingest sec PATH`: PATH is a directory
of CIK##########.json files or SEC's bulk companyfacts.zip
(https://www.sec.gov/Archives/edgar/daily-index/xbrl/companyfacts.zip).

Every file goes through the refresh's parser and is recorded like a refresh (run id on every row,
audit.runs, audit.source_loads); a file that cannot be parsed is named with the reason, kept under
<data>/quarantine/sec/<run_id>/ and does not stop the others. --fast (for the full bulk zip) loads
with aipipe.ingest.sec_bulk and validates with SQL checks instead of pandera; the summary says which.
Exit status: 0 when every file loaded (or was already loaded), 1 when any file failed, 2 when PATH
is unusable."""

from __future__ import annotations

import argparse
import sys

from aipipe.commands import EXIT_BUSY
from aipipe.settings import Settings

HELP = "load SEC companyfacts files you downloaded (a directory or companyfacts.zip)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from aipipe.cli import add_common

    add_common(parser)
    parser.add_argument("kind", choices=["sec", "fx"],
                        help="what to ingest (sec: companyfacts JSON; fx: an ECB eurofxref file)")
    parser.add_argument("path", help="sec: a directory of CIK##########.json files, or companyfacts.zip; "
                                     "fx: eurofxref-hist.zip, eurofxref-hist.csv, eurofxref.csv or an ECB XML")
    parser.add_argument("--fast", action="store_true",
                        help="bulk mode for the full SEC zip: aipipe.ingest.sec_bulk + SQL checks instead of pandera, "
                             "no snapshot copies")


def run(args: argparse.Namespace) -> int:
    if args.kind == "fx":
        return run_fx(args)
    from aipipe.ingest.sec_files import ingest_sec
    from aipipe.warehouse.connect import WarehouseBusy

    settings = Settings().with_overrides(db_path=args.db, data_dir=args.data)
    try:
        report = ingest_sec(args.path, settings, fast=args.fast, progress=args.fast and sys.stderr.isatty())
    except (FileNotFoundError, ValueError) as exc:
        print(f"aipipe: {exc}", file=sys.stderr)
        return 2
    except WarehouseBusy as exc:
        print(f"aipipe: {exc}", file=sys.stderr)
        return EXIT_BUSY
    print(f"ingest sec {report.source} → {settings.db_path} ({report.mode} mode)")
    print(f"validation: {report.validation}")
    print(f"run(s): {', '.join(report.run_ids)}")
    width = max([len(f.name) for f in report.files] + [4])
    print(f"{'file':<{width}}  {'status':<9}  {'cik':>10}  {'rows':>9}  {'valid':>9}  {'quar.':>6}  {'new':>9}  "
          f"entity / reason")
    for f in report.files:
        detail = f.message if f.status == "error" else (f.entity_name or "")
        cik = "" if f.cik is None else str(f.cik)
        print(f"{f.name:<{width}}  {f.status:<9}  {cik:>10}  {f.rows_in:>9,}  {f.rows_valid:>9,}  "
              f"{f.rows_quarantined:>6,}  {f.rows_inserted:>9,}  {detail}")
        if f.status != "error" and f.read_by != "typed read":
            print(f"{'':<{width}}  read by the {f.read_by}")
    failed = report.failed
    tolerant = sum(f.read_by != "typed read" for f in report.files if f.status != "error")
    print(f"{len(report.files)} file(s): {len(report.files) - len(failed)} ok, {len(failed)} failed; "
          f"{report.rows_inserted:,} new rows; read by the typed read: {len(report.files) - len(failed) - tolerant}, "
          f"by the tolerant read: {tolerant}")
    for f in failed:
        print(f"aipipe: {f.message}", file=sys.stderr)
    return 1 if failed else 0


def run_fx(args: argparse.Namespace) -> int:
    from aipipe.ingest.fx_file import FxFileError, ingest_fx
    from aipipe.warehouse.connect import WarehouseBusy

    settings = Settings().with_overrides(db_path=args.db, data_dir=args.data)
    try:
        report = ingest_fx(args.path, settings, progress=True)
    except FileNotFoundError as exc:
        print(f"aipipe: {exc}", file=sys.stderr)
        return 2
    except FxFileError as exc:
        print(f"aipipe: {exc}; nothing was stored", file=sys.stderr)
        return 1
    except WarehouseBusy as exc:
        print(f"aipipe: {exc}", file=sys.stderr)
        return EXIT_BUSY
    loaded = report.outcome.rows_inserted.get(report.source, 0)
    print(f"ingest fx {report.path} → {settings.db_path}")
    print(f"snapshot {report.snapshot_id} stored as {report.source} (origin: file)")
    print(f"{report.days:,} days ({report.first_day} … {report.last_day}), {report.quotes} currencies; "
          f"{loaded:,} new rows; run {report.outcome.run_id}: {report.outcome.status}")
    print("offline refreshes now use this snapshot; run `aipipe refresh --offline` to rebuild the report")
    failed = [r for r in report.results if r.source == report.source and r.status == "error"]
    for r in failed:
        print(f"aipipe: {r.message}", file=sys.stderr)
    return 1 if failed else 0
