"""The run report on a real offline refresh (every source family, from seeds and stored
snapshots) with an injected bad row and injected <script> text: files, JSON, escaping, the DOM
headless Chromium renders, and `aipipe report`'s exit status."""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from aipipe.cli import main
from aipipe.report.article_tables import TABLES
from aipipe.report.charts import CHARTS
from aipipe.settings import SEED_DIR
from tests.support.warehouse import load_companies, settings_in, store_companyfacts

INJECTED = "<script>alert('accn')</script>"


def cli(settings, *args: str) -> int:
    return main(["report", "--db", str(settings.db_path), "--reports", str(settings.reports_dir),
                 "--data", str(settings.data_dir), *args])


def test_latest_holds_reports_tables_and_charts(reported_run):
    settings, run_id, built = reported_run
    latest = settings.reports_dir / "latest"
    for name in ("validation.html", "validation.md", "validation.json", "article.html", "article.md"):
        assert (latest / name).stat().st_size > 0, name
    assert (latest / "RUN_ID").read_text().strip() == run_id
    assert (settings.reports_dir / "runs" / run_id / "validation.json").exists()
    report = json.loads((latest / "validation.json").read_text())
    by_table = {t["name"]: t for t in report["article_tables"]}
    assert set(by_table) == {t.name for t in TABLES}
    for table in TABLES:
        entry = by_table[table.name]
        if entry["status"] == "skipped":
            assert entry["note"], table.name  # skipped only with a reason
            continue
        for lang in ("zh", "en"):
            for suffix in ("md", "csv"):
                assert (latest / "tables" / f"{table.name}.{lang}.{suffix}").exists(), (table.name, lang, suffix)
    charts = {c["name"]: c for c in report["charts"]}
    assert set(charts) == {c.name for c in CHARTS}
    for name, chart in charts.items():
        if chart["status"] == "drawn":
            for key in ("zh.png", "zh.svg", "en.png", "en.svg"):
                assert (latest / "charts" / f"{name}.{key}").exists(), (name, key)
        else:
            assert chart["reason"], name
    # The SEC marts exist in every warehouse: their table and chart are always there.
    assert by_table["big_tech_capex"]["status"] == "written" and charts["big_tech_capex"]["status"] == "drawn"


def test_capex_table_in_both_languages_with_units_and_footnote(reported_run):
    settings, *_ = reported_run
    tables = settings.reports_dir / "latest" / "tables"
    zh = (tables / "big_tech_capex.zh.md").read_text()
    en = (tables / "big_tech_capex.en.md").read_text()
    assert "资本支出（亿美元）" in zh and "Capex (USD bn)" in en
    # META FY2024 revenue, 164,501,000,000 USD from its 10-K: 1,645.01 亿 / 164.501 bn.
    assert "| META | 2024 |" in zh and "1,645.01" in zh and "164.501" in en
    assert "来源：SEC EDGAR" in zh and "数据截至" in zh and "Sources: SEC EDGAR" in en
    csv_header = (tables / "big_tech_capex.en.csv").read_text().splitlines()[0]
    assert "Capex (USD bn)" in csv_header
    assert "164.501" in (tables / "big_tech_capex.en.csv").read_text()  # plain digits, no separators


def test_bad_row_is_reported_with_its_reason_and_snapshot(reported_run):
    settings, run_id, built = reported_run
    report = json.loads((settings.reports_dir / "latest" / "validation.json").read_text())
    assert report["run"]["run_id"] == run_id
    failure = next(f for f in report["failures"] if f["value"] == INJECTED)
    assert failure["table"] == "staging.sec_facts" and failure["column"] == "accession"
    assert failure["source"] == "sec:CIK0001652044" and len(failure["snapshot_sha256"]) == 64
    assert INJECTED in failure["row_key"]
    quarantined = next(q for q in report["quarantine"] if INJECTED in (q["row_key"] or ""))
    assert "accession" in quarantined["reasons"]
    assert report["quarantine_total"] >= 1
    googl = next(s for s in report["sources"] if s["source"] == "sec:CIK0001652044")
    assert googl["rows_quarantined"] == 1 and googl["rows_valid"] == googl["rows_in"] - 1
    assert any("quarantined" in w for w in report["verdict"]["warnings"])
    assert not report["verdict"]["failed"]
    assert {s["step"] for s in report["steps"]} >= {"acquire + stage", "report"}


def test_injected_script_is_text_in_every_output(reported_run):
    settings, *_ = reported_run
    latest = settings.reports_dir / "latest"
    for name in ("validation.html", "article.html"):
        page = (latest / name).read_text()
        assert "<script" not in page.lower(), name
    assert "&lt;script&gt;alert(&#39;accn&#39;)&lt;/script&gt;" in (latest / "validation.html").read_text()
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in (latest / "article.html").read_text()
    for name in ("validation.md", "article.md"):
        text = (latest / name).read_text()
        assert "<script" not in text and "&lt;script&gt;" in text, name


def test_validation_html_renders_the_summary_in_chromium(reported_run, chromium):
    settings, run_id, _ = reported_run
    dom = chromium(settings.reports_dir / "latest" / "validation.html")
    assert 'id="verdict"' in dom and "OK with warnings" in dom and run_id in dom
    quarantined = json.loads((settings.reports_dir / "latest" / "validation.json").read_text())["quarantine_total"]
    assert f'id="rows-quarantined">{quarantined:,}<' in dom
    # The bad row is listed with its reason; the injected script stayed text (no element).
    assert "&lt;script&gt;alert('accn')&lt;/script&gt;" in dom
    assert "<script" not in dom.lower()
    assert 'id="quarantine"' in dom and "accession" in dom


def test_report_command_exit_status_follows_the_run(reported_run, capsys):
    settings, run_id, _ = reported_run
    assert cli(settings) == 0  # quarantined rows and seed snapshots are warnings
    out = capsys.readouterr().out
    assert run_id in out and "validation.html" in out
    assert cli(settings, "--strict") == 1
    assert cli(settings, "--run", "no-such-run") == 2
    assert cli(settings, "--lang", "zh", "--run", run_id) == 0
    assert "运行" in capsys.readouterr().out


def test_report_command_fails_when_a_source_errored(tmp_path, sec_fixtures, capsys):
    settings = settings_in(tmp_path)
    good = (sec_fixtures / "companyfacts" / "CIK0001652044.trimmed.json").read_bytes()
    store_companyfacts(settings, 1326801, good[: len(good) // 2])  # truncated JSON: META cannot parse
    run, outcome, _ = load_companies(settings, [("META", 1326801)])
    assert outcome.status == "partial"
    assert cli(settings) == 1  # writes the missing report first, then judges the run
    out = capsys.readouterr().out
    assert "FAILED" in out and "sec:CIK0001326801" in out
    report = json.loads((settings.reports_dir / "runs" / run.run_id / "validation.json").read_text())
    errored = next(s for s in report["sources"] if s["source"] == "sec:CIK0001326801")
    assert errored["status"] == "error" and "Malformed JSON" in errored["message"]


def test_report_command_without_a_warehouse(tmp_path, capsys):
    assert cli(settings_in(tmp_path)) == 2
    assert "no warehouse" in capsys.readouterr().err


def test_validation_history_is_queryable(reported_run):
    settings, run_id, _ = reported_run
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        rows = con.execute("SELECT run_status, source, column_name, failure_case, snapshot_origin "
                           "FROM audit.validation_history WHERE run_id = ?", [run_id]).fetchall()
    finally:
        con.close()
    assert ("success", "sec:CIK0001652044", "accession", INJECTED, "live") in rows


def test_report_as_of_a_date_sees_only_what_was_filed_by_then(reported_run):
    settings, *_ = reported_run
    assert cli(settings, "--as-of", "2024-03-01", "--lang", "en") == 0
    table = (settings.reports_dir / "as-of" / "2024-03-01" / "tables" / "big_tech_capex.en.md").read_text()
    meta = [line for line in table.splitlines() if line.startswith("| META |")]
    # The fiscal years whose 10-K was filed by then, read from the seed's own rows (FY2024's came in 2025).
    seed = pd.read_csv(SEED_DIR / "sec_facts.csv.gz", dtype=str)
    filed = seed[(seed["cik"] == "1326801") & (seed["concept"] == "PaymentsToAcquirePropertyPlantAndEquipment")
                 & (seed["form"] == "10-K") & (seed["filed"] <= "2024-03-01")]
    expected_years = sorted({end[:4] for end in filed["period_end"]})
    assert [line.split(" | ")[1] for line in meta] == expected_years and expected_years[-1] == "2023"
    meta = [line for line in meta if line.split(" | ")[1] == "2022"]
    assert "| 31.431 |" in meta[0]  # FY2022 capex as first filed (restated to 31.186 in 2025)
    assert (settings.reports_dir / "as-of" / "2024-03-01" / "article.html").exists()
    assert cli(settings, "--as-of", "not-a-date") == 2
