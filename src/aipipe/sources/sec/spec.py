"""What every SEC EDGAR source shares: the licence line, and the shape of its SourceSpec."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from aipipe.core.snapshots import Snapshot, SnapshotStore
from aipipe.sources.base import SourceSpec

LICENCE = (
    "SEC EDGAR data is public information; access per SEC's fair-access policy "
    "(identify yourself, at most 10 requests/second): https://www.sec.gov/os/accessing-edgar-data"
)


def sec_source(name: str, table: str, url: str, parse: Callable[[Snapshot], pd.DataFrame], parser_version: str,
               description: str, seed: Callable[[SnapshotStore], Snapshot | None] | None = None) -> SourceSpec:
    """A JSON document of SEC's (family "sec"); optional: a company SEC has no file for is missing,
    not an error."""
    return SourceSpec(name=name, family="sec", table=table, url=url, suffix=".json", licence=LICENCE, parse=parse,
                      parser_version=parser_version, seed=seed, description=description, optional=True)
