"""Generate a synthetic SEC companyfacts bulk corpus shaped like SEC's `companyfacts.zip`.

    .venv/bin/python benchmarks/gen_corpus.py --companies 1000 --seed 7 --out benchmarks/out/c [--zip]

Writes `OUT/companyfacts/CIK##########.json` (compact JSON, the same nesting as SEC's
`/api/xbrl/companyfacts/` responses), `OUT/manifest.json` (per-file bytes and fact counts) and,
with `--zip`, `OUT/companyfacts.zip` whose flat members are the same files, as in SEC's bulk zip.

Everything is deterministic from the seed. Company `i` depends only on (seed, i), so the corpus
for N companies is a prefix of the corpus for 4N. Company sizes are log-normal (a few KB to
several MB, mean about 200 KB, so 1,000 companies are about 200 MB). The shape mirrors the real
files: us-gaap/dei and ifrs-full filers, units USD / shares / USD/shares / pure and foreign
currencies (EUR, JPY, ...), forms 10-K, 10-Q, 8-K, 10-K/A, 20-F, 40-F, instants and durations
(quarter, year-to-date, year), comparatives re-reported in later filings, a few restated values,
and a `frame` on one version of most calendar-alignable periods.
"""

from __future__ import annotations

import argparse
import calendar
import json
import math
import os
import random
import shutil
import sys
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from concepts import DEI, USGAAP_CORE, concept_kinds  # noqa: E402

LAST_FISCAL_YEAR = 2025
MEDIAN_BYTES = 100_000  # log-normal median; with SIGMA this gives a mean near 200 KB
SIGMA = 1.2
MIN_BYTES, MAX_BYTES = 3_000, 8_000_000
FILING_AGENTS = [1193125, 1628280, 950170, 1104659, 1213900, 1558370]  # CIKs that file for others
RESTATE_PROBABILITY = 0.03
WORDS = (
    "amount of the value recognized for the period carrying before net of tax "
    "including excluding attributable to parent entity operations reporting "
    "classified current noncurrent consolidated expense income cash flows "
    "arising from activities measured at fair value as of balance sheet date"
).split()
NAME_WORDS = (
    "Atlas Beacon Cedar Delta Ember Falcon Granite Harbor Iris Juniper Keystone Lumen Meridian "
    "Nimbus Orion Pioneer Quarry Redwood Summit Tidal Umbra Vertex Willow Xenon Yarrow Zephyr"
).split()
NAME_SUFFIXES = ["INC.", "CORP", "HOLDINGS INC", "GROUP PLC", "AG", "N.V.", "LTD", "CO", "S.A."]


@dataclass(frozen=True)
class Filing:
    """One filing that carries XBRL facts: what it is and which periods it reports."""

    accn: str
    form: str
    fy: int
    fp: str
    filed: date
    durations: tuple[tuple[date, date], ...]
    instants: tuple[date, ...]


@dataclass
class CompanyPlan:
    """What kind of filer a synthetic company is, decided up front from its seed."""

    cik: int
    name: str
    taxonomy: str  # "us-gaap" or "ifrs-full"
    currency: str
    quarterly: bool
    annual_form: str
    fye_month: int
    first_fy: int
    target_bytes: int
    filings: list[Filing] = field(default_factory=list)


def company_rng(seed: int, index: int) -> random.Random:
    """Company `index` depends only on (seed, index): string seeds hash deterministically."""
    return random.Random(f"companyfacts:{seed}:{index}")


def target_size(rng: random.Random) -> int:
    """Log-normal byte target, clipped to the few-KB .. several-MB range of the real corpus."""
    size = rng.lognormvariate(math.log(MEDIAN_BYTES), SIGMA)
    return int(min(MAX_BYTES, max(MIN_BYTES, size)))


def month_end(year: int, month: int) -> date:
    while month < 1:
        month, year = month + 12, year - 1
    while month > 12:
        month, year = month - 12, year + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def plan_company(seed: int, index: int) -> tuple[CompanyPlan, random.Random]:
    rng = company_rng(seed, index)
    target = target_size(rng)
    kind = rng.choices(["domestic", "ifrs_20f", "gaap_20f", "canada_40f"], [80, 11, 4, 5])[0]
    if kind == "domestic":
        taxonomy, currency, quarterly, form = "us-gaap", "USD", True, "10-K"
    elif kind == "ifrs_20f":
        currency = rng.choice(["EUR", "EUR", "JPY", "GBP", "CHF", "CNY", "SEK", "USD"])
        taxonomy, quarterly, form = "ifrs-full", False, "20-F"
    elif kind == "gaap_20f":
        taxonomy, currency, quarterly, form = "us-gaap", "USD", False, "20-F"
    else:
        taxonomy = rng.choice(["us-gaap", "ifrs-full"])
        currency = "USD" if taxonomy == "us-gaap" else "CAD"
        quarterly, form = False, "40-F"
    fye_month = rng.choices([12, 1, 3, 6, 9], [70, 6, 8, 8, 8])[0]
    # Larger companies have longer histories; tiny ones are a year or two of filings.
    span = math.log(target / MIN_BYTES) / math.log(MAX_BYTES / MIN_BYTES)
    years = max(1, min(17, round(1 + 16 * span + rng.uniform(-2, 2))))
    name = f"{rng.choice(NAME_WORDS)} {rng.choice(NAME_WORDS).upper()} {rng.choice(NAME_SUFFIXES)}"
    plan = CompanyPlan(
        cik=1_000_000 + index * 97 + rng.randrange(97),
        name=name.upper(),
        taxonomy=taxonomy,
        currency=currency,
        quarterly=quarterly,
        annual_form=form,
        fye_month=fye_month,
        first_fy=LAST_FISCAL_YEAR - years + 1,
        target_bytes=target,
    )
    plan.filings = list(plan_filings(plan, rng))
    return plan, rng


def plan_filings(plan: CompanyPlan, rng: random.Random) -> Iterator[Filing]:
    """Yield the company's filings in filing order, each with the periods it reports."""
    sequence: dict[tuple[int, int], int] = {}

    def accession(filed: date) -> str:
        filer = plan.cik if rng.random() < 0.6 else rng.choice(FILING_AGENTS)
        key = (filer, filed.year)
        sequence[key] = sequence.get(key, rng.randrange(1, 400)) + rng.randrange(1, 40)
        return f"{filer:010d}-{filed.year % 100:02d}-{sequence[key]:06d}"

    def fy_end(fy: int) -> date:
        return month_end(fy, plan.fye_month)

    def fy_start(fy: int) -> date:
        return fy_end(fy - 1) + timedelta(days=1)

    filings: list[Filing] = []
    for fy in range(plan.first_fy, LAST_FISCAL_YEAR + 1):
        if plan.quarterly:
            for q in (1, 2, 3):
                end = month_end(fy - 1, plan.fye_month + 3 * q)
                start_q = month_end(fy - 1, plan.fye_month + 3 * (q - 1)) + timedelta(days=1)
                prior_end = month_end(fy - 2, plan.fye_month + 3 * q)
                prior_start_q = month_end(fy - 2, plan.fye_month + 3 * (q - 1)) + timedelta(days=1)
                durations = [(start_q, end), (prior_start_q, prior_end)]
                if q > 1:
                    durations += [(fy_start(fy), end), (fy_start(fy - 1), prior_end)]
                filed = end + timedelta(days=rng.randrange(25, 46))
                filings.append(
                    Filing(accession(filed), "10-Q", fy, f"Q{q}", filed, tuple(durations), (end, fy_end(fy - 1)))
                )
        years_back = 3 if plan.annual_form in ("10-K", "20-F") else 2
        durations = tuple((fy_start(fy - k), fy_end(fy - k)) for k in range(years_back))
        instants = (fy_end(fy), fy_end(fy - 1))
        filed = fy_end(fy) + timedelta(days=rng.randrange(35, 120))
        filings.append(Filing(accession(filed), plan.annual_form, fy, "FY", filed, durations, instants))
        if plan.annual_form == "10-K" and rng.random() < 0.04:
            amended = filed + timedelta(days=rng.randrange(20, 200))
            filings.append(Filing(accession(amended), "10-K/A", fy, "FY", amended, durations, instants))
        if plan.annual_form == "10-K" and rng.random() < 0.05:
            recast = filed + timedelta(days=rng.randrange(60, 250))
            filings.append(Filing(accession(recast), "8-K", fy, "FY", recast, durations, instants))
    cutoff = date(LAST_FISCAL_YEAR + 1, 6, 30)
    filings = [f for f in filings if f.filed <= cutoff]
    filings.sort(key=lambda f: f.filed)
    yield from filings


def frame_of(start: date | None, end: date) -> str | None:
    """SEC-style calendar frame for a period, or None for year-to-date durations."""
    if start is None:
        return f"CY{end.year}Q{(end.month - 1) // 3 + 1}I"
    days = (end - start).days + 1
    middle = start + timedelta(days=days // 2)
    if 80 <= days <= 100:
        return f"CY{middle.year}Q{(middle.month - 1) // 3 + 1}"
    if 350 <= days <= 380:
        return f"CY{middle.year}"
    return None


def unit_for(kind: str, currency: str) -> str:
    return {"shares_i": "shares", "shares_d": "shares", "per_share": f"{currency}/shares", "pure": "pure"}.get(
        kind, currency
    )


def describe(concept: str) -> tuple[str, str]:
    """A label from the CamelCase name and a filler description of realistic length."""
    words = []
    for ch in concept:
        if ch.isupper() and words:
            words.append(" ")
        words.append(ch)
    label = "".join(words)
    rng = random.Random(concept)
    description = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(12, 60))).capitalize()
    return label, description + "."


def value_generator(kind: str, scale: float, rng: random.Random):
    """Return a function period -> first-reported value, consistent within one concept."""
    base = scale * rng.lognormvariate(0, 1.0)
    sign = -1 if kind == "flow" and rng.random() < 0.15 else 1

    def value(start: date | None, end: date) -> float | int:
        years = end.year - 2000 + end.month / 12
        growth = 1.06**years
        fraction = 1.0 if start is None else max(1, (end - start).days) / 365
        noise = rng.uniform(0.85, 1.15)
        if kind in ("flow", "stock"):
            return sign * int(base * growth * (fraction if kind == "flow" else 1) * noise) // 1000 * 1000
        if kind in ("shares_i", "shares_d"):
            return int(base / 50 * noise)
        if kind == "per_share":
            return round(rng.uniform(-3, 12) * fraction, 2)
        return round(rng.uniform(0.01, 0.35), 4)

    return value


def concept_facts(plan: CompanyPlan, kind: str, active: tuple[int, int], rng: random.Random) -> list[dict]:
    """Every version of one concept's facts across the company's filings (one unit)."""
    value = value_generator(kind, 10 ** rng.uniform(6, 10), rng)
    instant = kind in ("stock", "shares_i")
    current: dict[tuple[date | None, date], float | int] = {}
    versions: dict[tuple[date | None, date], list[dict]] = {}
    for filing in plan.filings:
        if not active[0] <= filing.fy <= active[1]:
            continue
        periods = [(None, e) for e in filing.instants] if instant else list(filing.durations)
        for period in periods:
            if period in current:
                if rng.random() < RESTATE_PROBABILITY:
                    restated = current[period] * rng.uniform(0.9, 1.1)
                    current[period] = round(restated, 2) if kind in ("per_share", "pure") else int(restated)
            else:
                current[period] = value(*period)
            fact = {} if period[0] is None else {"start": period[0].isoformat()}
            fact.update(
                end=period[1].isoformat(),
                val=current[period],
                accn=filing.accn,
                fy=filing.fy,
                fp=filing.fp,
                form=filing.form,
                filed=filing.filed.isoformat(),
            )
            versions.setdefault(period, []).append(fact)
    facts = []
    for period, group in versions.items():
        frame = frame_of(*period)
        if frame and rng.random() < 0.9:
            rng.choice(group)["frame"] = frame
        facts.extend(group)
    facts.sort(key=lambda f: (f["end"], f.get("start", ""), f["filed"]))
    return facts


def build_company(seed: int, index: int) -> tuple[dict, int]:
    """Return (companyfacts document, number of fact versions) for company `index`."""
    plan, rng = plan_company(seed, index)
    kinds = concept_kinds(plan.taxonomy)
    names = [c for c in kinds if plan.taxonomy != "us-gaap" or c not in USGAAP_CORE]
    rng.shuffle(names)
    if plan.taxonomy == "us-gaap":
        names = USGAAP_CORE + names
    last = LAST_FISCAL_YEAR
    taxonomies: dict[str, dict] = {"dei": {}, plan.taxonomy: {}}
    budget, used, n_facts = plan.target_bytes, 0, 0
    for taxonomy, concept_names, kind_of in (
        ("dei", list(DEI), DEI),
        (plan.taxonomy, names, kinds),
    ):
        for concept in concept_names:
            if used >= budget and taxonomy != "dei":
                break
            kind = kind_of[concept]
            active = (plan.first_fy, last)
            if concept == "Revenues":
                active = (plan.first_fy, 2017)  # replaced by ASC 606 tags from 2018
            elif concept == "RevenueFromContractWithCustomerExcludingAssessedTax":
                active = (2018, last)
            elif rng.random() < 0.2:
                active = (rng.randrange(plan.first_fy, last + 1), last)
            facts = concept_facts(plan, kind, active, rng)
            if not facts:
                continue
            label, description = describe(concept)
            unit = "USD" if taxonomy == "dei" and kind == "stock" else unit_for(kind, plan.currency)
            entry = {"label": label, "description": description, "units": {unit: facts}}
            taxonomies[taxonomy][concept] = entry
            used += len(orjson.dumps(entry)) + len(concept) + 4
            n_facts += len(facts)
    facts_doc = {t: dict(sorted(c.items())) for t, c in taxonomies.items() if c}
    return {"cik": plan.cik, "entityName": plan.name, "facts": facts_doc}, n_facts


def write_range(seed: int, start: int, stop: int, out_dir: str) -> list[dict]:
    """Write companies [start, stop) into out_dir; return their manifest rows."""
    rows = []
    for index in range(start, stop):
        doc, n_facts = build_company(seed, index)
        name = f"CIK{doc['cik']:010d}.json"
        body = orjson.dumps(doc)
        Path(out_dir, name).write_bytes(body)
        rows.append({"file": name, "bytes": len(body), "facts": n_facts})
    return rows


def generate(companies: int, seed: int, out: Path, make_zip: bool = False, workers: int = 0) -> dict:
    """Write the corpus into `out` (replacing it) and return the manifest."""
    started = time.perf_counter()
    files_dir = out / "companyfacts"
    if out.exists():
        shutil.rmtree(out)
    files_dir.mkdir(parents=True)
    workers = workers or os.cpu_count() or 1
    chunk = max(1, min(50, companies // (workers * 4) or 1))
    rows: list[dict] = []
    if workers == 1:
        rows = write_range(seed, 0, companies, str(files_dir))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(write_range, seed, lo, min(companies, lo + chunk), str(files_dir))
                for lo in range(0, companies, chunk)
            ]
            for future in futures:
                rows.extend(future.result())
    rows.sort(key=lambda r: r["file"])
    if make_zip:
        write_zip(files_dir, [r["file"] for r in rows], out / "companyfacts.zip")
    manifest = {
        "companies": companies,
        "seed": seed,
        "bytes": sum(r["bytes"] for r in rows),
        "facts": sum(r["facts"] for r in rows),
        "zip": make_zip,
        "seconds": round(time.perf_counter() - started, 2),
        "files": rows,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def write_zip(files_dir: Path, names: list[str], zip_path: Path) -> None:
    """Flat CIK##########.json members, deflated, like SEC's companyfacts.zip."""
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name in names:
            zf.write(files_dir / name, arcname=name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--zip", action="store_true", help="also write companyfacts.zip")
    parser.add_argument("--workers", type=int, default=0, help="processes (default: all cores)")
    args = parser.parse_args(argv)
    manifest = generate(args.companies, args.seed, args.out, args.zip, args.workers)
    print(
        f"{manifest['companies']} companies, {manifest['bytes'] / 1e6:.1f} MB, "
        f"{manifest['facts']:,} facts in {manifest['seconds']} s -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
