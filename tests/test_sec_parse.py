"""The companyfacts parser on the real SEC files in ../shared/fixtures/sec and hand-made edge cases."""

from __future__ import annotations

import json

import orjson
import pytest

from aipipe.sources.sec.parse import CompanyFactsError, parse_companyfacts, parse_companyfacts_each


def count_fact_versions(path) -> int:
    doc = orjson.loads(path.read_bytes())
    return sum(len(versions) for concepts in doc["facts"].values() for c in concepts.values()
               for versions in c["units"].values())


@pytest.mark.parametrize("name", ["CIK0001652044.json", "CIK0001640147.json", "CIK0001652044.trimmed.json"])
def test_every_fact_version_is_parsed(sec_fixtures, name):
    path = sec_fixtures / "companyfacts" / name
    table = parse_companyfacts([path])
    assert table.num_rows == count_fact_versions(path)


def test_fields_of_one_known_fact(sec_fixtures):
    rows = parse_companyfacts([sec_fixtures / "companyfacts" / "CIK0001652044.json"]).to_pylist()
    fy2025 = [r for r in rows if r["concept"] == "Revenues" and str(r["period_end"]) == "2025-12-31"
              and str(r["period_start"]) == "2025-01-01"]
    assert {r["value"] for r in fy2025} == {402_836_000_000}
    fact = fy2025[0]
    assert fact["cik"] == 1652044 and fact["taxonomy"] == "us-gaap" and fact["unit"] == "USD"
    assert fact["form"] == "10-K" and fact["accession"] == "0001652044-26-000018"
    # Instants have no start; frames are kept when present and NULL when absent.
    assert any(r["period_start"] is None for r in rows)
    assert any(r["frame"] is None for r in rows) and any(r["frame"] for r in rows)


def test_pretty_printed_file_parses_like_compact(sec_fixtures, tmp_path):
    source = sec_fixtures / "companyfacts" / "CIK0001640147.json"  # indent=2 in the fixture
    compact = tmp_path / "compact.json"
    compact.write_bytes(orjson.dumps(orjson.loads(source.read_bytes())))
    assert parse_companyfacts([source]).num_rows == parse_companyfacts([compact]).num_rows


def test_edge_cases_and_a_malformed_file_in_one_batch(tmp_path):
    def write(name, doc):
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        return path

    fact = {"end": "2023-12-31", "val": 5, "accn": "0000000001-24-000001", "fy": 2023, "fp": "FY",
            "form": "20-F", "filed": "2024-03-01"}
    ifrs = write("ifrs.json", {"cik": 11, "entityName": "IFRS Co", "facts": {"ifrs-full": {"Revenue": {
        "units": {"EUR": [{**fact, "start": "2023-01-01", "val": 1000}]}}}}})
    dei_only = write("dei.json", {"cik": 12, "entityName": "DEI Co", "facts": {"dei": {
        "EntityCommonStockSharesOutstanding": {"units": {"shares": [fact]}}}}})
    empty = write("empty.json", {"cik": 13, "entityName": "Empty Co", "facts": {}})
    broken = write("broken.json",
                   '{"cik": 14, "entityName": "Broken", "facts": {"us-gaap": {"A": {"units": {"USD": [{"en')
    table, errors = parse_companyfacts_each([ifrs, dei_only, empty, broken])
    rows = table.to_pylist()
    assert {(r["cik"], r["taxonomy"], r["unit"]) for r in rows} == {(11, "ifrs-full", "EUR"), (12, "dei", "shares")}
    assert list(errors) == [str(broken)]
    assert "broken.json" in errors[str(broken)]
    with pytest.raises(CompanyFactsError, match="broken.json"):
        parse_companyfacts([broken])


def test_concept_filter(sec_fixtures):
    table = parse_companyfacts([sec_fixtures / "companyfacts" / "CIK0001652044.json"], concepts=["Revenues"])
    assert set(table.column("concept").to_pylist()) == {"Revenues"}


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ({"cik": 21, "entityName": "Renamed", "factz": {"us-gaap": {}}}, "no 'facts' object"),
        ({"cik": 22, "entityName": "No units", "facts": {"us-gaap": {"Revenues": {
            "unitz": {"USD": [{"end": "2024-12-31", "val": 1, "accn": "a", "form": "10-K", "filed": "2025-02-01"}]}}}}},
         "has no 'units' object"),
    ],
)
def test_a_changed_layout_is_an_error_not_a_silent_zero(tmp_path, doc, reason):
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CompanyFactsError, match=f"changed.json: .*{reason}"):
        parse_companyfacts([path])
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"cik": 23, "entityName": "Good", "facts": {"us-gaap": {"Revenues": {"units": {
        "USD": [{"end": "2024-12-31", "start": "2024-01-01", "val": 7, "accn": "b", "form": "10-K",
                 "filed": "2025-02-01"}]}}}}}))
    table, errors = parse_companyfacts_each([good, path])
    assert table.column("cik").to_pylist() == [23]
    assert reason in errors[str(path)]
