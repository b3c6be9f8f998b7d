"""Render the article's tables (aipipe.report.article_tables) from the warehouse, in Chinese and English,
as Markdown (with a footnote naming sources and as-of dates) and CSV.

`build_table` reads one view and returns a `RenderedTable` (headers, cells, footnote per
language) or a skip note; `write_table` writes `tables/<name>.<lang>.md` and `.csv`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from aipipe.report import formats
from aipipe.report.article_tables import AS_OF, PUBLISHER, TABLES, TIER_LABELS, URL, ArticleTable, Column
from aipipe.report.markdown import md_escape, md_link, split_urls


@dataclass
class LangTable:
    headers: list[str]
    rows: list[list[str]]  # Markdown/HTML display cells (text; escaping happens at output)
    csv_rows: list[list[str]]
    links: list[list[list[str]]]  # per cell: the http(s) URLs of a 'url' column, else []
    footnote: str
    sources: list[tuple[str, str, str]]  # (source, url, as_of)


@dataclass
class RenderedTable:
    spec: ArticleTable
    status: str  # written | empty | skipped
    note: str = ""
    columns: list[str] = field(default_factory=list)  # view columns used
    missing_columns: list[str] = field(default_factory=list)
    langs: dict[str, LangTable] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    row_count: int = 0
    as_of: str | None = None

    def summary(self) -> dict:
        return {"name": self.spec.name, "view": self.spec.view, "section": self.spec.section,
                "title_zh": self.spec.title_zh, "title_en": self.spec.title_en, "status": self.status,
                "rows": self.row_count, "as_of": self.as_of, "note": self.note,
                "missing_columns": self.missing_columns, "files": self.files,
                "footnote": {lang: t.footnote for lang, t in self.langs.items()}}


def view_exists(con: duckdb.DuckDBPyConnection, view: str) -> bool:
    schema, _, name = view.partition(".")
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, name]).fetchall()[0][0])


def read_view(con: duckdb.DuckDBPyConnection, spec: ArticleTable) -> pd.DataFrame:
    sql = f"SELECT * FROM {spec.view}"
    if spec.where:
        sql += f" WHERE {spec.where}"
    if spec.order_by:
        sql += f" ORDER BY {spec.order_by}"
    return con.execute(sql).df()


def build_table(con: duckdb.DuckDBPyConnection, spec: ArticleTable, langs=formats.LANGS) -> RenderedTable:
    """Read `spec.view` and format it; a missing or broken view gives a skipped table with a note."""
    if not view_exists(con, spec.view):
        return RenderedTable(spec, "skipped", f"{spec.view} does not exist in this warehouse yet")
    try:
        frame = read_view(con, spec)
    except duckdb.Error as exc:
        return RenderedTable(spec, "skipped", f"{spec.view} cannot be read: {str(exc).splitlines()[0]}")
    chosen, missing = _resolve_columns(spec.columns, frame)
    result = RenderedTable(spec, "written", columns=[c for _, c in chosen], missing_columns=missing,
                           row_count=len(frame))
    if len(chosen) < 2:
        # The view has another shape than the registry expects: show it as it is, and say so.
        chosen = [(Column(c, c, c), c) for c in frame.columns]
        result.note = (f"{spec.view} has none of the registry's columns "
                       f"({', '.join(c.name for c in spec.columns)}); shown with its own column names")
    elif missing:
        result.note = f"{spec.view} lacks {', '.join(missing)}: left out"
    if not len(frame):
        result.status = "empty"
        result.note = (result.note + "; " if result.note else "") + f"{spec.view} has no rows"
    sources = _footnote_rows(con, spec, frame)
    result.as_of = max((s[2] for s in sources if s[2]), default=None)
    for lang in langs:
        result.langs[lang] = _lang_table(spec, frame, chosen, lang, sources)
    return result


def _resolve_columns(columns: tuple[Column, ...], frame: pd.DataFrame) -> tuple[list[tuple[Column, str]], list[str]]:
    chosen, missing, used = [], [], set()
    for column in columns:
        found = next((c for c in column.candidates if c in frame.columns and c not in used), None)
        if found is None:
            missing.append(column.name)
        else:
            used.add(found)
            chosen.append((column, found))
    return chosen, missing


def _lang_table(spec: ArticleTable, frame: pd.DataFrame, chosen: list[tuple[Column, str]], lang: str,
                sources: list[tuple[str, str, str]]) -> LangTable:
    headers = [formats.header(col.zh if lang == "zh" else col.en, col.fmt, lang) for col, _ in chosen]
    rows, csv_rows, links = [], [], []
    records = frame.to_dict("records")
    for record in records:
        row, csv_row, link_row = [], [], []
        for col, name in chosen:
            value = record.get(name)
            currency = _first(record, col.currency_column)
            unit = _first(record, col.unit_column)
            if col.fmt == "url":
                urls = split_urls(value)
                text = "" if formats.is_missing(value) else str(value)
                row.append(" ".join(urls) if urls else text)
                csv_row.append(text)
                link_row.append(urls)
                continue
            if col.values and not formats.is_missing(value) and str(value) in col.values:
                label = col.values[str(value)][0 if lang == "zh" else 1]
                row.append(label)
                csv_row.append(label)
            else:
                row.append(formats.cell(value, col.fmt, lang, currency=currency, unit=unit))
                csv_row.append(formats.cell(value, col.fmt, lang, csv=True, currency=currency, unit=unit))
            link_row.append([])
        rows.append(row)
        csv_rows.append(csv_row)
        links.append(link_row)
    return LangTable(headers, rows, csv_rows, links, _footnote_text(spec, sources, lang), sources)


def _first(record: dict, candidates: tuple[str, ...]) -> str | None:
    for name in candidates:
        value = record.get(name)
        if not formats.is_missing(value):
            return str(value)
    return None


def _footnote_rows(con: duckdb.DuckDBPyConnection, spec: ArticleTable,
                   frame: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """(source, url, as_of, tier) per cited source; tier is "" where the view does not say.

    The footnote query runs over the rows already read (the table's own rows), not the view again."""
    if spec.footnote_sql:
        con.register("_footnote_rows", frame)
        try:
            rows = con.execute(spec.footnote_sql.format(view="_footnote_rows")).fetchall()
            return [(str(r[0] or ""), str(r[1] or ""), str(r[2] or ""), str((r[3] if len(r) > 3 else "") or ""))
                    for r in rows if r[0]]
        except duckdb.Error:
            pass  # the view lacks the cited columns: derive what we can from the frame
        finally:
            con.unregister("_footnote_rows")
    pick = {}
    for column in (PUBLISHER, URL, AS_OF):
        pick[column.name] = next((c for c in column.candidates if c in frame.columns), None)
    if not pick["publisher"] and not pick["url"]:
        return []
    seen, rows = set(), []
    for record in frame.to_dict("records"):
        source = record.get(pick["publisher"]) if pick["publisher"] else None
        url = record.get(pick["url"]) if pick["url"] else None
        as_of = record.get(pick["as_of"]) if pick["as_of"] else None
        key = (_text(source), _text(url), _text(as_of)[:10], _text(record.get("source_tier")))
        if (key[0] or key[1]) and key not in seen:
            seen.add(key)
            rows.append(key)
    return rows


def _text(value: object) -> str:
    return "" if formats.is_missing(value) else str(value)


def _footnote_text(spec: ArticleTable, sources: list[tuple[str, str, str, str]], lang: str) -> str:
    """Plain-text footnote (the Markdown and HTML writers add links and escaping)."""
    names = []
    for source, _url, _as_of, _tier in sources:
        if source and source not in names:
            names.append(source)
    as_of = max((a[:10] for _, _, a, _ in sources if a), default="")
    note = spec.note_zh if lang == "zh" else spec.note_en
    if lang == "zh":
        text = "来源：" + ("；".join(names) if names else "无（未找到来源）") + "。"
        if as_of:
            text += f"数据截至 {as_of}。"
    else:
        text = "Sources: " + ("; ".join(names) if names else "none found") + "."
        if as_of:
            text += f" Data as of {as_of}."
    return f"{text} {note}".strip()


def table_markdown(table: RenderedTable, lang: str, heading_level: int = 2) -> list[str]:
    """A Markdown block: heading, the table (every cell escaped), the footnote with source links."""
    spec = table.spec
    lines = [f"{'#' * heading_level} {md_escape(spec.title(lang))}", ""]
    if table.status == "skipped" or lang not in table.langs:
        skipped = "本表暂缺" if lang == "zh" else "Table not available"
        return lines + [f"_{skipped}: {md_escape(table.note)}_", ""]
    content = table.langs[lang]
    lines.append("| " + " | ".join(md_escape(h) for h in content.headers) + " |")
    lines.append("|" + "|".join("---" for _ in content.headers) + "|")
    for row, link_row in zip(content.rows, content.links, strict=True):
        cells = [" ".join(md_link(link_label(u), u) for u in links) if links else md_escape(cell)
                 for cell, links in zip(row, link_row, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    if not content.rows:
        lines.append("")
        lines.append("_" + ("暂无数据" if lang == "zh" else "No rows yet") + "_")
    lines += ["", "> " + md_escape(content.footnote)]
    for source, url, as_of, tier in [s for s in content.sources if split_urls(s[1])][:30]:
        targets = split_urls(url)
        names = [n.strip() for n in source.split(";")] if source else []
        if len(names) != len(targets):
            names = [source or link_label(u) for u in targets]
        linked = ", ".join(md_link(n or link_label(u), u) for n, u in zip(names, targets, strict=True))
        lines.append(f"> - {linked}" + (f" ({md_escape(as_of[:10])})" if as_of else "")
                     + (f" · {md_escape(tier_label(tier, lang))}" if tier else ""))
    if table.note:
        lines.append("> " + md_escape(("注：" if lang == "zh" else "Note: ") + table.note))
    lines.append("")
    return lines


def tier_label(tier: str, lang: str = "zh") -> str:
    """How a source's tier reads beside its link: 一手 primary, 媒体 press, 二手 secondary."""
    labels = TIER_LABELS.get(tier)
    return (labels[0] if lang == "zh" else labels[1]) if labels else tier


def link_label(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url


def write_table(table: RenderedTable, folder: Path, langs=formats.LANGS) -> dict[str, str]:
    """Write `<name>.<lang>.md` and `<name>.<lang>.csv`; returns {"zh.md": path, ...}."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for lang in langs:
        md_path = folder / f"{table.spec.name}.{lang}.md"
        md_path.write_text("\n".join(table_markdown(table, lang, heading_level=1)), encoding="utf-8")
        files[f"{lang}.md"] = str(md_path)
        if lang in table.langs:
            csv_path = folder / f"{table.spec.name}.{lang}.csv"
            with csv_path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(table.langs[lang].headers)
                writer.writerows(table.langs[lang].csv_rows)
            files[f"{lang}.csv"] = str(csv_path)
    table.files = files
    return files


def build_all(con: duckdb.DuckDBPyConnection, langs=formats.LANGS) -> list[RenderedTable]:
    return [build_table(con, spec, langs) for spec in TABLES]
