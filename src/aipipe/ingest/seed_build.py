"""Build the seed shipped in `src/aipipe/seed/` from real files, never from typed numbers.

Inputs are named, with their checksum and origin, in `scripts/seed_inputs.toml`: SEC
companyfacts responses (copies kept in public repositories, or ../shared/fixtures), the ECB's
reference-rate history and Epoch AI's revenue reports (CC BY 4.0). `build_seed` reads each input
found in the given folders (a checksum that does not match stops the build), and writes:

- `sec_facts.csv.gz` — every fact version of every company of the watchlist's baskets that has an
  input, restricted to the concepts `config/metrics.toml` maps (all taxonomies), with accession,
  form, filed date, concept and the input it came from;
- `fx_rates.csv.gz` — ECB daily rates per 1 EUR for the seed currencies, each series from its
  first quoted day, in the ECB's own wide layout (so the refresh's parser reads it);
- `epoch_revenue_reports.csv.gz` — Epoch AI's revenue-report CSV as published, compressed;
- `MANIFEST.toml` — every input (sha256, origin URL, stored copy, retrieval date, licence, how it
  was copied), every output (sha256, rows), and every basket company with no input (missing).

The same inputs give the same bytes: rows are sorted, numbers written one way, gzip headers
carry no time or name.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from aipipe.settings import SEED_DIR
from aipipe.sources.fx import parse_snapshot as parse_ecb
from aipipe.sources.sec.parse import FACT_COLUMNS
from aipipe.sources.sec.tolerant import read_companyfacts
from aipipe.sources.sec.watchlist import load_metric_tags, load_watchlist

SEED_CURRENCIES = ("USD", "CNY", "HKD", "JPY", "GBP")
SEC_FILE = "sec_facts.csv.gz"
FX_FILE = "fx_rates.csv.gz"
EPOCH_FILE = "epoch_revenue_reports.csv.gz"
SEC_COLUMNS = [*FACT_COLUMNS[:-1], "input"]


class SeedInputError(ValueError):
    """An input is not what the input list says it is."""


@dataclass(frozen=True, kw_only=True)
class SeedInput:
    file: str
    kind: str  # sec_companyfacts | ecb_hist | epoch_revenue
    cik: int | None = None  # the company, for SEC files
    sha256: str
    # Where it came from: the original URL, the public copy it was taken from, and when.
    origin: str
    stored_copy: str
    note: str = ""
    retrieved: str
    # How it was taken (verbatim | excerpt | transcribed) and on what terms it may be shipped.
    copy: str
    licence: str


def load_inputs(path: Path) -> list[SeedInput]:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    licences = doc.get("licences", {})
    return [SeedInput(**{**entry, "licence": licences.get(entry["licence"], entry["licence"])})
            for entry in doc["input"]]


def build_seed(inputs_list: Path, folders: Sequence[Path], out_dir: Path = SEED_DIR) -> dict:
    """Write the seed files and MANIFEST.toml into `out_dir`; returns the manifest as a dict."""
    inputs = load_inputs(inputs_list)
    found = {spec.file: _locate(spec, folders) for spec in inputs}
    used = [spec for spec in inputs if found[spec.file] is not None]
    out_dir.mkdir(parents=True, exist_ok=True)
    watched = load_watchlist()
    wanted_ciks = {c.cik for c in watched.companies.values() if c.baskets}
    concepts = sorted({t.concept for t in load_metric_tags()})
    sec_rows = _sec_rows([s for s in used if s.kind == "sec_companyfacts"], found, wanted_ciks, concepts)
    fx_frame = _fx_frame([s for s in used if s.kind == "ecb_hist"], found)
    outputs = [_write_gzip_csv(out_dir / SEC_FILE, SEC_COLUMNS, sec_rows),
               _write_gzip_csv(out_dir / FX_FILE, ["Date", *SEED_CURRENCIES], _wide_rows(fx_frame))]
    epoch = [s for s in used if s.kind == "epoch_revenue"]
    if epoch:  # Epoch's CSV as published (CC BY 4.0), compressed
        content = found[epoch[0].file].read_bytes()
        outputs.append(_write_gzip(out_dir / EPOCH_FILE, content, rows=len(pd.read_csv(io.BytesIO(content)))))
    covered = {int(row[0]) for row in sec_rows}
    missing = [{"ticker": c.ticker, "cik": c.cik, "baskets": sorted(c.baskets),
                "why": "no companyfacts file of this company covering 2024-2025 was found in stored public material"}
               for c in sorted(watched.companies.values(), key=lambda c: c.ticker)
               if c.baskets and c.cik not in covered]
    manifest = {
        "seed": {
            "built_by": "aipipe seed build (src/aipipe/ingest/seed_build.py) from scripts/seed_inputs.toml",
            "sec_as_of": max((row[12] for row in sec_rows), default=""),
            "fx_as_of": fx_frame["rate_date"].max().isoformat() if len(fx_frame) else "",
            "fx_currencies": list(SEED_CURRENCIES),
        },
        "input": [_input_record(spec, found[spec.file]) for spec in used],
        "not_found": [{"file": spec.file, "origin": spec.origin} for spec in inputs if found[spec.file] is None],
        "output": outputs,
        "missing": missing,
    }
    (out_dir / "MANIFEST.toml").write_text(_toml(manifest), encoding="utf-8")
    return manifest


def _locate(spec: SeedInput, folders: Sequence[Path]) -> Path | None:
    for folder in folders:
        path = Path(folder) / spec.file
        if path.is_file():
            digest = _sha256(path.read_bytes())
            if digest != spec.sha256:
                raise SeedInputError(f"seed: {path} has sha256 {digest}, but scripts/seed_inputs.toml says "
                                     f"{spec.sha256}; it is not the file listed (origin {spec.origin})")
            return path
    return None


def _sec_rows(specs: list[SeedInput], found: dict, wanted_ciks: set[int], concepts: list[str]) -> list[tuple]:
    rows: list[tuple] = []
    for spec in specs:
        if spec.cik not in wanted_ciks:
            continue
        table, _read_by = read_companyfacts(found[spec.file], concepts)
        frame = table.to_pandas(types_mapper={}.get)
        for record in frame.itertuples(index=False):
            values = [getattr(record, c) for c in FACT_COLUMNS[:-1]]
            rows.append(tuple(_cell(v) for v in values) + (spec.file,))
    rows.sort(key=lambda r: (int(r[0]), *r[2:7], r[8], r[7], r[14]))
    return rows


def _fx_frame(specs: list[SeedInput], found: dict) -> pd.DataFrame:
    if not specs:
        return pd.DataFrame(columns=["rate_date", "quote", "rate"])
    # Each history file holds every day before its newest: the one that reaches furthest is used.
    frames = [parse_ecb(found[spec.file].read_bytes(), spec.file) for spec in specs]
    frame = max(frames, key=lambda f: f["rate_date"].max())
    return frame[frame["quote"].isin(SEED_CURRENCIES)].loc[:, ["rate_date", "quote", "rate"]]


def _wide_rows(frame: pd.DataFrame) -> list[tuple]:
    if not len(frame):
        return []
    wide = frame.pivot(index="rate_date", columns="quote", values="rate").reindex(columns=list(SEED_CURRENCIES))
    wide = wide.sort_index(ascending=False)  # newest first, as the ECB writes it
    return [(day.isoformat(), *("N/A" if pd.isna(v) else _number(v) for v in values))
            for day, values in zip(wide.index, wide.to_numpy(), strict=True)]


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return _number(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e18 else repr(float(value))


def _write_gzip_csv(path: Path, header: list[str], rows: list[tuple]) -> dict:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return _write_gzip(path, text.getvalue().encode("utf-8"), rows=len(rows))


def _write_gzip(path: Path, content: bytes, rows: int) -> dict:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(content)
    path.write_bytes(buffer.getvalue())
    return {"file": path.name, "sha256": _sha256(buffer.getvalue()), "bytes": len(buffer.getvalue()), "rows": rows}


def _input_record(spec: SeedInput, path: Path) -> dict:
    record = {"file": spec.file, "kind": spec.kind, "sha256": spec.sha256, "bytes": path.stat().st_size,
              "origin": spec.origin, "stored_copy": spec.stored_copy, "retrieved": spec.retrieved,
              "copy": spec.copy, "licence": spec.licence}
    if spec.cik is not None:
        record["cik"] = spec.cik
    if spec.note:
        record["note"] = spec.note
    return record


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _toml(doc: dict) -> str:
    """A small, stable TOML writer for the manifest (tables, arrays of tables, plain values)."""
    lines = ["# The seed shipped with aipipe: made by `aipipe seed build` from the real files listed below.",
             "# Do not edit: rebuild it (see scripts/seed_inputs.toml and README, 'The seed').", ""]
    for key, value in doc.items():
        if isinstance(value, dict):
            lines.append(f"[{key}]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in value.items()]
            lines.append("")
        else:
            for item in value:
                lines.append(f"[[{key}]]")
                lines += [f"{k} = {_toml_value(v)}" for k, v in item.items()]
                lines.append("")
    return "\n".join(lines)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
