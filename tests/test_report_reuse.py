"""A run where nothing the article outputs are built from changed reuses them instead of
re-rendering (the cheap no-change re-run); any change to the loaded data, or a damaged cache,
rebuilds them. Real offline refreshes into a real warehouse, real report files."""

from __future__ import annotations

import json

from aipipe.ingest.refresh import refresh_direct
from aipipe.report import reuse
from aipipe.report.run_report import build_run_report
from tests.support.warehouse import settings_in, store_companyfacts

FAMILIES = ["sec", "article"]


def refresh_and_report(settings):
    run, outcome, _ = refresh_direct(settings, FAMILIES)
    built = build_run_report(settings, run.run_id, langs=("en",))  # one language: half the charts to draw
    return run.run_id, outcome.status, built


def article_files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for name in reuse.ARTICLE_FILES for p in [folder / name, *(folder / name).rglob("*")] if p.is_file()}


def test_no_change_run_reuses_article_outputs_and_a_change_rebuilds_them(tmp_path, sec_fixtures, seed_article):
    settings = settings_in(tmp_path, article_source=str(seed_article))
    first, status, built = refresh_and_report(settings)
    assert status == "success" and built.report["article_outputs"] == {
        "built_by_run": first, "reused": False, "key": built.report["article_outputs"]["key"]}
    before = article_files(built.latest)
    assert "tables/big_tech_capex.en.csv" in before and "article.html" in before

    second, status, built = refresh_and_report(settings)
    assert status == "no_change"
    assert built.report["article_outputs"]["reused"] is True
    assert built.report["article_outputs"]["built_by_run"] == first
    assert article_files(built.latest) == before  # copied, byte for byte
    assert article_files(built.folder) == before  # the run's own folder is complete too
    saved = json.loads((built.latest / "validation.json").read_text(encoding="utf-8"))
    assert saved["run"]["run_id"] == second  # the validation report is this run's
    assert f"run {first}" in (built.latest / "validation.md").read_text(encoding="utf-8")

    # New data: Alphabet's real file plus one constructed restatement of its FY2025 capex (a later
    # 10-K/A, value + USD 1 bn; the seed already holds the real file): rebuilt, and the table shows it.
    doc = json.loads((sec_fixtures / "companyfacts" / "CIK0001652044.json").read_bytes())
    capex = doc["facts"]["us-gaap"]["PaymentsToAcquirePropertyPlantAndEquipment"]["units"]["USD"]
    fy2025 = next(f for f in capex if f["start"] == "2025-01-01" and f["end"] == "2025-12-31")
    capex.append({**fy2025, "val": fy2025["val"] + 1_000_000_000, "accn": "0001652044-26-999999",
                  "form": "10-K/A", "filed": "2026-11-30"})
    store_companyfacts(settings, 1652044, json.dumps(doc).encode())
    third, status, built = refresh_and_report(settings)
    assert status == "success" and built.report["article_outputs"]["reused"] is False
    assert built.report["article_outputs"]["built_by_run"] == third
    assert article_files(built.latest)["tables/big_tech_capex.en.csv"] != before["tables/big_tech_capex.en.csv"]

    # A damaged cache in latest/ costs a rebuild, never a wrong or failed report.
    (built.latest / reuse.CACHE_FILE).write_bytes(b"not a pickle")
    fourth, status, built = refresh_and_report(settings)
    assert status == "no_change" and built.report["article_outputs"]["reused"] is False
    assert built.report["article_outputs"]["built_by_run"] == fourth
