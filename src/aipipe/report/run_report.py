"""The run report: which sources were used (live, stored or seed, and how old), what loaded,
what was quarantined and why, and the regenerated big-tech capex table, as Markdown.

Written to `reports/runs/<run_id>/report.md` and copied to `reports/latest/`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from aipipe.report.markdown import md_escape, md_table
from aipipe.settings import Settings
from aipipe.warehouse import connect_read_only


def write_run_report(settings: Settings, run_id: str) -> Path:
    con = connect_read_only(settings.db_path)
    try:
        text = render_run_report(con, run_id)
    finally:
        con.close()
    run_folder = settings.reports_dir / "runs" / run_id
    run_folder.mkdir(parents=True, exist_ok=True)
    path = run_folder / "report.md"
    path.write_text(text, encoding="utf-8")
    latest = settings.reports_dir / "latest"
    latest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, latest / "report.md")
    return latest / "report.md"


def render_run_report(con, run_id: str) -> str:
    run = con.execute(
        "SELECT run_id, status, started_at, finished_at, offline, rows_inserted, rows_quarantined "
        "FROM audit.runs WHERE run_id = ?", [run_id]).fetchall()
    if not run:
        raise LookupError(f"no run {run_id} in audit.runs")
    run_id, status, started, finished, offline, inserted, quarantined = run[0]
    lines = [
        f"# aipipe run {run_id}",
        "",
        f"- status: **{status}**",
        f"- started {started}, finished {finished}; {'offline' if offline else 'live'} run",
        f"- rows loaded: {inserted:,}; rows quarantined: {quarantined:,}",
        "",
        "## Sources",
        "",
    ]
    sources = con.execute(
        "SELECT source, origin, status, snapshot_sha256, CAST(snapshot_retrieved_at AS VARCHAR), rows_in, "
        "rows_valid, rows_quarantined, rows_inserted, message FROM audit.source_loads WHERE run_id = ? "
        "ORDER BY source", [run_id]).fetchall()
    lines += md_table(
        ["source", "origin", "status", "snapshot", "retrieved", "rows in", "valid", "quarantined", "inserted", "notes"],
        [[s, o, st, (sha or "")[:12], ret or "", f"{ri:,}", f"{rv:,}", f"{rq:,}", f"{rn:,}", msg]
         for s, o, st, sha, ret, ri, rv, rq, rn, msg in sources],
    )
    quarantine = con.execute(
        "SELECT source, table_name, row_key, reasons FROM audit.quarantine WHERE run_id = ? "
        "ORDER BY source, row_key LIMIT 200", [run_id]).fetchall()
    lines += ["", "## Quarantined rows", ""]
    if quarantine:
        lines += md_table(["source", "table", "row key", "reasons"], [list(q) for q in quarantine])
    else:
        lines.append("None.")
    lines += ["", "## US big-tech capex (article section 01)", ""]
    capex = con.execute(
        "SELECT ticker, fiscal_year, calendar_year, period_end, revenue_usd, capex_usd, capex_to_revenue, "
        "capex_accession, members FROM marts.big_tech_capex").fetchall()
    if capex:
        lines += md_table(
            ["ticker", "fiscal year", "calendar year", "period end", "revenue (USD bn)", "capex (USD bn)",
             "capex / revenue", "capex accession", "periods"],
            [[t, fy or "", cy, pe, _bn(rev), _bn(cap), _pct(ratio), acc or "", members]
             for t, fy, cy, pe, rev, cap, ratio, acc, members in capex],
        )
    else:
        lines.append("No data: no SEC source could be loaded (see Sources).")
    lines += ["", "Figures: SEC EDGAR XBRL companyfacts; each company row names the 10-K accession it comes from.", ""]
    return "\n".join(lines)


def _bn(value: float | None) -> str:
    return "" if value is None else f"{value / 1e9:,.3f}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


__all__ = ["write_run_report", "render_run_report", "md_escape"]
