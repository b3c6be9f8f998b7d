"""News pages behind the registry's figures: fetch each page, extract its text, and check that it
still states each figure the registry cites it for.

One source per distinct page the registry cites (`news:<host>-<hash>`): a source's `via` (the
fetchable copy of a page that cannot be fetched itself) when it has one, else its `url`. The
parser version carries a hash of the figures bound to the page, so an edited registry entry is
checked again even when the page's bytes have not changed. Each check lands in
staging.page_checks with status `confirmed` (the page states the figure), `changed` (the page
states a different figure near the phrase: both are kept and flagged) or `not_found` (phrase or
figure gone: a layout change, an edited story). The registry value is never overwritten.
Whether a page was unreachable, or never fetched (offline), is read from the run ledger by
staging.reported_figures_status.
"""

from __future__ import annotations

import functools
import hashlib
from urllib.parse import urlparse

import pandas as pd

from aipipe.core.snapshots import Snapshot
from aipipe.sources.base import SourceSpec
from aipipe.sources.figures import registry_content, registry_frame
from aipipe.sources.news.figure_check import check_figure
from aipipe.sources.news.page import extract_page

PARSER_VERSION = "news-check-1"
LICENCE = "page content belongs to its publisher; kept as a private snapshot for verification only"
CHECK_COLUMNS = ["figure_id", "url", "status", "expected_value", "found_value", "found_high", "found_currency",
                 "found_text", "context", "message", "page_title", "page_published", "extraction_method",
                 "checked_at"]


def news_sources(settings, registry: pd.DataFrame | None = None) -> list[SourceSpec]:
    """One source per distinct page URL in the registry."""
    registry = registry if registry is not None else registry_frame(registry_content())
    registry = registry.assign(fetch_url=registry["via"].fillna(registry["url"]) if "via" in registry
                               else registry["url"])
    specs = []
    for url, figures in registry.groupby("fetch_url", sort=True):
        bound = hashlib.sha256(figures.to_csv(index=False).encode()).hexdigest()[:10]
        specs.append(SourceSpec(
            name=f"news:{source_key(url)}",
            family="news",
            table="page_checks",
            url=url,
            suffix=".html",
            licence=LICENCE,
            parse=functools.partial(parse_snapshot, figures=figures.copy()),
            parser_version=f"{PARSER_VERSION}:{bound}",
            description=f"news page {url}",
            optional=True,
        ))
    return specs


def source_key(url: str) -> str:
    host = (urlparse(url).hostname or "page").removeprefix("www.").replace(".", "-")
    return f"{host[:40]}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


def parse_snapshot(snapshot: Snapshot, figures: pd.DataFrame) -> pd.DataFrame:
    """Check every registry figure that cites this page against the page's text."""
    page = extract_page(snapshot.read_bytes(), snapshot.url)
    rows = []
    for figure in figures.itertuples(index=False):
        rows.append(check_row(figure._asdict(), page, snapshot.retrieved_at))
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def check_row(figure: dict, page, checked_at: str) -> dict:
    base = {"figure_id": figure["figure_id"], "url": figure["url"], "page_title": page.title,
            "page_published": page.date_published, "extraction_method": page.method, "checked_at": checked_at,
            "expected_value": figure.get("value")}
    if figure.get("unit") == "location" or pd.isna(figure.get("value")):
        wanted = figure.get("location_to") or ""
        found = wanted and wanted.lower() in page.body_text.lower()
        return {**base, "status": "confirmed" if found else "not_found",
                "found_text": wanted if found else None,
                "message": f"page {'names' if found else 'does not name'} {wanted!r}"}
    anchors = [p for p in (figure.get("phrase"), figure.get("entity")) if p]
    value_high = figure.get("value_high")
    expected = figure["value"] if pd.isna(value_high) else None
    if expected is None:
        from aipipe.normalize.numbers import Amount

        expected = Amount(value=figure["value"], value_high=value_high, currency=figure.get("currency"),
                          unit=figure.get("unit"), qualifier=None, raw="", span=(0, 0))
    # A multiple (50 times ARR) is written as a bare number on the page.
    unit = "count" if figure.get("unit") == "ratio" else figure.get("unit")
    check = check_figure(page.body_text, anchors, expected, figure.get("currency") or None,
                         tolerance=0.01, unit=unit)
    found = check.found
    return {**base, "status": check.status, "found_value": found.value if found else None,
            "found_high": found.value_high if found else None, "found_currency": found.currency if found else None,
            "found_text": found.raw if found else None, "context": check.context, "message": check.message}
