"""Ingest an ECB reference-rate file you downloaded: `aipipe ingest fx PATH`.

For machines without internet (or behind a proxy): download `eurofxref-hist.zip` (or the daily
CSV/XML) from the ECB on another machine, then ingest it here. The file is parsed with the
refresh's own parser first (a file that does not parse is rejected and nothing is stored), then
kept in the snapshot store as the newest snapshot of its source (origin "file"), and loaded by an
offline refresh of the `fx` family: the same staging, validation and run ledger as any refresh.
Later offline refreshes fall back to this snapshot like to any stored one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from aipipe.core.snapshots import SnapshotStore
from aipipe.ingest.refresh import refresh_direct
from aipipe.settings import Settings
from aipipe.sources import fx
from aipipe.warehouse.ledger import LoadOutcome, StageResult

HIST_SOURCE = "fx:ecb-hist"
DAILY_SOURCE = "fx:ecb-daily"


class FxFileError(ValueError):
    """The file is not an ECB reference-rate file; the message names it and says why."""


@dataclass
class FxIngestReport:
    path: Path
    source: str
    snapshot_id: str
    days: int
    quotes: int
    first_day: str
    last_day: str
    outcome: LoadOutcome
    results: list[StageResult]


def ingest_fx(path: str | Path, settings: Settings, progress: bool = False) -> FxIngestReport:
    """Check, store and load one ECB file; raises FileNotFoundError or FxFileError."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file (expected an ECB eurofxref .zip, .csv or .xml)")
    content = path.read_bytes()
    try:
        frame = fx.parse_snapshot(content, path.name)
    except Exception as exc:  # any parser error: the file is not usable, and nothing is stored
        raise FxFileError(f"{path}: not an ECB reference-rate file: {exc}") from None
    days = frame["rate_date"].nunique()
    source = HIST_SOURCE if days > 1 else DAILY_SOURCE
    snapshot = SnapshotStore(settings.data_dir).put(
        source, f"file:{path.name}", content, suffix=path.suffix.lower() or ".csv", licence=fx.LICENCE,
        origin="file")
    offline = dataclasses.replace(settings, offline=True)
    run, outcome, results = refresh_direct(offline, ["fx"], progress=progress)
    return FxIngestReport(
        path=path, source=source, snapshot_id=snapshot.snapshot_id, days=days, quotes=frame["quote"].nunique(),
        first_day=str(frame["rate_date"].min()), last_day=str(frame["rate_date"].max()),
        outcome=outcome, results=results,
    )
