"""The seed shipped in src/aipipe/seed/ is built from real files by `aipipe seed build`, never
typed: the build is deterministic, every input is named with its sha256 and licence, a file that
is not the one listed stops the build, and the shipped seed reproduces every hand-transcribed SEC
value it replaced (../shared/facts/sec_facts.csv)."""

from __future__ import annotations

import gzip
import hashlib
import io
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from aipipe.cli import main
from aipipe.ingest.seed_build import FX_FILE, SEC_FILE, SeedInputError, build_seed
from aipipe.settings import REPO_ROOT, SEED_DIR
from aipipe.sources.sec.watchlist import load_watchlist

INPUTS = REPO_ROOT / "scripts" / "seed_inputs.toml"


@pytest.fixture(scope="module")
def fixture_folders(shared_dir):
    return [shared_dir / "fixtures" / "sec" / "companyfacts", shared_dir / "fixtures" / "fx"]


def test_the_build_is_deterministic_and_names_every_input(tmp_path, fixture_folders, capsys):
    first, second = tmp_path / "a", tmp_path / "b"
    assert main(["seed", "build", "--out", str(first), *[f"--inputs={f}" for f in fixture_folders]]) == 0
    out = capsys.readouterr().out
    assert "sec_facts.csv.gz" in out and "fx_rates.csv.gz" in out
    build_seed(INPUTS, fixture_folders, second)
    for name in (SEC_FILE, FX_FILE, "MANIFEST.toml"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    manifest = tomllib.loads((first / "MANIFEST.toml").read_text())
    used = {i["file"]: i for i in manifest["input"]}
    assert set(used) == {"CIK0001652044.json", "CIK0001640147.json", "eurofxref-hist.csv"}
    for folder in fixture_folders:
        for name, record in used.items():
            if (folder / name).exists():
                assert record["sha256"] == hashlib.sha256((folder / name).read_bytes()).hexdigest()
    assert all(i["licence"] and i["origin"].startswith("https://") and i["retrieved"] for i in used.values())
    listed = tomllib.loads(INPUTS.read_text())["input"]
    assert {i["file"] for i in manifest["not_found"]} == {i["file"] for i in listed} - set(used)
    for output in manifest["output"]:
        assert output["sha256"] == hashlib.sha256((first / output["file"]).read_bytes()).hexdigest()
    # Alphabet and Snowflake facts, and the ECB history of the fixture (to 2024-10-11).
    facts = pd.read_csv(first / SEC_FILE, dtype=str)
    assert set(facts["cik"]) == {"1652044", "1640147"} and facts["accession"].str.match(r"^\d{10}-\d{2}-\d{6}$").all()
    assert manifest["seed"]["fx_as_of"] == "2024-10-11"


def test_a_file_that_is_not_the_one_listed_stops_the_build(tmp_path, fixture_folders):
    fake = tmp_path / "in"
    fake.mkdir()
    (fake / "CIK0001640147.json").write_bytes(b'{"cik": 1640147, "entityName": "x", "facts": {}}')
    with pytest.raises(SeedInputError, match="sha256"):
        build_seed(INPUTS, [fake], tmp_path / "out")


def test_the_shipped_seed_reproduces_every_hand_transcribed_value(shared_dir):
    typed = pd.read_csv(shared_dir / "facts" / "sec_facts.csv", dtype=str)
    seed = pd.read_csv(SEED_DIR / SEC_FILE, dtype=str)
    key = ["cik", "concept", "period_start", "period_end", "accession"]
    joined = typed.merge(seed, on=key, how="left")
    assert joined["value"].notna().all(), joined.loc[joined["value"].isna(), key].to_string()
    assert (joined["value"].astype(float) == joined["value_usd"].astype(float)).all()


def test_the_shipped_seed_matches_its_manifest_and_stays_small():
    manifest = tomllib.loads((SEED_DIR / "MANIFEST.toml").read_text())
    for output in manifest["output"]:
        content = (SEED_DIR / output["file"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == output["sha256"], f"{output['file']}: rebuild the seed"
    assert sum(p.stat().st_size for p in SEED_DIR.rglob("*") if p.is_file()) < 15_000_000
    assert {i["kind"] for i in manifest["input"]} == {"sec_companyfacts", "ecb_hist", "epoch_revenue"}
    assert all(i["licence"] and len(i["sha256"]) == 64 for i in manifest["input"])
    # Every company of a basket is in the seed or listed as missing, never silently absent.
    seed_ciks = set(pd.read_csv(SEED_DIR / SEC_FILE, usecols=["cik"])["cik"])
    missing = {m["cik"] for m in manifest["missing"]}
    for company in load_watchlist().companies.values():
        if company.baskets:
            assert (company.cik in seed_ciks) != (company.cik in missing), company.ticker


def test_the_shipped_rates_cover_each_series_from_its_first_day():
    text = gzip.decompress((SEED_DIR / FX_FILE).read_bytes()).decode()
    wide = pd.read_csv(io.StringIO(text), na_values=["N/A"])
    assert list(wide.columns) == ["Date", "USD", "CNY", "HKD", "JPY", "GBP"]
    first_day = {c: wide.loc[wide[c].notna(), "Date"].min() for c in ["USD", "CNY", "HKD", "JPY", "GBP"]}
    assert first_day["USD"] == "1999-01-04" and first_day["CNY"].startswith("2005-")
    manifest = tomllib.loads((SEED_DIR / "MANIFEST.toml").read_text())
    assert wide["Date"].max() == manifest["seed"]["fx_as_of"] >= "2025-12-31"
    assert wide.loc[wide["Date"] >= "2025-01-01", ["USD", "CNY"]].notna().all().all()


def test_the_repository_ships_no_hand_typed_seed():
    assert not (SEED_DIR / "sec_facts.csv").exists()
    assert not list(Path(SEED_DIR).glob("*.csv"))
