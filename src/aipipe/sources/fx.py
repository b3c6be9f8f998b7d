"""ECB euro foreign exchange reference rates: where they live and how to parse a snapshot.

The ECB publishes one reference rate per currency per TARGET business day, as units of the
currency per 1 EUR, in several shapes: a full-history CSV inside `eurofxref-hist.zip` (newest day
first, `N/A` where a currency was not quoted, a trailing comma on every line), a latest-day CSV
inside `eurofxref.zip` (spaces after commas, the date written out as `11 October 2024`), and XML
files (`eurofxref-daily.xml`, `eurofxref-hist.xml`) with `Cube time=...` elements holding
`Cube currency=... rate=...` children.

Every parser takes a snapshot's bytes and returns the long frame for `staging.fx_rates`
(see `FX_COLUMNS`); a missing quote becomes an absent row, never NaN or zero.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import PurePosixPath
from urllib.parse import urlparse

import numpy as np
import pandas as pd
from lxml import etree

from aipipe.settings import SEED_DIR

LIVE_URLS: dict[str, str] = {
    "hist_zip": "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip",
    "daily_xml": "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml",
    "daily_zip": "https://www.ecb.europa.eu/stats/eurofxref/eurofxref.zip",
    "hist_xml": "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.xml",
}

LICENCE = (
    "Euro foreign exchange reference rates, European Central Bank (ECB). The ECB publishes them "
    "for information purposes only and discourages their use for transactions. Reuse is "
    "permitted provided the source is acknowledged: 'Source: European Central Bank'."
)

BASE = "EUR"
FX_COLUMNS = ["rate_date", "base", "quote", "rate", "source"]
SOURCE_HIST = "ecb-eurofxref-hist"
SOURCE_DAILY = "ecb-eurofxref-daily"

_MISSING_MARKERS = ["N/A", ""]
_ZIP_MAGIC = b"PK\x03\x04"
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def parse_hist_csv(content: bytes, source: str = SOURCE_HIST) -> pd.DataFrame:
    """Parse the full-history CSV (ISO dates, newest first, `N/A` cells, trailing commas)."""
    return _parse_wide_csv(content, source)


def parse_daily_csv(content: bytes, source: str = SOURCE_DAILY) -> pd.DataFrame:
    """Parse the latest-day CSV (`11 October 2024`, spaces after commas, trailing comma)."""
    return _parse_wide_csv(content, source)


def parse_xml(content: bytes, source: str = SOURCE_DAILY) -> pd.DataFrame:
    """Parse eurofxref-daily.xml or eurofxref-hist.xml (gesmes envelope, nested Cube elements)."""
    try:
        root = etree.fromstring(content, parser=_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"{source}: not well-formed XML ({exc}); re-fetch the snapshot") from exc
    # Namespace-agnostic XPath, so both the ECB namespace and a bare hand-written file work.
    day_cubes = root.xpath("//*[local-name()='Cube'][@time]")
    quote_path = "//*[local-name()='Cube'][@time]/*[local-name()='Cube'][@currency]"
    times = [cube.get("time") for cube in day_cubes]
    counts = [int(cube.xpath("count(*[local-name()='Cube'][@currency])")) for cube in day_cubes]
    frame = pd.DataFrame(
        {
            "rate_date": np.repeat(np.array(times, dtype=object), counts),
            "quote": root.xpath(f"{quote_path}/@currency"),
            "rate": root.xpath(f"{quote_path}/@rate"),
        }
    )
    if frame.empty:
        raise ValueError(f"{source}: no Cube time=... currency=... rate=... elements found")
    frame["rate_date"] = _parse_dates(frame["rate_date"].str.strip(), source)
    frame["rate"] = _parse_rates(frame["rate"], source)
    frame["quote"] = frame["quote"].str.strip().str.upper()
    return _finish(frame, source)


def parse_zip(content: bytes, source: str | None = None) -> pd.DataFrame:
    """Parse eurofxref-hist.zip or eurofxref.zip by reading their single CSV member."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = [name for name in archive.namelist() if name.lower().endswith(".csv")]
        if len(members) != 1:
            raise ValueError(
                f"ecb zip: expected exactly one .csv member, found {members or 'none'} "
                f"among {archive.namelist()}; check the snapshot is an ECB eurofxref zip"
            )
        csv_bytes = archive.read(members[0])
    return _parse_wide_csv(csv_bytes, source or _source_for(members[0]) or SOURCE_HIST)


def parse_snapshot(content: bytes, url_or_name: str) -> pd.DataFrame:
    """Parse any ECB reference-rate snapshot, choosing the parser from the bytes themselves.

    The `source` label comes from the ECB file name in `url_or_name`; a snapshot stored under
    another name (e.g. its checksum) is labelled by content: one day -> daily, more -> hist.
    """
    named_source = _source_for(url_or_name)
    label = named_source or SOURCE_HIST
    if content.startswith(_ZIP_MAGIC):
        frame = parse_zip(content, source=named_source)
    elif content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        frame = parse_xml(content, source=label)
    else:
        frame = _parse_wide_csv(content, label)
    if named_source is None and frame["rate_date"].nunique() == 1:
        frame["source"] = SOURCE_DAILY
    return frame


def _source_for(url_or_name: str) -> str | None:
    """Name the ECB product from a URL or file name (`.../eurofxref-hist.zip` -> hist)."""
    stem = PurePosixPath(urlparse(url_or_name).path).name.split(".")[0].lower()
    if stem.startswith("eurofxref-hist"):
        return f"ecb-{stem}"  # keeps the 90-day variant (eurofxref-hist-90d) distinguishable
    if stem.startswith("eurofxref"):
        return SOURCE_DAILY
    return None


def _parse_wide_csv(content: bytes, source: str) -> pd.DataFrame:
    """Wide ECB CSV (Date + one column per currency) -> long rows, vectorised via melt."""
    wide = pd.read_csv(
        io.BytesIO(content),
        dtype=str,
        skipinitialspace=True,
        na_values=_MISSING_MARKERS,
        keep_default_na=False,
    )
    wide.columns = [str(name).strip().upper() for name in wide.columns]
    # The trailing comma on every line makes an empty, unnamed last column.
    wide = wide.loc[:, [n for n in wide.columns if n and not n.startswith("Unnamed:")]]
    if "DATE" not in wide.columns:
        raise ValueError(f"{source}: no 'Date' column in header {list(wide.columns)[:5]}...")
    # Dates are parsed on the wide frame: one per day rather than one per cell.
    wide["DATE"] = _parse_dates(wide["DATE"].str.strip(), source)
    long = wide.melt(id_vars="DATE", var_name="quote", value_name="rate").dropna(subset=["rate"])
    long = long.rename(columns={"DATE": "rate_date"})
    long["rate"] = _parse_rates(long["rate"], source)
    return _finish(long, source)


def _parse_dates(raw: pd.Series, source: str) -> pd.Series:
    """ISO dates (history, XML) or written-out dates like `11 October 2024` (daily CSV)."""
    iso = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
    written = pd.to_datetime(raw[iso.isna()], format="%d %B %Y", errors="coerce")
    parsed = iso.fillna(written)
    bad = raw[parsed.isna()]
    if not bad.empty:
        raise ValueError(
            f"{source}: unreadable date {bad.iloc[0]!r} ({len(bad)} rows); expected "
            "YYYY-MM-DD or '11 October 2024' — check the snapshot is an ECB eurofxref file"
        )
    return parsed


def _parse_rates(raw: pd.Series, source: str) -> pd.Series:
    rates = pd.to_numeric(raw, errors="coerce")
    bad = raw[rates.isna() & raw.notna()]
    if not bad.empty:
        raise ValueError(
            f"{source}: non-numeric rate {bad.iloc[0]!r} ({len(bad)} cells); only numbers "
            "and 'N/A' are expected — check the snapshot is an ECB eurofxref file"
        )
    return rates.astype("float64")


def _finish(long: pd.DataFrame, source: str) -> pd.DataFrame:
    long = long.dropna(subset=["rate"])
    long = long.assign(base=BASE, source=source)
    long = long.sort_values(["rate_date", "quote"], kind="stable")
    # Sorted while still datetime64 (fast); the contract is plain `datetime.date` values.
    long["rate_date"] = long["rate_date"].dt.date
    return long.loc[:, FX_COLUMNS].reset_index(drop=True)


PARSER_VERSION = "ecb-eurofxref-1"
SEED_FILE = SEED_DIR / "fx_rates.csv.gz"


def seed_snapshot(store, url: str):
    """The seed's ECB history (USD, CNY, HKD, JPY, GBP per EUR, in the ECB's own CSV layout) as a
    snapshot of `fx:ecb-hist` (origin "seed"); None when aipipe ships no rates."""
    if not SEED_FILE.exists():
        return None
    content = gzip.decompress(SEED_FILE.read_bytes())
    newest = content.split(b"\n", 2)[1].split(b",", 1)[0].decode()
    return store.put("fx:ecb-hist", url, content, suffix=".csv", licence=LICENCE, origin="seed",
                     last_modified=f"newest rate {newest}")


def ecb_sources(settings) -> list:
    """The two ECB snapshots a refresh keeps: the full history (zip) and the latest day (XML);
    offline with nothing stored, the history falls back to the seed's rates."""
    from aipipe.sources.base import SourceSpec

    base = settings.ecb_base_url.rstrip("/")
    files = [("fx:ecb-hist", "eurofxref-hist.zip", ".zip", "full history since 1999"),
             ("fx:ecb-daily", "eurofxref-daily.xml", ".xml", "latest business day")]
    return [
        SourceSpec(
            name=name,
            family="fx",
            table="fx_rates",
            url=f"{base}/stats/eurofxref/{file_name}",
            suffix=suffix,
            licence=LICENCE,
            parse=lambda snapshot, file_name=file_name: parse_snapshot(snapshot.read_bytes(), file_name),
            parser_version=PARSER_VERSION,
            seed=(lambda store, url=f"{base}/stats/eurofxref/{file_name}": seed_snapshot(store, url))
            if name == "fx:ecb-hist" else None,
            description=f"ECB euro reference rates, {what}",
            optional=True,  # offline with nothing stored or seeded: conversions report missing rates
        )
        for name, file_name, suffix, what in files
    ]
