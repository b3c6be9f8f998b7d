"""A run's reports, written to `reports/runs/<run_id>/` and then copied to `reports/latest/`:

- validation.html / .md / .json — the validation report (aipipe.report.validation);
- tables/<name>.<lang>.md and .csv — the article's tables in Chinese and English;
- charts/<name>.<lang>.png and .svg — the article's suggested figures the data supports;
- article.html / .md — the living edition (aipipe.report.edition).

`build_run_report(settings, run_id)` is what the flow's report task calls (`flows/refresh.py`, which
also publishes the result as Prefect artifacts). Everything is read
from the warehouse through one read-only connection; `write_as_of` regenerates the article
outputs from a warehouse seen as of a date (aipipe.warehouse.asof) instead.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from aipipe.report import charts as charts_mod
from aipipe.report import edition as edition_mod
from aipipe.report import formats, html, reuse, validation
from aipipe.report import tables as tables_mod
from aipipe.report.article_tables import STATUS_LABELS
from aipipe.report.fonts import CjkFont, needs_cjk_font, subset_font
from aipipe.report.markdown import md_escape
from aipipe.settings import Settings
from aipipe.warehouse.connect import connect_read_only


@dataclass
class ArticleOutputs:
    tables: list[tables_mod.RenderedTable]
    charts: list[charts_mod.ChartResult]
    edition: edition_mod.Edition
    claims: list[edition_mod.ClaimView] = field(default_factory=list)


@dataclass
class RunReport:
    """What a report run produced: the folders, the data and the Markdown (for artifacts)."""

    run_id: str
    folder: Path
    latest: Path
    report: dict
    validation_md: str
    outputs: ArticleOutputs


def write_run_report(settings: Settings, run_id: str, langs: tuple[str, ...] = formats.LANGS) -> Path:
    """Write every report file of `run_id` and refresh reports/latest/; returns latest/validation.html."""
    return build_run_report(settings, run_id, langs).latest / "validation.html"


def build_run_report(settings: Settings, run_id: str, langs: tuple[str, ...] = formats.LANGS,
                     refresh_latest: bool = True) -> RunReport:
    started = time.perf_counter()
    latest = settings.reports_dir / "latest"
    con = connect_read_only(settings.db_path)
    con.execute("SET enable_progress_bar = false")  # the report is one step of a run: no bars mid-log
    try:
        report = validation.collect(con, run_id)
        key = reuse.report_key(con, langs)
        cached = reuse.load_reusable(latest, key) if refresh_latest else None
        outputs = cached[0] if cached else collect_article_outputs(con, settings, langs)
    finally:
        con.close()
    folder = settings.reports_dir / "runs" / run_id
    tmp = folder.with_name(f".{run_id}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    generated_at = datetime.now(UTC).isoformat(timespec="seconds")
    report_text = json.dumps(report, ensure_ascii=False, default=str)
    if cached:
        # Nothing the article outputs are built from changed: copy them, re-render nothing.
        outputs, font_chars, built_by = cached
        reuse.copy_article_files(latest, tmp)
        font = subset_font(font_chars + report_text, settings.font_cache_dir, static=False)
    else:
        font, font_chars = write_article_outputs(outputs, tmp, settings, run_id, generated_at, langs,
                                                 extra_text=report_text)
        built_by = run_id
    report["article_outputs"] = {"built_by_run": built_by, "reused": bool(cached), "key": key}
    reuse.save(tmp, key, (outputs, font_chars, built_by))
    report["steps"].append({"step": "report", "source": None, "duration_s": round(time.perf_counter() - started, 3)})
    report["article_tables"] = [t.summary() for t in outputs.tables]
    report["charts"] = [c.summary() for c in outputs.charts]
    report["edition"] = {"source_note": outputs.edition.source_note, "claims_note": outputs.edition.claims_note,
                         "claims": outputs.edition.counts}
    report["generated_at"] = generated_at
    extras = {"Article tables": [{"table": t.spec.name, "status": t.status, "rows": t.row_count, "note": t.note}
                                 for t in outputs.tables],
              "Charts": [{"chart": c.spec.suggestion, "status": c.status, "reason": c.reason}
                         for c in outputs.charts]}
    if cached:
        extras["Article outputs"] = [{"built by": f"run {built_by}",
                                      "note": "reused: no loaded snapshot, SQL, page status or code changed since"}]
    validation_md = validation.render_markdown(report, extras)
    (tmp / "validation.md").write_text(validation_md, encoding="utf-8")
    (tmp / "validation.json").write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str),
                                         encoding="utf-8")
    (tmp / "validation.html").write_text(html.render(
        "validation.html.j2", report=report, run=report["run"], tables=outputs.tables, charts=outputs.charts,
        generated_at=generated_at, lang="en", font_css=font.css(), font_family=font.family,
        font_note=font_note(font)), encoding="utf-8")
    _replace_dir(tmp, folder)
    if refresh_latest:
        _refresh_latest(folder, latest)
    return RunReport(run_id, folder, latest, report, validation_md, outputs)


def collect_article_outputs(con: duckdb.DuckDBPyConnection, settings: Settings,
                            langs: tuple[str, ...] = formats.LANGS) -> ArticleOutputs:
    tables = tables_mod.build_all(con, langs)
    charts = charts_mod.build_charts(con)
    edition = edition_mod.build_edition(con, settings, tables, charts)
    claims = [c for s in edition.sections for b in s.blocks for c in b.claims]
    return ArticleOutputs(tables, charts, edition, claims)


def write_article_outputs(outputs: ArticleOutputs, folder: Path, settings: Settings, run_id: str,
                          generated_at: str, langs: tuple[str, ...] = formats.LANGS,
                          extra_text: str = "") -> tuple[CjkFont, str]:
    """Tables, charts and the living edition into `folder`; returns the CJK font subset used for
    the pages, and the CJK characters of the article outputs (what that subset must hold)."""
    folder.mkdir(parents=True, exist_ok=True)
    for table in outputs.tables:
        tables_mod.write_table(table, folder / "tables", langs)
    edition_md = edition_mod.render_markdown(outputs.edition, run_id, generated_at)
    (folder / "article.md").write_text(edition_md, encoding="utf-8")
    corpus = [edition_md, extra_text]
    for table in outputs.tables:
        for content in table.langs.values():
            corpus += [*content.headers, content.footnote, *(c for row in content.rows for c in row)]
        corpus += [table.spec.title_zh, table.note]
    chart_text = "\n".join(c.data.texts(lang) for c in outputs.charts if c.data for lang in langs)
    corpus += [chart_text] + [c.spec.suggestion for c in outputs.charts]
    corpus += [v for pair in STATUS_LABELS.values() for v in pair] + html.template_texts()
    cache = settings.font_cache_dir
    # Pages keep the font variable (fast to cut, browsers pick the weight); charts need it static.
    font_chars = "".join(sorted({c for c in "\n".join(corpus[:1] + corpus[2:]) if needs_cjk_font(c)}))
    font = subset_font(font_chars + extra_text, cache, static=False)
    chart_font = subset_font(chart_text, cache) if chart_text else font
    images = {}
    for chart in outputs.charts:
        if chart.status == "drawn":
            charts_mod.draw_chart(chart, folder / "charts", chart_font, langs)
            lang = "zh" if "zh" in langs else langs[0]
            images[chart.spec.name] = html.png_data_uri(chart.files[f"{lang}.png"])
    (folder / "article.html").write_text(html.render(
        "article.html.j2", edition=outputs.edition, run_id=run_id, generated_at=generated_at, images=images,
        statuses=edition_mod.STATUSES, status_labels=STATUS_LABELS, font_css=font.css(), font_family=font.family,
        font_note=font_note(font)), encoding="utf-8")
    return font, font_chars


def write_as_of(settings: Settings, as_of: str, run_id: str, langs: tuple[str, ...] = formats.LANGS) -> Path:
    """The article's tables, charts and edition as the warehouse knew them on `as_of`."""
    from aipipe.warehouse.asof import as_of_connection

    con = as_of_connection(settings.db_path, as_of)
    try:
        outputs = collect_article_outputs(con, settings, langs)
    finally:
        con.close()
    folder = settings.reports_dir / "as-of" / str(as_of)
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    write_article_outputs(outputs, tmp, settings, f"{run_id} as of {as_of}",
                          datetime.now(UTC).isoformat(timespec="seconds"), langs)
    _replace_dir(tmp, folder)
    return folder


def font_note(font: CjkFont) -> str:
    if not font.available:
        return ("no CJK font found (install aipipe's dependencies, or Debian fonts-noto-cjk): "
                "Chinese characters may show as boxes")
    return f"{font.source.licence}; subset of {font.characters} characters embedded"


def _replace_dir(source: Path, target: Path) -> None:
    """Move `source` to `target`, replacing it (readers see the old folder or the new one)."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    source.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _refresh_latest(folder: Path, latest: Path) -> None:
    tmp = latest.with_name(f".latest.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(folder, tmp)
    (tmp / "RUN_ID").write_text(folder.name + "\n", encoding="utf-8")
    _replace_dir(tmp, latest)


def summary_lines(report: dict, folder: Path, lang: str = "en") -> list[str]:
    """The few lines `aipipe report` prints."""
    run, v = report["run"], report["verdict"]
    if lang == "zh":
        outcome = "失败" if v["failed"] else ("成功（有警告）" if v["warnings"] else "成功")
        lines = [f"运行 {run['run_id']}（{run['started_at']}）：{outcome}，状态 {run['status']}",
                 f"  载入 {run['rows_inserted'] or 0:,} 行，隔离 {run['rows_quarantined'] or 0:,} 行，"
                 f"出错来源 {run['sources_error'] or 0} 个"]
    else:
        outcome = "FAILED" if v["failed"] else ("OK with warnings" if v["warnings"] else "OK")
        lines = [f"run {run['run_id']} ({run['started_at']}): {outcome}, status {run['status']}",
                 f"  rows loaded {run['rows_inserted'] or 0:,}, quarantined {run['rows_quarantined'] or 0:,}, "
                 f"sources errored {run['sources_error'] or 0}"]
    lines += [f"  ! {r}" for r in v["reasons"]] + [f"  ~ {w}" for w in v["warnings"]]
    lines.append(f"  report: {folder}")
    return lines


__all__ = ["write_run_report", "build_run_report", "write_as_of", "summary_lines", "md_escape"]
