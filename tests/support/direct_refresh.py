"""`python -m tests.support.direct_refresh WAIT_S FAMILY...`: one refresh through the pipeline
functions without Prefect (settings from AIPIPE_* variables), for tests that start, pause and
kill refresh processes quickly. Prints the run id and status; exit 75 if the warehouse is busy."""

from __future__ import annotations

import sys

from aipipe.ingest.refresh import refresh_direct
from aipipe.settings import Settings
from aipipe.warehouse.connect import WarehouseBusy


def main(argv: list[str]) -> int:
    wait_s, families = float(argv[0]), argv[1:] or None
    try:
        run, outcome, _ = refresh_direct(Settings(), families, wait_s=wait_s, progress=True)
    except WarehouseBusy as exc:
        print(f"aipipe: {exc}", file=sys.stderr)
        return 75
    print(f"run {run.run_id}: {outcome.status}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
