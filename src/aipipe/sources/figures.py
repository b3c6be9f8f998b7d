"""The registry of reported figures (config/figures/*.toml) as a source of staging rows.

The registry is version-controlled and edited by people, one TOML file per topic; every refresh
snapshots its current content (the files in name order, one document; origin "config") and
loads one row per figure × source page into
staging.reported_figures. Whether each page still says what the registry records is checked
separately by the news source (aipipe.sources.news.checks); offline, entries load as `not_fetched`.
"""

from __future__ import annotations

import calendar
import tomllib
from datetime import date
from pathlib import Path

import pandas as pd

from aipipe.core.snapshots import Snapshot, SnapshotStore
from aipipe.settings import CONFIG_DIR
from aipipe.sources.base import SourceSpec

PARSER_VERSION = "reported-figures-1"
REGISTRY_PATH = CONFIG_DIR / "figures"
LICENCE = "aipipe registry (figures quoted from the cited pages; each page keeps its publisher's terms)"
SOURCE_NAME = "registry:reported_figures"

COLUMNS = [
    "figure_id", "entity", "metric", "metric_type", "value", "value_high", "unit", "currency",
    "qualifier", "location_from", "location_to", "as_of", "period_start", "period_end",
    "is_projection", "estimator", "notes", "ticker", "accession", "change_yoy", "source_rank",
    "publisher", "url", "published", "published_date", "phrase", "cites", "tier",
    "original_publisher", "original_url", "via", "quote",
]
TIERS = ("primary", "press", "secondary")


def registry_source(registry_path: Path = REGISTRY_PATH) -> SourceSpec:
    """The registry (a folder of TOML files, or one file) as the source `registry:reported_figures`."""
    return SourceSpec(
        name=SOURCE_NAME,
        family="registry",
        table="reported_figures",
        url=_config_url(registry_path),
        suffix=".toml",
        licence=LICENCE,
        parse=parse_snapshot,
        parser_version=PARSER_VERSION,
        seed=lambda store: snapshot_registry(store, registry_path),
        description="registry of reported figures (version-controlled)",
        live=False,
    )


def snapshot_registry(store: SnapshotStore, registry_path: Path = REGISTRY_PATH) -> Snapshot:
    return store.put(SOURCE_NAME, _config_url(registry_path), registry_content(registry_path),
                     suffix=".toml", licence=LICENCE, origin="config")


def registry_content(registry_path: Path = REGISTRY_PATH) -> bytes:
    """The registry as one TOML document: a file as it is, a folder's *.toml files in name order
    (each headed by a comment naming it; arrays of tables concatenate)."""
    if not registry_path.is_dir():
        return registry_path.read_bytes()
    parts = [f"# ==== {path.name} ====\n".encode() + path.read_bytes() for path in sorted(registry_path.glob("*.toml"))]
    return b"\n".join(parts)


def _config_url(registry_path: Path) -> str:
    return f"config/{registry_path.name}" + ("/" if registry_path.is_dir() else "")


def parse_snapshot(snapshot: Snapshot) -> pd.DataFrame:
    return registry_frame(snapshot.read_bytes())


def registry_frame(content: bytes) -> pd.DataFrame:
    """One row per figure × source, with the as-of period resolved to dates."""
    try:
        figures = tomllib.loads(content.decode("utf-8")).get("figure", [])
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"registry: config/figures is not valid TOML: {exc}") from None
    rows = []
    for figure in figures:
        start, end = period_of(str(figure.get("as_of", "")))
        if figure.get("period_start") or figure.get("period_end"):  # a fiscal quarter or year, stated
            start, end = _day(figure.get("period_start")), _day(figure.get("period_end"))
        sources = figure.get("source") or [{}]
        for rank, source in enumerate(sources, start=1):
            rows.append({
                "figure_id": figure.get("id"),
                "entity": figure.get("entity"),
                "metric": figure.get("metric"),
                "metric_type": figure.get("metric_type"),
                "value": figure.get("value"),
                "value_high": figure.get("value_high"),
                "unit": figure.get("unit"),
                "currency": figure.get("currency"),
                "qualifier": figure.get("qualifier"),
                "location_from": figure.get("location_from"),
                "location_to": figure.get("location_to"),
                "as_of": str(figure.get("as_of", "")) or None,
                "period_start": start,
                "period_end": end,
                "is_projection": bool(figure.get("is_projection", False)),
                "estimator": figure.get("estimator"),
                "notes": figure.get("notes"),
                "ticker": figure.get("ticker"),
                "accession": figure.get("accession"),
                "change_yoy": figure.get("change_yoy"),
                "source_rank": rank,
                "publisher": source.get("publisher"),
                "url": source.get("url"),
                "published": source.get("published") or None,
                "published_date": period_of(source["published"])[0] if source.get("published") else None,
                "phrase": source.get("phrase"),
                # `cites` is the older name of original_publisher; either says whom a report cites.
                "cites": source.get("original_publisher") or source.get("cites"),
                "tier": source.get("tier"),
                "original_publisher": source.get("original_publisher") or source.get("cites"),
                "original_url": source.get("original_url"),
                "via": source.get("via"),
                "quote": source.get("quote"),
            })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("value", "value_high", "change_yoy"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def _day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)) if value else None


def period_of(text: str) -> tuple[date | None, date | None]:
    """'2025' → the year, '2025-06' → the month, '2025-06-18' → that day; else (None, None)."""
    parts = text.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        return None, None
    if len(numbers) == 1 and 1990 <= numbers[0] <= 2100:
        return date(numbers[0], 1, 1), date(numbers[0], 12, 31)
    if len(numbers) == 2:
        year, month = numbers
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if len(numbers) == 3:
        day = date(*numbers)
        return day, day
    return None, None
