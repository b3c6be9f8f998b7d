"""Charts and numbers for reading: CJK text renders (a real font subset, no missing glyphs),
each chart carries title, units and a source line, and charts the data cannot support are
skipped with their reason."""

from __future__ import annotations

import warnings
from pathlib import Path

import duckdb
import pytest
from fontTools.ttLib import TTFont

from aipipe.report import formats
from aipipe.report.charts import CHARTS, build_charts, draw_chart
from aipipe.report.fonts import find_font_source, subset_font
from aipipe.warehouse.sql import apply_sql


def test_a_cjk_font_is_installed_with_aipipe_and_subsets_to_what_is_shown(tmp_path):
    source = find_font_source()
    assert source is not None and source.name == "Noto Sans CJK SC"
    font = subset_font("美国科技巨头资本支出（亿美元）Capex", tmp_path)
    cmap = TTFont(str(font.path)).getBestCmap()
    assert all(ord(ch) in cmap for ch in "美国科技巨头资本支出亿元")
    assert "fvar" not in TTFont(str(font.path))  # static Regular: what matplotlib can draw
    assert font.path.stat().st_size < 200_000
    again = subset_font("美国科技巨头资本支出（亿美元）Capex", tmp_path)
    assert again.path == font.path  # cached by content


def test_charts_render_chinese_without_missing_glyphs(reported_run, tmp_path):
    settings, *_ = reported_run
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        results = build_charts(con)
    finally:
        con.close()
    drawn = [r for r in results if r.status == "drawn"]
    assert any(r.spec.name == "big_tech_capex" for r in drawn)
    text = "\n".join(r.data.texts(lang) for r in drawn for lang in formats.LANGS)
    font = subset_font(text, tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for result in drawn:
            draw_chart(result, tmp_path / "charts", font)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing
    capex = next(r for r in drawn if r.spec.name == "big_tech_capex")
    assert capex.data.title["zh"].startswith("美国科技巨头") and "亿美元" in capex.data.y_label["zh"]
    assert "USD bn" in capex.data.y_label["en"]
    assert capex.data.source["zh"].startswith("来源：SEC") and "数据截至" in capex.data.source["zh"]
    png = Path(capex.files["zh.png"]).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert Path(capex.files["en.svg"]).read_text().lstrip().startswith("<?xml")
    # Series are in 亿 for Chinese and converted to billions for English: META FY2024 capex.
    meta = next(s for s in capex.data.series if s.label == "META")
    assert meta.y[meta.x.index("2024")] == pytest.approx(372.56)  # 37,256,000,000 USD (10-K 0001326801-25-000017)


def test_every_chart_is_skipped_with_a_reason_on_an_empty_warehouse(tmp_path):
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    try:
        apply_sql(con)
        results = build_charts(con)
    finally:
        con.close()
    assert [r.spec.name for r in results] == [c.name for c in CHARTS]
    assert all(r.status == "skipped" and r.reason for r in results)
    concept = next(r for r in results if r.spec.view is None)
    assert "concept" in concept.reason


def test_chart_missing_its_view_is_skipped_not_crashed(tmp_path):
    con = duckdb.connect(str(tmp_path / "bare.duckdb"))
    try:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE VIEW marts.relocations AS SELECT 'X' AS company")  # another shape
        results = {r.spec.name: r for r in build_charts(con)}
    finally:
        con.close()
    assert "does not exist" in results["big_tech_capex"].reason
    assert "lacks the columns" in results["relocations"].reason


@pytest.mark.parametrize(("value", "fmt", "lang", "expected"), [
    (164_501_000_000, "usd", "zh", "1,645.01"),
    (164_501_000_000, "usd", "en", "164.501"),
    (76_800_000_000, "cny", "zh", "768.00"),
    (272_000_000, "count", "en", "272.0"),
    (0.3468, "pct", "en", "34.7%"),
    (None, "usd", "en", ""),
])
def test_cells_are_formatted_for_reading(value, fmt, lang, expected):
    assert formats.cell(value, fmt, lang) == expected


def test_money_and_headers_carry_their_units():
    assert formats.money(91_000_000, "USD", "zh") == "9,100万美元"
    assert formats.money(7_200_000_000, "USD", "zh") == "72亿美元"
    assert formats.money(7_200_000_000, "USD", "en") == "USD 7.2 bn"
    assert formats.header("资本支出", "usd", "zh") == "资本支出（亿美元）"
    assert formats.header("Revenue", "cny", "en") == "Revenue (CNY bn)"
    assert formats.cell(164_501_000_000, "usd", "en", csv=True) == "164.501"
    assert formats.cell(1_645_010_000_000, "usd", "zh", csv=True) == "16450.10"
