"""Bulk companyfacts ingest (aipipe.ingest.sec_bulk) on a small seeded synthetic corpus and the real files.

Counts are checked against an independent walk of the JSON with orjson, in real DuckDB files.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import zipfile
from pathlib import Path

import duckdb
import orjson
import pytest

from aipipe.ingest.sec_bulk import BulkResult, ingest_bulk
from aipipe.ingest.sec_bulk_sql import count_rows
from aipipe.sources.sec.files import iter_companyfacts
from flows.sec_bulk import bulk_ingest_flow

REPO = Path(__file__).resolve().parents[1]
SEED, COMPANIES = 11, 12
# Every column but run_id (differs per run) and source_file (a path that differs per source form).
CONTENT = (
    "cik, entity_name, taxonomy, concept, unit, period_start, period_end, value, accession, "
    "fiscal_year, fiscal_period, form, filed, frame, snapshot_sha256"
)


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_corpus", REPO / "benchmarks" / "gen_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bulk") / "corpus"
    _load_generator().generate(COMPANIES, SEED, out, make_zip=True, workers=1)
    return out


def walk_facts(path: Path, concepts: set[str] | None = None) -> int:
    """Fact versions in one companyfacts file, counted with orjson (independent of DuckDB)."""
    doc = orjson.loads(path.read_bytes())
    return sum(
        len(versions)
        for taxonomy in doc.get("facts", {}).values()
        for concept, body in taxonomy.items()
        if concepts is None or concept in concepts
        for versions in body["units"].values()
    )


def walk_dir(directory: Path, concepts: set[str] | None = None) -> int:
    return sum(walk_facts(p, concepts) for p in sorted(directory.glob("*.json")))


def rows(db: Path, columns: str = CONTENT) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT {columns} FROM staging.sec_facts ORDER BY ALL").fetchall()
    finally:
        con.close()


def ingest(source: Path, db: Path, **kwargs) -> BulkResult:
    # A small batch_mb gives several batches even for this tiny corpus.
    return ingest_bulk(source, db, batch_mb=kwargs.pop("batch_mb", 0.5), progress=False, **kwargs)


def test_corpus_is_shaped_like_sec(corpus: Path) -> None:
    names = sorted(p.name for p in (corpus / "companyfacts").glob("*.json"))
    assert len(names) == COMPANIES and all(n.startswith("CIK") and len(n) == 18 for n in names)
    with zipfile.ZipFile(corpus / "companyfacts.zip") as zf:
        assert sorted(zf.namelist()) == names
    forms, units, taxonomies = set(), set(), set()
    for name in names:
        doc = orjson.loads((corpus / "companyfacts" / name).read_bytes())
        taxonomies |= set(doc["facts"])
        for concepts in doc["facts"].values():
            for body in concepts.values():
                units |= set(body["units"])
                forms |= {v["form"] for versions in body["units"].values() for v in versions}
    assert {"us-gaap", "dei", "ifrs-full"} <= taxonomies
    assert {"USD", "shares", "USD/shares"} <= units and units - {"USD", "shares", "USD/shares", "pure"}
    assert {"10-K", "10-Q", "20-F"} <= forms


def test_directory_and_zip_load_every_fact_version(corpus: Path, tmp_path: Path) -> None:
    expected = walk_dir(corpus / "companyfacts")
    from_dir = ingest(corpus / "companyfacts", tmp_path / "dir.duckdb")
    from_zip = ingest(corpus / "companyfacts.zip", tmp_path / "zip.duckdb")
    for result, db in ((from_dir, tmp_path / "dir.duckdb"), (from_zip, tmp_path / "zip.duckdb")):
        assert result.errors == {}
        assert result.files_loaded == COMPANIES
        assert result.rows_inserted == expected == count_rows(db)
    # Same bytes either way, so the same checksums and content; only source_file differs.
    assert rows(tmp_path / "dir.duckdb") == rows(tmp_path / "zip.duckdb")
    zip_sources = rows(tmp_path / "zip.duckdb", "DISTINCT source_file")
    assert all("companyfacts.zip!/CIK" in s for (s,) in zip_sources)


def test_malformed_file_is_named_and_the_others_load(corpus: Path, tmp_path: Path) -> None:
    source = tmp_path / "files"
    shutil.copytree(corpus / "companyfacts", source)
    good = sorted(source.glob("*.json"))
    # A pretty-printed file (the 'auto' fallback), a truncated one, one whose cik is not its name.
    doc = orjson.loads(good[0].read_bytes())
    good[0].write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    (source / "CIK0000000005.json").write_bytes(good[1].read_bytes()[:5000])
    (source / "CIK0000000007.json").write_bytes(orjson.dumps({**doc, "cik": 42}))

    result = ingest(source, tmp_path / "w.duckdb", batch_mb=50)

    assert set(result.errors) == {str(source / "CIK0000000005.json"), str(source / "CIK0000000007.json")}
    assert "Malformed JSON" in result.errors[str(source / "CIK0000000005.json")]
    assert "does not match the file name" in result.errors[str(source / "CIK0000000007.json")]
    assert result.files_failed == 2 and result.files_loaded == COMPANIES
    assert count_rows(tmp_path / "w.duckdb") == sum(walk_facts(p) for p in good)


def test_reingest_adds_nothing(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    first = ingest(corpus / "companyfacts", db)
    again = ingest(corpus / "companyfacts", db)
    from_zip = ingest(corpus / "companyfacts.zip", db, batch_mb=3)
    assert first.rows_inserted > 0
    assert again.rows_inserted == 0 and from_zip.rows_inserted == 0
    assert count_rows(db) == first.rows_inserted


def _storage_version(db: Path) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT tags['storage_version'] FROM duckdb_databases() WHERE NOT internal").fetchall()[0][0]
    finally:
        con.close()


def test_new_warehouse_files_use_v150_storage_and_old_files_keep_theirs(corpus: Path, tmp_path: Path) -> None:
    from aipipe.warehouse.connect import connect_write

    fresh = tmp_path / "fresh.duckdb"
    ingest(corpus / "companyfacts", fresh)
    written = tmp_path / "written.duckdb"
    connect_write(written).close()
    assert _storage_version(fresh) == _storage_version(written) == "v1.5.0+"

    # A file created by an older default keeps its format when aipipe loads into it.
    old = tmp_path / "old.duckdb"
    duckdb.connect(str(old), config={"storage_compatibility_version": "v0.10.2"}).close()
    ingest(corpus / "companyfacts", old)
    connect_write(old).close()
    assert _storage_version(old) != "v1.5.0+"
    assert rows(old) == rows(fresh)


def test_concepts_filter_keeps_only_those_concepts(corpus: Path, tmp_path: Path) -> None:
    wanted = {"Revenues", "RevenueFromContractWithCustomerExcludingAssessedTax", "NetIncomeLoss", "Revenue"}
    result = ingest(corpus / "companyfacts", tmp_path / "w.duckdb", concepts=sorted(wanted))
    concepts = {c for (c,) in rows(tmp_path / "w.duckdb", "DISTINCT concept")}
    assert concepts and concepts <= wanted
    assert result.rows_inserted == walk_dir(corpus / "companyfacts", wanted)


def test_bulk_rows_match_parse_companyfacts(corpus: Path, tmp_path: Path) -> None:
    # Both paths build their SQL from sec_parse.unnest_sql: the same files give the same facts.
    from aipipe.sources.sec.parse import FACT_COLUMNS, parse_companyfacts

    paths = sorted((corpus / "companyfacts").glob("*.json"))[:4]
    source = tmp_path / "files"
    source.mkdir()
    for path in paths:
        shutil.copy(path, source / path.name)
    ingest(source, tmp_path / "w.duckdb")
    columns = ", ".join(FACT_COLUMNS)
    con = duckdb.connect()
    try:
        con.register("parsed", parse_companyfacts(sorted(source.glob("*.json"))))
        expected = con.execute(f"SELECT {columns} FROM parsed ORDER BY ALL").fetchall()
    finally:
        con.close()
    assert expected and rows(tmp_path / "w.duckdb", columns) == expected


def test_real_files_and_overlapping_copies_load_once(sec_fixtures: Path, tmp_path: Path) -> None:
    # The trimmed Alphabet file repeats facts of the full one in the same batch: loaded once.
    source = sec_fixtures / "companyfacts"
    keys = set()
    for path in source.glob("*.json"):
        doc = orjson.loads(path.read_bytes())
        for taxonomy, concepts in doc["facts"].items():
            for concept, body in concepts.items():
                for unit, versions in body["units"].items():
                    keys |= {
                        (doc["cik"], taxonomy, concept, unit, v.get("start"), v["end"], v["accn"]) for v in versions
                    }
    result = ingest_bulk(source, tmp_path / "w.duckdb", progress=False)
    assert result.errors == {} and result.rows_inserted == len(keys) == count_rows(tmp_path / "w.duckdb")


def test_iter_companyfacts_streams_zip_batches_and_cleans_up(corpus: Path) -> None:
    seen, scratch_dirs = [], set()
    for batch in iter_companyfacts(corpus / "companyfacts.zip", batch_mb=0.5):
        assert all(Path(f.path).exists() for f in batch)
        scratch_dirs |= {Path(f.path).parent for f in batch}
        seen += [f.source_file.rsplit("/", 1)[-1] for f in batch]
    assert len(scratch_dirs) > 1 and not any(d.exists() for d in scratch_dirs)
    assert sorted(seen) == sorted(p.name for p in (corpus / "companyfacts").glob("*.json"))


def test_flow_with_dask_gives_the_same_warehouse_as_threads(corpus: Path, tmp_path: Path, prefect_harness) -> None:
    direct = tmp_path / "direct.duckdb"
    ingest(corpus / "companyfacts", direct)
    threads = bulk_ingest_flow(
        corpus / "companyfacts.zip", tmp_path / "threads.duckdb", "threads", batch_mb=0.5, progress=False
    )
    dask = bulk_ingest_flow(
        corpus / "companyfacts.zip",
        tmp_path / "dask.duckdb",
        "dask",
        workers=2,
        dask_processes=False,
        batch_mb=0.5,
        progress=False,
    )
    assert threads.errors == {} and dask.errors == {}
    assert threads.rows_inserted == dask.rows_inserted == walk_dir(corpus / "companyfacts")
    assert rows(tmp_path / "threads.duckdb") == rows(tmp_path / "dask.duckdb") == rows(direct)
    # Parquet run directories are removed after the load.
    assert not list(tmp_path.glob(".*.duckdb.sec-bulk-*"))
