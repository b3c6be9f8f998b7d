"""Publish a run's report as Prefect artifacts, so the Prefect UI shows it per flow run.

Stable keys: `validation-report` (Markdown), `source-loads` (table), `claim-check` (table),
`article-tables` (Markdown). Called from the flow's report task; outside a flow run Prefect
still records the artifacts against no run, which is harmless.
"""

from __future__ import annotations

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from aipipe.report.markdown import md_escape


def publish(validation_md: str, report: dict, claims: list, tables: list, charts: list) -> list[str]:
    """Create the artifacts; returns their keys."""

    run_id = report["run"]["run_id"]
    keys = []
    create_markdown_artifact(key="validation-report", markdown=validation_md,
                             description=f"aipipe validation report, run {run_id}")
    keys.append("validation-report")
    create_table_artifact(key="source-loads", description=f"sources loaded by run {run_id}", table=[
        {k: _plain(s.get(k)) for k in ("source", "origin", "status", "rows_in", "rows_valid", "rows_quarantined",
                                       "rows_inserted", "snapshot_retrieved_at", "message")}
        for s in report["sources"]] or [{"source": "", "status": "no sources"}])
    keys.append("source-loads")
    create_table_artifact(key="claim-check", description=f"the article's figures, checked (run {run_id})", table=[
        {"claim": c.claim_id, "section": c.section, "status": c.status, "article": f"{c.entity} {c.article_value}",
         "article_period": c.period_claimed, "sourced": c.sourced_value, "sourced_period": c.sourced_period,
         "difference": c.difference, "source": " ".join(c.source_urls) or c.sourced_from}
        for c in claims] or [{"claim": "", "status": "no claims in this warehouse"}])
    keys.append("claim-check")
    lines = [f"# Article tables and charts, run {md_escape(run_id)}", "", "| item | status | note |", "|---|---|---|"]
    lines += [f"| {md_escape(t.spec.title_en)} | {t.status} | {md_escape(t.note)} |" for t in tables]
    lines += [f"| chart: {md_escape(c.spec.suggestion)} | {c.status} | {md_escape(c.reason)} |" for c in charts]
    create_markdown_artifact(key="article-tables", markdown="\n".join(lines),
                             description=f"which article tables and charts run {run_id} regenerated")
    keys.append("article-tables")
    return keys


def _plain(value: object) -> object:
    return value if value is None or isinstance(value, (int, float, str, bool)) else str(value)
