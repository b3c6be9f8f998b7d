"""The living edition of the article: its sections 01–06 with each table and suggested chart
regenerated from the warehouse, and each figure the article states shown beside the sourced
figure, with its claim-check status and source link.

aipipe does not ship the article's text: it is read at run time from the configured source
(`Settings.article_source` / AIPIPE_ARTICLE, or the article source's config), a local file or
the newest stored snapshot of a URL. Without it, the edition shows the claims alone, by section.

`build_edition` returns plain data (sections → blocks → claims); the Markdown and HTML writers
escape every piece of text, since the article and the sources are text we did not write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from aipipe.report import formats
from aipipe.report.article_tables import STATUS_LABELS
from aipipe.report.charts import ChartResult
from aipipe.report.markdown import md_escape, md_link, split_urls
from aipipe.report.tables import RenderedTable, link_label, table_markdown, tier_label, view_exists
from aipipe.settings import REPO_ROOT, Settings

CLAIM_VIEW = "marts.claim_check"
CLAIM_TABLE = "staging.article_claims"
STATUSES = ("confirmed", "weakly_sourced", "value_differs", "date_differs", "unsourced")
SECTION_HEADING = re.compile(r"^##\s*(\d{2})\s*[|｜]?\s*(.*)$")
SUGGESTION = re.compile(r"【配图建议[：:]\s*(.+?)】")


@dataclass
class ClaimView:
    """One claim as the edition shows it (display text already formatted, not yet escaped)."""

    claim_id: str
    section: str
    entity: str
    metric: str
    article_value: str
    period_claimed: str
    status: str
    sourced_value: str
    sourced_period: str
    sourced_from: str
    source_urls: list[str]
    difference: str
    context: str
    note: str
    source_tier: str = ""  # primary | press | secondary: how good the source shown is

    def status_label(self, lang: str = "zh") -> str:
        labels = STATUS_LABELS.get(self.status)
        return labels[0 if lang == "zh" else 1] if labels else self.status


@dataclass
class Block:
    kind: str  # paragraph | list | table | heading | chart | article_table
    text: list[str] = field(default_factory=list)  # lines (table: raw '|' rows)
    claims: list[ClaimView] = field(default_factory=list)
    chart: ChartResult | None = None
    suggestion: str = ""
    table: RenderedTable | None = None


@dataclass
class Section:
    number: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Edition:
    title: str
    source: str | None  # where the article text came from; None: claims only
    source_note: str
    sections: list[Section]
    counts: dict[str, int]
    claims_note: str


def article_location(settings: Settings) -> str | None:
    """The article's configured path or URL (the article source's own rule when it is installed)."""
    try:
        from aipipe.sources.article.source import configured_location
    except ImportError:
        return settings.article_source
    return configured_location(settings)


def read_article_text(settings: Settings) -> tuple[str | None, str]:
    """(text, note): the article text from a local file, or the newest stored snapshot of its URL."""
    location = article_location(settings)
    if not location:
        return None, "no article source configured (AIPIPE_ARTICLE): showing the claims alone"
    if location.startswith(("http://", "https://")):
        from aipipe.core.snapshots import SnapshotStore

        store = SnapshotStore(settings.data_dir)
        snapshot = store.newest("article:main")
        if snapshot is None or snapshot.url != location:
            return None, f"the article at {location} has no stored snapshot yet: showing the claims alone"
        content = snapshot.read_bytes().decode("utf-8", errors="replace")
        if snapshot.path.suffix in (".html", ".htm") or content.lstrip().startswith("<"):
            content = _html_text(content)
        return content, f"article text from the snapshot of {location} retrieved {snapshot.retrieved_at}"
    path = Path(location.removeprefix("file:"))
    path = path if path.is_absolute() else REPO_ROOT / path
    if not path.is_file():
        return None, f"article file {location} not found: showing the claims alone"
    return path.read_text(encoding="utf-8", errors="replace"), f"article text read from {location}"


def _html_text(content: str) -> str:
    try:
        from aipipe.sources.news.page import extract_page

        page = extract_page(content)
        text = getattr(page, "text", None) or ""
        title = getattr(page, "title", None) or ""
        return (f"# {title}\n\n" if title else "") + text
    except Exception:  # any extraction failure: fall back to the bare text
        from bs4 import BeautifulSoup

        return BeautifulSoup(content, "lxml").get_text("\n")


def load_claims(con: duckdb.DuckDBPyConnection) -> tuple[list[ClaimView], str]:
    """Claims with their check (marts.claim_check), else unchecked claims, else none — and a note."""
    if view_exists(con, CLAIM_VIEW):
        try:
            frame = con.execute(f"SELECT * FROM {CLAIM_VIEW}").df()
            return [_claim_view(r) for r in frame.to_dict("records")], ""
        except duckdb.Error as exc:
            note = f"{CLAIM_VIEW} cannot be read ({str(exc).splitlines()[0]}): claims shown unchecked"
    else:
        note = f"{CLAIM_VIEW} does not exist yet: claims shown unchecked"
    if view_exists(con, CLAIM_TABLE):
        frame = con.execute(f"SELECT * FROM {CLAIM_TABLE}").df()
        return [_claim_view(r) for r in frame.to_dict("records")], note
    return [], f"no claims in this warehouse ({CLAIM_TABLE} missing)"


def _get(record: dict, *names: str) -> object:
    for name in names:
        value = record.get(name)
        if not formats.is_missing(value):
            return value
    return None


def _claim_view(record: dict) -> ClaimView:
    unit = _get(record, "unit")
    article_value = formats.measure(_get(record, "article_value", "value"), unit,
                                    _get(record, "article_currency", "currency"), "zh")
    if unit == "location":
        article_value = " → ".join(str(v) for v in (_get(record, "location_from"), _get(record, "location_to")) if v)
    high = _get(record, "article_value_high", "value_high")
    if high is not None:
        article_value += "–" + formats.measure(high, unit, _get(record, "article_currency", "currency"), "zh")
    sourced = formats.measure(_get(record, "sourced_value", "source_value"), unit,
                              _get(record, "sourced_currency", "article_currency", "currency"), "zh")
    difference = _get(record, "relative_difference", "rel_diff")
    status = str(_get(record, "status") or "unchecked")
    return ClaimView(
        claim_id=str(_get(record, "claim_id") or ""),
        section=str(_get(record, "section") or "00"),
        entity=str(_get(record, "entity") or ""),
        metric=str(_get(record, "metric") or ""),
        article_value=article_value or str(_get(record, "raw") or ""),
        period_claimed=str(_get(record, "period_claimed") or ""),
        status=status,
        sourced_value=sourced,
        sourced_period=str(_get(record, "sourced_period", "source_period") or ""),
        sourced_from=str(_get(record, "sourced_from", "source_label", "publisher") or ""),
        source_urls=split_urls(_get(record, "source_url", "sourced_url", "url")) if status != "unchecked" else [],
        difference="" if difference is None else f"{float(difference) * 100:+.1f}%",
        context=str(_get(record, "context") or ""),
        note=str(_get(record, "note") or ""),
        source_tier=str(_get(record, "source_tier") or "") if status != "unchecked" else "",
    )


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text)


def parse_blocks(text: str) -> tuple[str, list[Section]]:
    """The article's title and its sections (00 = title and lede), as blocks of lines."""
    title = ""
    sections = [Section("00", "")]
    current: Block | None = None
    for raw in text.splitlines():
        line = raw.strip()
        heading = SECTION_HEADING.match(line)
        if heading:
            sections.append(Section(heading.group(1), heading.group(2).strip()))
            current = None
            continue
        if line.startswith("# ") and not title:
            title = line[2:].strip()
            continue
        suggestion = SUGGESTION.search(line)
        if suggestion:
            sections[-1].blocks.append(Block("chart", suggestion=suggestion.group(1).strip()))
            current = None
            continue
        if not line or line in ("---", "***"):
            current = None
            continue
        kind = ("heading" if line.startswith("#") else "list" if line.startswith(("- ", "* "))
                else "table" if line.startswith("|") else "quote" if line.startswith(">") else "paragraph")
        content = line.lstrip("#>").strip() if kind in ("heading", "quote") else line
        content = content[2:] if kind == "list" else content
        if kind == "table" and re.fullmatch(r"[|\s:-]+", line):
            continue  # the Markdown table's separator row
        if current is None or current.kind != kind or kind in ("paragraph", "heading", "quote"):
            current = Block(kind)
            sections[-1].blocks.append(current)
        current.text.append(content)
    return title, sections


def build_edition(con: duckdb.DuckDBPyConnection, settings: Settings, tables: list[RenderedTable],
                  charts: list[ChartResult], text: str | None = None, source_note: str = "") -> Edition:
    """Sections with the article's blocks, its claims placed where they are stated, and the
    regenerated tables and charts. `text` None reads the configured article source."""
    if text is None:
        text, source_note = read_article_text(settings)
    claims, claims_note = load_claims(con)
    counts = {s: sum(c.status == s for c in claims) for s in STATUSES}
    counts["total"] = len(claims)
    if text:
        title, sections = parse_blocks(text)
    else:
        title = "aipipe: the article's figures, checked"
        numbers = sorted({c.section for c in claims} | {t.spec.section for t in tables if t.spec.section != "all"})
        sections = [Section(n, "") for n in numbers]
    by_suggestion = {_normal(c.spec.suggestion): c for c in charts}
    placed_claims: set[str] = set()
    placed_charts: set[str] = set()
    for section in sections:
        section_claims = [c for c in claims if c.section == section.number]
        for block in section.blocks:
            if block.kind == "chart":
                block.chart = by_suggestion.get(_normal(block.suggestion))
                if block.chart is not None:
                    placed_charts.add(block.chart.spec.name)
                continue
            joined = _normal(" ".join(block.text))
            for claim in section_claims:
                context = _normal(claim.context)
                if claim.claim_id not in placed_claims and context and (context in joined or (
                        block.kind == "table" and any(_normal(cell) in context for cell in block.text[:1]))):
                    block.claims.append(claim)
                    placed_claims.add(claim.claim_id)
        for table in tables:
            if table.spec.section == section.number and table.status != "skipped":
                section.blocks.append(Block("article_table", table=table))
        for chart in charts:
            if chart.spec.section == section.number and chart.spec.name not in placed_charts:
                section.blocks.append(Block("chart", suggestion=chart.spec.suggestion, chart=chart))
                placed_charts.add(chart.spec.name)
        rest = [c for c in section_claims if c.claim_id not in placed_claims]
        if rest:
            section.blocks.append(Block("claims", claims=rest))
            placed_claims.update(c.claim_id for c in rest)
    orphans = [c for c in claims if c.claim_id not in placed_claims]
    if orphans:
        sections.append(Section("—", "其他数字 / other figures", [Block("claims", claims=orphans)]))
    return Edition(title, article_location(settings) if text else None, source_note, sections, counts, claims_note)


def render_markdown(edition: Edition, run_id: str, generated_at: str) -> str:
    """The edition as Markdown: the article's text escaped, each claim under the text stating it."""
    lines = [f"# {md_escape(edition.title)}", "",
             f"_aipipe 活版（living edition）· run {md_escape(run_id)} · {md_escape(generated_at)}_", "",
             f"> {md_escape(edition.source_note)}"]
    if edition.claims_note:
        lines.append(f"> {md_escape(edition.claims_note)}")
    lines += ["", "**核对结果 / claim check:** " + " · ".join(
        f"{STATUS_LABELS[s][0]} {s}: {edition.counts.get(s, 0)}" for s in STATUSES)
        + f" · 共 total {edition.counts.get('total', 0)}", ""]
    for section in edition.sections:
        heading = f"## {md_escape(section.number)}" + (f" | {md_escape(section.title)}" if section.title else "")
        lines += [heading, ""]
        for block in section.blocks:
            lines += _block_markdown(block)
    return "\n".join(lines) + "\n"


def _block_markdown(block: Block) -> list[str]:
    if block.kind == "paragraph":
        out = [md_escape(" ".join(block.text)), ""]
    elif block.kind == "quote":
        out = ["> " + md_escape(" ".join(block.text)), ""]
    elif block.kind == "heading":
        out = [f"### {md_escape(' '.join(block.text))}", ""]
    elif block.kind == "list":
        out = [f"- {md_escape(item)}" for item in block.text] + [""]
    elif block.kind == "table":
        rows = [[cell.strip() for cell in row.strip().strip("|").split("|")] for row in block.text]
        out = ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows[:1]]
        out += ["|" + "|".join("---" for _ in rows[0]) + "|"] if rows else []
        out += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows[1:]] + [""]
    elif block.kind == "chart":
        out = _chart_markdown(block)
    elif block.kind == "article_table":
        lang = "zh" if "zh" in block.table.langs else next(iter(block.table.langs), "zh")
        out = table_markdown(block.table, lang, heading_level=4)
    else:
        out = []
    if block.claims:
        out += _claims_markdown(block.claims)
    return out


def _chart_markdown(block: Block) -> list[str]:
    chart = block.chart
    label = f"【配图建议：{block.suggestion}】"
    if chart is None:
        return [f"_{md_escape(label)} 无对应图表 (no chart for this suggestion)_", ""]
    if chart.status != "drawn":
        return [f"_{md_escape(label)} 未生成 (skipped): {md_escape(chart.reason)}_", ""]
    return [f"![{md_escape(chart.data.title['zh'])}](charts/{chart.spec.name}.zh.svg)", "",
            f"_{md_escape(chart.data.source['zh'])}_ · [PNG](charts/{chart.spec.name}.zh.png)", ""]


def _claims_markdown(claims: list[ClaimView]) -> list[str]:
    lines = ["| 核对 check | 文中 article | 文中时间 | 来源数字 sourced | 来源时间 | 差异 | 来源 source |",
             "|---|---|---|---|---|---|---|"]
    for c in claims:
        links = (" ".join(md_link(c.sourced_from or link_label(u), u) for u in c.source_urls)
                 or md_escape(c.sourced_from))
        if c.source_tier:
            links += f" · {md_escape(tier_label(c.source_tier))} {md_escape(c.source_tier)}"
        lines.append("| " + " | ".join([
            f"**{md_escape(c.status_label())}**", md_escape(f"{c.entity} {c.article_value}"),
            md_escape(c.period_claimed), md_escape(c.sourced_value), md_escape(c.sourced_period),
            md_escape(c.difference), links]) + " |")
    return lines + [""]


def claims_frame(claims: list[ClaimView]) -> pd.DataFrame:
    return pd.DataFrame([c.__dict__ for c in claims])
