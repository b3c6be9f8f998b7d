"""CLI subcommands: one module each, with `add_arguments(parser)` and `run(args) -> int`."""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_NO_WAREHOUSE = 2
EXIT_BUSY = 75  # EX_TEMPFAIL: a refresh held the warehouse longer than the retry window


def open_read_only(db_path: Path, prog: str, retry_s: float | None = None):
    """A read-only warehouse connection, or the exit status after saying why there is none
    (no warehouse file: 2; a refresh held it longer than `retry_s`, default 30 s: 75)."""
    from aipipe.warehouse.connect import WarehouseBusy, connect_read_only

    try:
        return connect_read_only(db_path, retry_s=30.0 if retry_s is None else retry_s)
    except FileNotFoundError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return EXIT_NO_WAREHOUSE
    except WarehouseBusy as exc:
        hint = "" if retry_s is None else ", or pass a longer --retry"
        print(f"{prog}: {exc}; try again{hint}", file=sys.stderr)
        return EXIT_BUSY
