"""`aipipe ingest sec PATH` through the real CLI entry point: a directory and SEC's bulk zip layout,
per-file summary, a bad file named and quarantined without stopping the others, audit records."""

from __future__ import annotations

import json
import shutil
import zipfile

import duckdb
import pytest

from aipipe.cli import main
from aipipe.sources.sec.parse import parse_companyfacts

BROKEN = b'{"cik": 1326801, "entityName": "Meta", "facts": {"us-gaap": {"Revenues": '


@pytest.fixture()
def companyfacts_dir(tmp_path, sec_fixtures):
    folder = tmp_path / "companyfacts"
    folder.mkdir()
    shutil.copy(sec_fixtures / "companyfacts" / "CIK0001640147.json", folder)
    shutil.copy(sec_fixtures / "companyfacts" / "CIK0001652044.trimmed.json", folder / "CIK0001652044.json")
    (folder / "CIK0001326801.json").write_bytes(BROKEN)
    return folder


def query(db, sql, *params):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_ingest_directory_prints_a_summary_and_names_the_bad_file(tmp_path, companyfacts_dir, capsys):
    db, data = tmp_path / "wh.duckdb", tmp_path / "data"
    code = main(["ingest", "sec", str(companyfacts_dir), "--db", str(db), "--data", str(data)])
    out, err = capsys.readouterr()
    assert code == 1  # one file failed
    expected = {name: parse_companyfacts([companyfacts_dir / name]).num_rows
                for name in ("CIK0001640147.json", "CIK0001652044.json")}
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("CIK")}
    assert set(lines) == {"CIK0001326801.json", "CIK0001640147.json", "CIK0001652044.json"}
    for name, count in expected.items():
        assert " loaded " in lines[name] and f"{count:,}" in lines[name]
    assert " error " in lines["CIK0001326801.json"] and "Malformed JSON" in lines["CIK0001326801.json"]
    assert "CIK0001326801.json" in err and "pandera" in out
    assert query(db, "SELECT count(*) FROM staging.sec_facts") == [(sum(expected.values()),)]
    # The run is recorded like a refresh; every row carries its id; the bad file is kept.
    (run_id, status, errors), = query(db, "SELECT run_id, status, sources_error FROM audit.runs")
    assert status == "partial" and errors == 1
    assert query(db, "SELECT DISTINCT run_id FROM staging.sec_facts") == [(run_id,)]
    loads = dict(query(db, "SELECT source, status FROM audit.source_loads WHERE run_id = ?", run_id))
    assert loads == {"sec:CIK0001640147": "loaded", "sec:CIK0001652044": "loaded",
                     "sec:file:CIK0001326801.json": "error"}
    assert (data / "quarantine" / "sec" / run_id / "CIK0001326801.json").read_bytes() == BROKEN
    # Ingested files are snapshots like fetched ones: a second ingest changes nothing.
    code = main(["ingest", "sec", str(companyfacts_dir), "--db", str(db), "--data", str(data)])
    out, _ = capsys.readouterr()
    assert code == 1 and out.count(" no_change ") == 2
    assert query(db, "SELECT count(*) FROM staging.sec_facts") == [(sum(expected.values()),)]


def test_ingest_bulk_zip_fast_mode_validates_with_sql_and_says_so(tmp_path, companyfacts_dir, capsys):
    # A made-up company whose one fact has an accession number that fails validation.
    bad_row = {"cik": 9000007, "entityName": "Bad Row Co", "facts": {"us-gaap": {"Revenues": {"units": {"USD": [
        {"start": "2024-01-01", "end": "2024-12-31", "val": 1, "accn": "not-an-accession", "fy": 2024, "fp": "FY",
         "form": "10-K", "filed": "2025-02-01"}]}}}}}
    archive = tmp_path / "companyfacts.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(companyfacts_dir.iterdir()):
            zf.write(path, path.name)
        zf.writestr("CIK0009000007.json", json.dumps(bad_row))
    db, data = tmp_path / "wh.duckdb", tmp_path / "data"
    code = main(["ingest", "sec", str(archive), "--fast", "--db", str(db), "--data", str(data)])
    out, err = capsys.readouterr()
    assert code == 1 and "SQL checks" in out and "pandera is skipped" in out
    assert "CIK0001326801.json" in err
    expected = sum(parse_companyfacts([companyfacts_dir / n]).num_rows
                   for n in ("CIK0001640147.json", "CIK0001652044.json"))
    assert query(db, "SELECT count(*) FROM staging.sec_facts") == [(expected,)]
    (run_id, flow, status), = query(db, "SELECT run_id, flow, status FROM audit.runs")
    assert flow == "ingest-sec-fast" and status == "partial"
    assert query(db, "SELECT count(*) FROM staging.sec_facts WHERE run_id IS DISTINCT FROM ?", run_id) == [(0,)]
    assert query(db, "SELECT status FROM audit.source_loads WHERE source = 'sec:file:CIK0001326801.json'") == [
        ("error",)]
    assert (data / "quarantine" / "sec" / run_id / "CIK0001326801.json").read_bytes() == BROKEN
    # The SQL checks moved the bad row to audit.quarantine, with the reason.
    (source, reasons), = query(db, "SELECT source, reasons FROM audit.quarantine WHERE run_id = ?", run_id)
    assert source == "sec:file:CIK0009000007.json" and "accession" in reasons
    assert query(db, "SELECT count(*) FROM staging.sec_facts WHERE cik = 9000007") == [(0,)]
    # The marts work on a warehouse built this way too.
    assert query(db, "SELECT count(*) FROM marts.us_app_software_quarterly WHERE ticker = 'SNOW'")[0][0] > 0


def test_unusable_path_exits_2(tmp_path, capsys):
    assert main(["ingest", "sec", str(tmp_path / "nope"), "--db", str(tmp_path / "wh.duckdb")]) == 2
    assert "does not exist" in capsys.readouterr().err
