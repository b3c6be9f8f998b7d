"""The living edition: the article's sections read at run time, each claim placed under the text
that states it with its check, the regenerated tables and charts — and, without the article's
text, the claims alone. Rendered in headless Chromium."""

from __future__ import annotations

import re
from dataclasses import replace

import duckdb

from aipipe.report.edition import STATUSES, build_edition, parse_blocks


def claim_statuses(settings) -> dict[str, int]:
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        return dict(con.execute("SELECT status, count(*) FROM marts.claim_check GROUP BY ALL").fetchall())
    finally:
        con.close()


def test_article_sections_and_chart_suggestions_are_found(seed_article):
    text = seed_article.read_text(encoding="utf-8")
    title, sections = parse_blocks(text)
    assert title.startswith("OpenAI")
    assert [s.number for s in sections] == ["00", "01", "02", "03", "04", "05", "06"]
    suggestions = [b.suggestion for s in sections for b in s.blocks if b.kind == "chart"]
    assert suggestions == re.findall(r"【配图建议：(.+?)】", text)
    tables = [b for s in sections for b in s.blocks if b.kind == "table"]
    assert tables and tables[0].text[0].startswith("| 公司名")


def test_every_claim_is_shown_once_with_the_warehouse_status(reported_run):
    settings, _, built = reported_run
    edition = built.outputs.edition
    shown = [c for s in edition.sections for b in s.blocks for c in b.claims]
    assert len(shown) == len({c.claim_id for c in shown}) == edition.counts["total"] > 0
    expected = claim_statuses(settings)
    assert {s: edition.counts[s] for s in STATUSES} == {s: expected.get(s, 0) for s in STATUSES}
    # A claim sits under the paragraph whose text states it, when that text is in the article.
    paragraphs = [b for s in edition.sections for b in s.blocks if b.kind in ("paragraph", "list") and b.claims]
    assert paragraphs
    for block in paragraphs:
        joined = "".join(block.text).replace(" ", "")
        assert all(c.context.replace(" ", "") in joined for c in block.claims)


def test_each_link_shows_how_good_its_source_is(reported_run):
    settings, _, built = reported_run
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        tiers = dict(con.execute("SELECT claim_id, source_tier FROM marts.claim_check").fetchall())
    finally:
        con.close()
    shown = {c.claim_id: c for s in built.outputs.edition.sections for b in s.blocks for c in b.claims}
    assert {k: c.source_tier for k, c in shown.items()} == {k: tiers[k] or "" for k in shown}
    html = (settings.reports_dir / "latest" / "article.html").read_text(encoding="utf-8")
    assert set(re.findall(r'data-tier="(\w+)"', html)) == {t for t in tiers.values() if t}
    markdown = (settings.reports_dir / "latest" / "article.md").read_text(encoding="utf-8")
    weak = next(c for c in shown.values() if c.status == "weakly_sourced")
    row = next(line for line in markdown.splitlines() if line.startswith("| **仅二手来源**")
               and weak.entity in line)
    assert "二手 secondary" in row
    # The tables' footnotes name each source's tier beside its link.
    footnote = (settings.reports_dir / "latest" / "tables" / "claim_check.en.md").read_text(encoding="utf-8")
    assert re.search(r"^> - \[.+\]\(https?://.+\).* · (primary|press|secondary)$", footnote, re.MULTILINE)


def test_edition_renders_sections_tables_charts_and_statuses_in_chromium(reported_run, chromium):
    settings, _, built = reported_run
    dom = chromium(settings.reports_dir / "latest" / "article.html")
    for number in ("01", "02", "03", "04", "05", "06"):
        assert f'data-section="{number}"' in dom
    assert 'data-chart="big_tech_capex"' in dom and 'src="data:image/png;base64,' in dom
    assert 'data-table="big_tech_capex"' in dom
    statuses = set(re.findall(r'data-status="(\w+)"', dom))
    assert statuses and statuses <= set(STATUSES)
    assert "<script" not in dom.lower()
    for chart in built.outputs.charts:
        if chart.status == "skipped" and chart.spec.section != "all":
            assert f'data-chart-skipped="{chart.spec.name}"' in dom or chart.spec.suggestion in dom
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', dom))
    assert {k: int(v) for k, v in counts.items()} == {s: built.outputs.edition.counts[s] for s in STATUSES}


def test_without_the_article_text_the_edition_shows_the_claims_alone(reported_run, tmp_path):
    settings, _, built = reported_run
    missing = replace(settings, article_source=str(tmp_path / "gone.txt"))
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        edition = build_edition(con, missing, built.outputs.tables, built.outputs.charts)
    finally:
        con.close()
    assert edition.source is None and "claims alone" in edition.source_note
    assert not any(b.kind == "paragraph" for s in edition.sections for b in s.blocks)
    shown = {c.claim_id for s in edition.sections for b in s.blocks for c in b.claims}
    assert len(shown) == edition.counts["total"] == built.outputs.edition.counts["total"]


def test_edition_markdown_escapes_the_article(reported_run):
    settings, *_ = reported_run
    text = (settings.reports_dir / "latest" / "article.md").read_text()
    assert text.startswith("# OpenAI") and "&lt;script&gt;" in text and "<script" not in text
    assert "## 01 | 美国AI资本狂飙" in text
    assert "](charts/big_tech_capex.zh.svg)" in text
