"""Build the seed shipped in src/aipipe/seed/ from the real files listed in scripts/seed_inputs.toml.

`aipipe seed build --inputs DIR [--inputs DIR ...]` looks for each listed file in the folders
given (for example ../shared/fixtures/sec/companyfacts, ../shared/fixtures/fx and a folder of
downloaded copies), checks its sha256, and writes sec_facts.csv.gz, fx_rates.csv.gz and
MANIFEST.toml. The same inputs give the same bytes. An input that is not found is listed in the
manifest as not found; a basket company with no input is listed as missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aipipe.settings import REPO_ROOT, SEED_DIR

HELP = "build the offline seed (SEC facts, ECB rates) from the real files in scripts/seed_inputs.toml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build the seed files and their MANIFEST.toml")
    build.add_argument("--inputs", action="append", type=Path, required=True, metavar="DIR",
                       help="a folder holding some of the listed input files (repeatable)")
    build.add_argument("--list", type=Path, default=REPO_ROOT / "scripts" / "seed_inputs.toml", metavar="TOML",
                       help="the input list (default scripts/seed_inputs.toml)")
    build.add_argument("--out", type=Path, default=SEED_DIR, metavar="DIR",
                       help="where to write the seed (default src/aipipe/seed)")


def run(args: argparse.Namespace) -> int:
    from aipipe.ingest.seed_build import SeedInputError, build_seed

    try:
        manifest = build_seed(args.list, args.inputs, args.out)
    except (SeedInputError, FileNotFoundError) as exc:
        print(f"aipipe seed: {exc}", file=sys.stderr)
        return 1
    for output in manifest["output"]:
        print(f"{args.out / output['file']}: {output['rows']:,} rows, {output['bytes']:,} bytes")
    print(f"inputs used: {len(manifest['input'])}; not found: {len(manifest['not_found'])} "
          f"({', '.join(i['file'] for i in manifest['not_found']) or 'none'})")
    seed = manifest["seed"]
    print(f"SEC facts filed up to {seed['sec_as_of'] or '-'}; ECB rates up to {seed['fx_as_of'] or '-'}")
    missing = manifest["missing"]
    if missing:
        print(f"basket companies with no SEC file ({len(missing)}): {', '.join(m['ticker'] for m in missing)}")
    return 0
