"""SEC EDGAR frames: every filer's value of one concept for one calendar period, in one request.

Live: https://data.sec.gov/api/xbrl/frames/{taxonomy}/{concept}/{unit}/CY{year}Q{q}.json. SEC
picks, per filer, the fact that best fits the calendar period (within 30 days) from the latest
filing, so a basket of any size costs one request per concept and quarter. The watchlist's
`[frames]` names the periods and metrics (their pinned tags in metrics.toml); rows go to
staging.sec_frames. SEC answers 404 for a frame no filer has reached yet: kept as an empty
snapshot, zero rows, not an error.
"""

from __future__ import annotations

import pandas as pd

from aipipe.core.jsondoc import json_object
from aipipe.core.snapshots import Snapshot
from aipipe.settings import Settings
from aipipe.sources.base import SourceSpec
from aipipe.sources.sec.spec import LICENCE
from aipipe.sources.sec.watchlist import Watchlist, load_metric_tags, load_watchlist

PARSER_VERSION = "sec-frames-1"
TABLE = "sec_frames"
COLUMNS = ["taxonomy", "concept", "unit", "frame", "cik", "entity_name", "location", "period_start",
           "period_end", "value", "accession"]


class FramesError(ValueError):
    """A stored frames response is not the JSON SEC serves; the message says what is wrong."""


def frames_sources(settings: Settings, watchlist: Watchlist | None = None) -> list[SourceSpec]:
    """One source per (pinned tag of each configured metric) × configured period, in USD."""
    watchlist = watchlist or load_watchlist()
    tags = [t for t in load_metric_tags() if t.metric in watchlist.frame_metrics and not t.per_share]
    return [frame_source(settings, t.taxonomy, t.concept, "USD", period)
            for period in watchlist.frame_periods for t in tags if t.taxonomy == "us-gaap"]


def frame_source(settings: Settings, taxonomy: str, concept: str, unit: str, period: str) -> SourceSpec:
    url = f"{settings.sec_base_url}/api/xbrl/frames/{taxonomy}/{concept}/{unit}/{period}.json"
    return SourceSpec(name=f"sec:frames:{concept}:{unit}:{period}", family="sec", table=TABLE, url=url,
                      suffix=".json", licence=LICENCE, parse=parse_snapshot, parser_version=PARSER_VERSION,
                      description=f"SEC frame {taxonomy}/{concept}/{unit}/{period}", optional=True,
                      absent_is_empty=True)


def parse_snapshot(snapshot: Snapshot) -> pd.DataFrame:
    """Rows of staging.sec_frames; an empty snapshot (SEC's 404 for an empty frame) gives none."""
    content = snapshot.read_bytes()
    if not content:
        return pd.DataFrame(columns=COLUMNS)
    return parse_frame(content, where=f"{snapshot.source}: snapshot {snapshot.path}")


def parse_frame(content: bytes, where: str = "frames response") -> pd.DataFrame:
    document = json_object(content, where, FramesError)
    if not isinstance(document.get("data"), list):
        raise FramesError(f"{where} has no 'data' list: not a frames response")
    missing = [k for k in ("taxonomy", "tag", "ccp", "uom") if not document.get(k)]
    if missing:
        raise FramesError(f"{where} lacks {', '.join(missing)}: not a frames response")
    rows = [{
        "taxonomy": document["taxonomy"], "concept": document["tag"], "unit": document["uom"],
        "frame": document["ccp"], "cik": point.get("cik"), "entity_name": point.get("entityName"),
        "location": point.get("loc"), "period_start": point.get("start"), "period_end": point.get("end"),
        "value": point.get("val"), "accession": point.get("accn"),
    } for point in document["data"] if isinstance(point, dict)]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if document.get("pts") is not None and document["pts"] != len(frame):
        frame.attrs["parse_note"] = f"SEC says {document['pts']} points, the response holds {len(frame)}"
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column], errors="coerce").dt.date
    return frame
