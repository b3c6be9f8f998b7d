"""SEC companyfacts files as they come: each variant real filers' files show, made from the real
Alphabet file in ../shared/fixtures (one field changed, the rest as SEC served it).

- `cik` as a JSON string (SEC serves `"cik": "0001997711"` for some filers, e.g. the IFRS 20-F
  filer Logistic Properties of the Americas): the typed read refuses it, the tolerant read loads
  it, and every summary says which read it;
- missing `label`/`description` (IFRS concepts have them null, trimmed files drop them),
  `fy`/`fp`/`frame` null, a concept with empty `units`, an entity with only `dei`: the typed read
  loads them as they are.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from aipipe.cli import main
from aipipe.core.snapshots import SnapshotStore
from aipipe.sources.sec.companyfacts import parse_snapshot
from aipipe.sources.sec.parse import CompanyFactsError, parse_companyfacts
from aipipe.sources.sec.tolerant import TYPED, read_companyfacts

ALPHABET = 1652044


@pytest.fixture()
def alphabet(sec_fixtures) -> dict:
    return json.loads((sec_fixtures / "companyfacts" / "CIK0001652044.trimmed.json").read_bytes())


def write(tmp_path, doc: dict, name: str = "CIK0001652044.json"):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(doc))
    return path


def facts_count(doc: dict) -> int:
    return sum(len(v) for concepts in doc["facts"].values() for body in concepts.values()
               for v in body["units"].values())


def test_a_string_cik_is_refused_by_the_typed_read_and_loaded_by_the_tolerant_one(tmp_path, alphabet):
    expected = facts_count(alphabet)
    path = write(tmp_path, {**alphabet, "cik": "0001652044"})
    with pytest.raises(CompanyFactsError):
        parse_companyfacts([path])
    table, read_by = read_companyfacts(path)
    assert read_by.startswith("tolerant read") and "cik written as the string '0001652044'" in read_by
    assert table.num_rows == expected and set(table.column("cik").to_pylist()) == {ALPHABET}
    typed, how = read_companyfacts(write(tmp_path, alphabet, "typed.json"))
    assert how == TYPED
    # The tolerant read gives the same rows the typed read gives for the same facts.
    key = ["concept", "unit", "period_start", "period_end", "accession", "value", "fiscal_year", "frame"]
    assert sorted(table.select(key).to_pylist(), key=str) == sorted(typed.select(key).to_pylist(), key=str)


def test_the_refresh_parser_says_a_snapshot_was_read_tolerantly(tmp_path, alphabet):
    store = SnapshotStore(tmp_path / "data")
    content = json.dumps({**alphabet, "cik": "0001652044"}).encode()
    snapshot = store.put("sec:CIK0001652044", "https://data.sec.gov/x", content, suffix=".json",
                         licence="public", origin="live")
    frame = parse_snapshot(snapshot)
    assert len(frame) == facts_count(alphabet) and frame.attrs["parse_note"].startswith("tolerant read")


@pytest.mark.parametrize("fast", [False, True], ids=["files", "fast"])
def test_ingest_loads_a_string_cik_file_and_the_summary_names_the_read(tmp_path, alphabet, capsys, fast):
    folder = write(tmp_path, {**alphabet, "cik": "0001652044"}).parent
    db = tmp_path / "w.duckdb"
    code = main(["ingest", "sec", str(folder), "--db", str(db), "--data", str(tmp_path / "data"),
                 *(["--fast"] if fast else [])])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "read by the tolerant read (cik written as the string" in out
    assert "by the tolerant read: 1" in out
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT DISTINCT cik FROM staging.sec_facts").fetchall() == [(ALPHABET,)]
        assert con.execute("SELECT count(*) FROM staging.sec_facts").fetchall()[0][0] == facts_count(alphabet)
    finally:
        con.close()


def test_missing_labels_null_fy_fp_frame_and_empty_units_load_with_the_typed_read(tmp_path, alphabet):
    doc = json.loads(json.dumps(alphabet))
    concepts = doc["facts"]["us-gaap"]
    for body in concepts.values():
        body.pop("label", None)
        body.pop("description", None)
    revenue = concepts["Revenues"]["units"]["USD"]
    for fact in revenue:
        fact["fy"] = fact["fp"] = fact["frame"] = None
    concepts["SomethingNew"] = {"label": None, "description": None, "units": {}}
    table, read_by = read_companyfacts(write(tmp_path, doc))
    assert read_by == TYPED
    assert table.num_rows == facts_count(alphabet)
    rows = [r for r in table.to_pylist() if r["concept"] == "Revenues"]
    assert len(rows) == len(revenue) and all(r["fiscal_year"] is None and r["frame"] is None for r in rows)
    assert "SomethingNew" not in table.column("concept").to_pylist()


def test_an_entity_with_only_dei_loads_its_dei_facts(tmp_path, alphabet):
    doc = {**alphabet, "facts": {"dei": alphabet["facts"]["dei"]}}
    table, read_by = read_companyfacts(write(tmp_path, doc))
    assert read_by == TYPED and table.num_rows == facts_count(doc) > 0
    assert set(table.column("taxonomy").to_pylist()) == {"dei"}


def test_a_file_that_is_not_companyfacts_stays_an_error_for_both_reads(tmp_path, alphabet):
    path = write(tmp_path, {"cik": "0001652044", "entityName": "x", "data": []})
    with pytest.raises(CompanyFactsError, match="no 'facts' object"):
        read_companyfacts(path)
