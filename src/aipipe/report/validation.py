"""The validation report of one run, from the warehouse's audit tables: the run, each source
(origin, snapshot, age, rows in / valid / quarantined / inserted, duration), each failed check
(table, column, check, offending value, snapshot, row key), quarantined rows, stale or fallback
sources, and the run's verdict (what `aipipe report` exits with).

`collect` returns plain data (the JSON report); `render_markdown` writes it for people.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb

from aipipe.report.markdown import md_escape, md_table

STALE_AFTER_DAYS = 30
FAILED_STATUSES = ("failed", "partial", "abandoned", "running")
MAX_LISTED = 500  # failures / quarantined rows listed per report (all are counted)


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    schema, _, name = table.partition(".")
    return {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
        [schema, name]).fetchall()}


def latest_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    rows = con.execute("SELECT run_id FROM audit.runs ORDER BY started_at DESC, run_id DESC LIMIT 1").fetchall()
    return rows[0][0] if rows else None


def collect(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime | None = None) -> dict:
    """Everything the validation report says about `run_id`, as JSON-ready data."""
    now = now or datetime.now(UTC)
    run_columns = _columns(con, "audit.runs")
    extra = [c for c in ("message", "pid", "host") if c in run_columns]
    runs = _records(con, "SELECT run_id, flow, status, CAST(started_at AS VARCHAR) AS started_at, "
                         "CAST(finished_at AS VARCHAR) AS finished_at, "
                         "date_diff('millisecond', started_at, finished_at) / 1000.0 AS duration_s, offline, "
                         "sources_ok, sources_error, rows_inserted, rows_quarantined, summary"
                         + "".join(f", {c}" for c in extra) + " FROM audit.runs WHERE run_id = ?", [run_id])
    if not runs:
        raise LookupError(f"no run {run_id} in audit.runs; `aipipe report` lists the latest run")
    run = runs[0]
    run["summary"] = json.loads(run["summary"]) if run.get("summary") else {}
    sources = _records(con, """
        SELECT l.source, l.family, l.table_name, l.origin, l.status, l.snapshot_sha256,
               CAST(l.snapshot_retrieved_at AS VARCHAR) AS snapshot_retrieved_at,
               date_diff('hour', l.snapshot_retrieved_at, CAST(? AS TIMESTAMPTZ)) / 24.0 AS snapshot_age_days,
               s.url AS snapshot_url, s.licence AS snapshot_licence, s.last_modified AS snapshot_last_modified,
               l.rows_in, l.rows_valid, l.rows_quarantined, l.rows_inserted, l.duration_s, l.message
        FROM audit.source_loads l
        LEFT JOIN raw.snapshots s ON s.sha256 = l.snapshot_sha256 AND s.source = l.source
        WHERE l.run_id = ?
        QUALIFY row_number() OVER (PARTITION BY l.source ORDER BY s.retrieved_at DESC NULLS LAST) = 1
        ORDER BY l.source""", [now.isoformat(), run_id])
    for source in sources:
        age = source["snapshot_age_days"]
        source["snapshot_age_days"] = None if age is None else round(float(age), 1)
        source["fallback"] = source["status"] == "fallback"
        source["stored_or_seed"] = source["origin"] in ("local", "seed")
        source["stale"] = age is not None and age > STALE_AFTER_DAYS
    failures = _records(con, """
        SELECT table_name AS "table", column_name AS "column", check_name AS "check", failure_case AS value,
               source, snapshot_sha256, row_key
        FROM audit.validation_failures WHERE run_id = ? ORDER BY source, table_name, row_key, column_name
        LIMIT ?""", [run_id, MAX_LISTED])
    failure_count = con.execute("SELECT count(*) FROM audit.validation_failures WHERE run_id = ?",
                                [run_id]).fetchall()[0][0]
    quarantine = _records(con, """
        SELECT source, table_name AS "table", row_key, reasons, row_json, snapshot_sha256
        FROM audit.quarantine WHERE run_id = ? ORDER BY source, table_name, row_key LIMIT ?""",
                          [run_id, MAX_LISTED])
    for row in quarantine:
        row["row"] = _json_or_text(row.pop("row_json"))
    tables = _records(con, """
        SELECT table_name AS "table", count(*) AS sources, sum(rows_in) AS rows_in, sum(rows_valid) AS rows_valid,
               sum(rows_quarantined) AS rows_quarantined, sum(rows_inserted) AS rows_inserted
        FROM audit.source_loads WHERE run_id = ? GROUP BY table_name ORDER BY table_name""", [run_id])
    report = {
        "run": run,
        "sources": sources,
        "tables": tables,
        "failures": failures,
        "failures_total": int(failure_count),
        "quarantine": quarantine,
        "quarantine_total": int(run.get("rows_quarantined") or 0),
        "stale_or_fallback": [
            {"source": s["source"], "origin": s["origin"], "status": s["status"],
             "snapshot_retrieved_at": s["snapshot_retrieved_at"], "snapshot_age_days": s["snapshot_age_days"],
             "why": _why(s)}
            for s in sources if s["fallback"] or s["stale"] or s["stored_or_seed"]],
        "steps": _steps(run, sources),
    }
    report["verdict"] = verdict(report)
    return report


def _why(source: dict) -> str:
    reasons = []
    if source["fallback"]:
        reasons.append("live fetch failed: used a stored snapshot")
    elif source["origin"] == "seed":
        reasons.append("used the seed shipped with aipipe")
    elif source["origin"] == "local":
        reasons.append("used a stored snapshot (offline run)")
    if source["stale"]:
        reasons.append(f"snapshot {source['snapshot_age_days']:.0f} days old (> {STALE_AFTER_DAYS})")
    return "; ".join(reasons)


def _steps(run: dict, sources: list[dict]) -> list[dict]:
    steps = [{"step": "acquire + stage", "source": s["source"], "duration_s": s["duration_s"]}
             for s in sources if s["duration_s"] is not None]
    if run.get("duration_s") is not None:
        steps.append({"step": "run (start to load commit)", "source": None, "duration_s": float(run["duration_s"])})
    return steps


def _json_or_text(text: str | None) -> object:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def verdict(report: dict) -> dict:
    """failed: the run failed or a source errored (exit 1); warnings: fallbacks, stale snapshots,
    quarantined rows (exit 1 only with --strict)."""
    run = report["run"]
    errored = [s["source"] for s in report["sources"] if s["status"] == "error"]
    reasons = []
    if run["status"] in FAILED_STATUSES:
        reasons.append(f"run status {run['status']}" + (f": {run['message']}" if run.get("message") else ""))
    if errored:
        reasons.append(f"{len(errored)} source(s) errored: {', '.join(errored)}")
    warnings = []
    fallbacks = [s["source"] for s in report["sources"] if s["fallback"]]
    if fallbacks:
        warnings.append(f"{len(fallbacks)} source(s) fell back to a stored snapshot: {', '.join(fallbacks)}")
    stored = [s["source"] for s in report["sources"] if s["stored_or_seed"] and not s["fallback"]]
    if stored:
        warnings.append(f"{len(stored)} source(s) used a stored or seed snapshot instead of a live fetch")
    stale = [s["source"] for s in report["sources"] if s["stale"]]
    if stale:
        warnings.append(f"{len(stale)} source(s) used a snapshot older than {STALE_AFTER_DAYS} days")
    if report["quarantine_total"]:
        warnings.append(f"{report['quarantine_total']} row(s) quarantined")
    return {"failed": bool(reasons), "reasons": reasons, "warnings": warnings,
            "exit_status": 1 if reasons else 0, "exit_status_strict": 1 if reasons or warnings else 0}


def render_markdown(report: dict, extras: dict | None = None) -> str:
    """The validation report as Markdown; every value from the data is escaped."""
    run, v = report["run"], report["verdict"]
    outcome = "FAILED" if v["failed"] else ("OK with warnings" if v["warnings"] else "OK")
    lines = [
        f"# aipipe validation report — run {md_escape(run['run_id'])}",
        "",
        f"**{outcome}** — status `{md_escape(run['status'])}`, "
        f"{'offline' if run['offline'] else 'live'} run, started {md_escape(run['started_at'])}, "
        f"finished {md_escape(run['finished_at'] or '—')}"
        + (f" ({run['duration_s']:.1f} s)" if run.get("duration_s") is not None else ""),
        "",
        f"- rows loaded: {_n(run['rows_inserted'])}; rows quarantined: {_n(run['rows_quarantined'])}; "
        f"failed checks: {_n(report['failures_total'])}",
        f"- sources ok: {_n(run['sources_ok'])}; sources errored: {_n(run['sources_error'])}",
    ]
    if run.get("message"):
        lines.append(f"- message: {md_escape(run['message'])}")
    lines += [f"- ❗ {md_escape(r)}" for r in v["reasons"]]
    lines += [f"- ⚠ {md_escape(w)}" for w in v["warnings"]]
    lines += ["", "## Sources", ""]
    lines += md_table(
        ["source", "origin", "status", "snapshot", "retrieved", "age (days)", "rows in", "valid", "quarantined",
         "inserted", "seconds", "notes"],
        [[s["source"], s["origin"], s["status"], (s["snapshot_sha256"] or "")[:12], s["snapshot_retrieved_at"] or "",
          "" if s["snapshot_age_days"] is None else f"{s['snapshot_age_days']:.1f}", _n(s["rows_in"]),
          _n(s["rows_valid"]), _n(s["rows_quarantined"]), _n(s["rows_inserted"]),
          "" if s["duration_s"] is None else f"{s['duration_s']:.2f}", s["message"]]
         for s in report["sources"]])
    lines += ["", "## Tables", ""]
    lines += md_table(["table", "sources", "rows in", "valid", "quarantined", "inserted"],
                      [[t["table"], t["sources"], _n(t["rows_in"]), _n(t["rows_valid"]), _n(t["rows_quarantined"]),
                        _n(t["rows_inserted"])] for t in report["tables"]])
    lines += ["", "## Stale or fallback sources", ""]
    if report["stale_or_fallback"]:
        lines += md_table(["source", "origin", "status", "retrieved", "why"],
                          [[s["source"], s["origin"], s["status"], s["snapshot_retrieved_at"] or "", s["why"]]
                           for s in report["stale_or_fallback"]])
    else:
        lines.append("None: every source was fetched live (or unchanged since the last fetch).")
    lines += ["", f"## Failed checks ({report['failures_total']})", ""]
    if report["failures"]:
        lines += md_table(["table", "column", "check", "offending value", "source", "snapshot", "row key"],
                          [[f["table"], f["column"], f["check"], f["value"], f["source"],
                            (f["snapshot_sha256"] or "")[:12], f["row_key"]] for f in report["failures"]])
    else:
        lines.append("None.")
    lines += ["", f"## Quarantined rows ({report['quarantine_total']})", ""]
    if report["quarantine"]:
        lines += md_table(["source", "table", "row key", "reasons"],
                          [[q["source"], q["table"], q["row_key"], q["reasons"]] for q in report["quarantine"]])
    else:
        lines.append("None.")
    lines += ["", "## Steps", ""]
    lines += md_table(["step", "source", "seconds"],
                      [[s["step"], s["source"] or "", f"{s['duration_s']:.2f}"] for s in report["steps"]])
    for heading, rows in (extras or {}).items():
        lines += ["", f"## {md_escape(heading)}", ""]
        lines += md_table(list(rows[0]), [list(r.values()) for r in rows]) if rows else ["None."]
    lines.append("")
    return "\n".join(lines)


def _n(value: object) -> str:
    return "" if value is None else f"{int(value):,}"
