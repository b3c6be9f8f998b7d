"""The article's suggested figures (【配图建议】), drawn from the warehouse with matplotlib as PNG
and SVG, in Chinese and English, each with a title, axis units, a source line and an as-of date.

Each chart is an entry in CHARTS: the article's suggestion text, the mart it reads and a builder
that turns the mart into `ChartData` — or returns the reason it cannot (view missing, columns
missing, no rows, or a concept sketch with no data behind it). Drawing is separate
(`draw_chart`), so every label is known before the CJK font subset is cut.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from aipipe.report import formats
from aipipe.report.fonts import CjkFont
from aipipe.report.tables import view_exists
from aipipe.settings import CONFIG_DIR

SOURCE_GREY = "#555555"
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


@dataclass
class Series:
    label: str
    x: list
    y: list[float | None]
    dashed: bool = False
    labels: list[str] = field(default_factory=list)  # per-point text (scatter, routes)


@dataclass
class ChartData:
    """Everything a chart shows, per language, already in display units."""

    kind: str  # bars | lines | scatter | bars_line | routes
    title: dict[str, str]
    x_label: dict[str, str]
    y_label: dict[str, str]  # with unit
    series: list[Series]
    source: dict[str, str]  # the source line, with the as-of date
    categories: list[str] = field(default_factory=list)  # bars: x groups
    y2_label: dict[str, str] = field(default_factory=dict)
    series2: list[Series] = field(default_factory=list)  # bars_line: the line on the right axis
    log: bool = False

    def texts(self, lang: str) -> str:
        parts = [self.title[lang], self.x_label.get(lang, ""), self.y_label.get(lang, ""),
                 self.source[lang], self.y2_label.get(lang, ""), *self.categories]
        for series in [*self.series, *self.series2]:
            parts += [series.label, *map(str, series.labels), *map(str, series.x)]
        return "\n".join(parts)


@dataclass(frozen=True)
class ChartSpec:
    name: str
    section: str
    suggestion: str  # the article's 【配图建议：…】 text
    view: str | None
    build: Callable[[duckdb.DuckDBPyConnection, str], ChartData | str]


@dataclass
class ChartResult:
    spec: ChartSpec
    status: str  # drawn | skipped
    reason: str = ""
    data: ChartData | None = None
    files: dict[str, str] = field(default_factory=dict)  # "zh.png" -> path

    def summary(self) -> dict:
        return {"name": self.spec.name, "section": self.spec.section, "suggestion": self.spec.suggestion,
                "view": self.spec.view, "status": self.status, "reason": self.reason, "files": self.files}


def _columns(frame: pd.DataFrame, view: str, wanted: dict[str, tuple[str, ...]]) -> dict[str, str] | str:
    """Map each wanted role to a column of `frame` (first alias present), or say what is missing."""
    found, missing = {}, []
    for role, candidates in wanted.items():
        name = next((c for c in candidates if c in frame.columns), None)
        if name is None:
            missing.append(f"{role} ({' / '.join(candidates)})")
        else:
            found[role] = name
    if missing:
        return f"{view} lacks the columns this chart needs: {', '.join(missing)}"
    return found


def _load(con: duckdb.DuckDBPyConnection, view: str,
          wanted: dict[str, tuple[str, ...]]) -> tuple[pd.DataFrame, dict[str, str]] | str:
    """The view's rows and the column for each wanted role, or the reason the chart is skipped."""
    frame = _read(con, view)
    if isinstance(frame, str):
        return frame
    cols = _columns(frame, view, wanted)
    return cols if isinstance(cols, str) else (frame, cols)


def _read(con: duckdb.DuckDBPyConnection, view: str) -> pd.DataFrame | str:
    if not view_exists(con, view):
        return f"{view} does not exist in this warehouse yet"
    try:
        frame = con.execute(f"SELECT * FROM {view}").df()
    except duckdb.Error as exc:
        return f"{view} cannot be read: {str(exc).splitlines()[0]}"
    if not len(frame):
        return f"{view} has no rows"
    return frame


def _source_line(names: list[str], as_of: str | None) -> dict[str, str]:
    names = [n for n in dict.fromkeys(n for n in names if n)]
    shown = names[:4] + ([f"+{len(names) - 4}"] if len(names) > 4 else [])
    zh = "来源：" + "；".join(shown) + (f"　数据截至 {as_of}" if as_of else "")
    en = "Source: " + "; ".join(shown) + (f"  ·  data as of {as_of}" if as_of else "")
    return {"zh": zh, "en": en}


def _max_date(values) -> str | None:
    texts = [str(v)[:10] for v in values if not formats.is_missing(v)]
    return max(texts) if texts else None


@functools.cache
def _chart_text() -> dict[str, dict]:
    return tomllib.loads((CONFIG_DIR / "charts.toml").read_text(encoding="utf-8"))


def _chart(name: str, series: list[Series], source: dict[str, str], **extra) -> ChartData:
    """The chart `name` with its wording from config/charts.toml."""
    text = _chart_text()[name]
    return ChartData(text["kind"], text["title"], text["x_label"], text["y_label"], series, source, **extra)


def big_tech_capex(con: duckdb.DuckDBPyConnection, view: str) -> ChartData | str:
    loaded = _load(con, view, {"ticker": ("ticker",), "year": ("fiscal_year",), "capex": ("capex_usd",),
                                  "row_type": ("row_type",), "filed": ("capex_filed", "period_end")})
    if isinstance(loaded, str):
        return loaded
    frame, cols = loaded
    rows = frame[(frame[cols["row_type"]] == "company") & frame[cols["capex"]].notna()]
    if not len(rows):
        return f"{view} has no company rows with capex"
    years = sorted(int(y) for y in rows[cols["year"]].dropna().unique())
    series = []
    for ticker, group in rows.groupby(cols["ticker"], sort=True):
        by_year = dict(zip(group[cols["year"]].astype(int), group[cols["capex"]], strict=True))
        series.append(Series(str(ticker), [str(y) for y in years], [_scale(by_year.get(y), "usd") for y in years]))
    return _chart(
        "big_tech_capex",
        series,
        _source_line(["SEC EDGAR XBRL 10-K"], _max_date(rows[cols["filed"]])),
        categories=[str(y) for y in years],
    )


def frontier_lab_revenue(con: duckdb.DuckDBPyConnection, view: str) -> ChartData | str:
    loaded = _load(con, view, {"entity": ("entity", "company"), "date": ("as_of_date", "period_end", "as_of"),
                                  "value": ("run_rate_usd", "value_usd", "value"),
                                  "basis": ("basis", "is_projection"), "publisher": ("publisher", "source_label")})
    if isinstance(loaded, str):
        return loaded
    frame, cols = loaded
    frame = frame[frame[cols["entity"]].isin(["OpenAI", "Anthropic"]) & frame[cols["value"]].notna()].copy()
    if not len(frame):
        return f"{view} has no OpenAI or Anthropic points"
    frame["_date"] = pd.to_datetime(frame[cols["date"]].astype(str).str[:10], errors="coerce")
    frame = frame[frame["_date"].notna()].sort_values("_date")
    projected = frame[cols["basis"]].astype(str).isin(["projection", "True", "true"])
    series = []
    for entity in ("OpenAI", "Anthropic"):
        for is_projection in (False, True):
            part = frame[(frame[cols["entity"]] == entity) & (projected == is_projection)]
            if not len(part):
                continue
            part = part.groupby("_date", as_index=False)[cols["value"]].max()
            suffix = {"zh": "（预测）", "en": " (projection)"} if is_projection else {"zh": "", "en": ""}
            series.append(Series(entity + suffix["en"], list(part["_date"]),
                                 [_scale(v, "usd") for v in part[cols["value"]]], dashed=is_projection,
                                 labels=[entity + suffix["zh"]]))
    return _chart(
        "frontier_lab_revenue",
        series,
        _source_line(list(frame[cols["publisher"]].dropna().astype(str)), _max_date(frame["_date"])),
    )


def b2b_valuation_arr(con: duckdb.DuckDBPyConnection, view: str) -> ChartData | str:
    """Valuation against ARR (log-log), sourced figures filled, the article's own figures hollow."""
    loaded = _load(con, view, {"entity": ("company", "entity", "name"),
                                  "article_valuation": ("article_valuation_usd",), "article_arr": ("article_arr_usd",),
                                  "valuation": ("sourced_valuation_usd", "valuation_usd"),
                                  "arr": ("sourced_arr_usd", "arr_usd")})
    if isinstance(loaded, str):
        return loaded
    frame, cols = loaded
    sourced, article_only, names = [], [], []
    for record in frame.to_dict("records"):
        valuation, arr = record.get(cols["valuation"]), record.get(cols["arr"])
        both = not formats.is_missing(valuation) and not formats.is_missing(arr)
        if not both:
            valuation, arr = record.get(cols["article_valuation"]), record.get(cols["article_arr"])
        if formats.is_missing(valuation) or formats.is_missing(arr):
            continue
        (sourced if both else article_only).append((str(record[cols["entity"]]), arr, valuation))
        for c in ("valuation_source", "arr_source"):
            if both and not formats.is_missing(record.get(c)):
                names.append(str(record[c]))
    if not sourced and not article_only:
        return f"{view} has no company with both a valuation and an ARR"
    dates = [v for c in ("valuation_as_of", "arr_as_of") if c in frame.columns for v in frame[c]]
    series = [Series(label, [_scale(p[1], "usd") for p in points], [_scale(p[2], "usd") for p in points],
                     dashed=label == "article only", labels=[p[0] for p in points])
              for label, points in (("sourced", sourced), ("article only", article_only)) if points]
    return _chart(
        "b2b_valuation_arr",
        series,
        _source_line(names + (["原文 the article (空心点 hollow)"] if article_only else []), _max_date(dates)),
        log=True,
    )


def china_app_financials(con: duckdb.DuckDBPyConnection, view: str) -> ChartData | str:
    """China's AI-application sector: revenue (bars) and net profit (line) per period, in CNY."""
    loaded = _load(con, view, {"side": ("side", "region", "country"), "period": ("period",),
                                  "metric": ("metric",), "value": ("value_cny",), "source": ("source", "publisher")})
    if isinstance(loaded, str):
        return loaded
    frame, cols = loaded
    china = frame[frame[cols["side"]].astype(str).isin(["China", "CN", "中国"])
                  & frame[cols["metric"]].isin(["revenue", "net_profit"]) & frame[cols["value"]].notna()]
    if not len(china):
        return f"{view} has no China revenue or net profit in CNY"
    order = "period_end" if "period_end" in china.columns else cols["period"]
    periods = list(dict.fromkeys(china.sort_values(order)[cols["period"]].astype(str)))
    values = {(str(r[cols["period"]]), r[cols["metric"]]): r[cols["value"]] for r in china.to_dict("records")}
    basis = sorted(set(china["basis"].astype(str))) if "basis" in china.columns else []
    return _chart(
        "china_app_financials",
        [Series("revenue", periods, [_scale(values.get((p, "revenue")), "cny") for p in periods])],
        _source_line([*china[cols["source"]].dropna().astype(str)] + [f"basis: {b}" for b in basis],
                     _max_date(china["period_end"]) if "period_end" in china.columns else None),
        categories=periods,
        y2_label={"zh": "归母净利润（亿元）", "en": "Net profit (CNY bn)"},
        series2=[Series("net profit", periods, [_scale(values.get((p, "net_profit")), "cny") for p in periods])],
    )


def relocations(con: duckdb.DuckDBPyConnection, view: str) -> ChartData | str:
    """Who moved where: origin → destination per company (origin left blank when not stated)."""
    loaded = _load(con, view, {"entity": ("company", "entity", "name"),
                                  "from": ("moved_from", "location_from", "origin"),
                                  "to": ("moved_to", "location_to", "destination"),
                                  "source": ("sourced_from", "publisher", "source")})
    if isinstance(loaded, str):
        return loaded
    frame, cols = loaded
    frame = frame[frame[cols["to"]].notna()]
    if not len(frame):
        return f"{view} has no move with a destination"
    origins = ["?" if formats.is_missing(v) else str(v) for v in frame[cols["from"]]]
    # Each point: x = origin, label = "company<TAB>destination" (drawn by _routes).
    labels = [f"{e}\t{t}" for e, t in zip(frame[cols["entity"]].astype(str), frame[cols["to"]].astype(str),
                                             strict=True)]
    dates = [v for c in ("sourced_date", "as_of") if c in frame.columns for v in frame[c]]
    return _chart(
        "relocations",
        [Series("moves", origins, [None] * len(frame), labels=labels)],
        _source_line(list(frame[cols["source"]].dropna().astype(str)), _max_date(dates)),
    )


def us_vs_china_capex(con: duckdb.DuckDBPyConnection, view: str) -> ChartData | str:
    """US big-tech capex beside China's AI capex estimates, per year, in USD."""
    loaded = _load(con, view, {"year": ("year", "calendar_year"), "country": ("country", "region"),
                                  "value": ("capex_usd", "value_usd"), "source": ("source", "publisher")})
    if isinstance(loaded, str):
        return loaded
    frame, cols = loaded
    usable = frame[frame[cols["value"]].notna()]
    if usable[cols["country"]].nunique() < 2:
        missing = sorted(set(frame[cols["country"]].astype(str)) - set(usable[cols["country"]].astype(str)))
        why = "; ".join(sorted(set(frame.loc[frame[cols["value"]].isna(), "fx_method"].dropna().astype(str)))) \
            if "fx_method" in frame.columns else ""
        return (f"{view}: no USD amount for {', '.join(missing) or 'one side'}"
                + (f" ({why})" if why else "") + ": a one-sided comparison is not drawn")
    years = [str(int(y)) for y in sorted(usable[cols["year"]].unique())]
    series = []
    for country, group in usable.groupby(cols["country"], sort=True):
        by_year = group.groupby(cols["year"])[cols["value"]].max()
        series.append(Series(str(country), years, [_scale(by_year.get(int(y)), "usd") for y in years]))
    return _chart(
        "us_vs_china_capex",
        series,
        _source_line(list(usable[cols["source"]].dropna().astype(str)), years[-1] if years else None),
        categories=years,
    )


def concept_only(con: duckdb.DuckDBPyConnection, view: str) -> str:
    return "a concept illustration in the article, with no figures behind it: nothing to regenerate"


def _scale(value: object, fmt: str) -> float | None:
    # Charts draw Chinese in 亿 and English in billions; both series are built in 亿 here and
    # converted at draw time (see _lang_values).
    return formats.scaled(value, fmt, "zh")


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("big_tech_capex", "01", "美国科技巨头AI资本支出对比图", "marts.big_tech_capex", big_tech_capex),
    ChartSpec("frontier_lab_revenue", "02", "OpenAI与Anthropic收入增长曲线", "marts.frontier_lab_revenue",
              frontier_lab_revenue),
    ChartSpec("b2b_valuation_arr", "02", "美国AI B端公司估值与收入表格", "marts.b2b_valuation_arr",
              b2b_valuation_arr),
    ChartSpec("china_app_financials", "03", "国内AI应用营收与利润变化趋势图", "marts.china_us_app_financials",
              china_app_financials),
    ChartSpec("relocations", "03", "国内AI公司外迁路线图", "marts.relocations", relocations),
    ChartSpec("us_vs_china_paths", "04", "中美互联网与AI产业路径对比图", "marts.ai_capex_us_vs_china",
              us_vs_china_capex),
    ChartSpec("global_commercialisation_paths", "06", "全球AI产业商业化路径演化示意图", None, concept_only),
)


def build_charts(con: duckdb.DuckDBPyConnection) -> list[ChartResult]:
    results = []
    for spec in CHARTS:
        try:
            data = spec.build(con, spec.view or "")
        except (duckdb.Error, KeyError, ValueError, TypeError) as exc:
            data = f"{spec.view}: unexpected data: {type(exc).__name__}: {exc}"
        if isinstance(data, str):
            results.append(ChartResult(spec, "skipped", data))
        else:
            results.append(ChartResult(spec, "drawn", data=data))
    return results


def draw_chart(result: ChartResult, folder: Path, font: CjkFont, langs=formats.LANGS) -> dict[str, str]:
    """Write `<name>.<lang>.png` and `.svg` for a chart that has data."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    rc = {"font.family": font.matplotlib_family(), "svg.hashsalt": "aipipe", "axes.spines.top": False,
          "axes.spines.right": False, "axes.unicode_minus": False}
    for lang in langs:
        with plt.rc_context(rc):
            fig = _figure(result.data, lang)
            for suffix, kwargs in ((".png", {"dpi": 150}), (".svg", {"metadata": {"Date": None}})):
                path = folder / f"{result.spec.name}.{lang}{suffix}"
                fig.savefig(path, **kwargs)
                files[f"{lang}{suffix}"] = str(path)
            plt.close(fig)
    result.files = files
    return files


def _lang_values(values: list[float | None], lang: str) -> list[float]:
    # Series are in 亿 (1e8); English charts show billions (1e9).
    factor = 1.0 if lang == "zh" else 0.1
    return [float("nan") if v is None else v * factor for v in values]


def _figure(data: ChartData, lang: str):
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5.2))
    fig.subplots_adjust(left=0.1, right=0.95 if data.kind != "bars_line" else 0.88, top=0.88, bottom=0.18)
    ax.set_title(data.title[lang], fontsize=14, loc="left", pad=12)
    if data.kind == "bars":
        _bars(ax, data, lang)
    elif data.kind == "lines":
        _lines(ax, data, lang)
    elif data.kind == "scatter":
        _scatter(ax, data, lang)
    elif data.kind == "bars_line":
        _bars_line(ax, data, lang)
    elif data.kind == "routes":
        _routes(ax, data, lang)
    if data.kind != "routes":
        ax.set_xlabel(data.x_label[lang])
        ax.set_ylabel(data.y_label[lang])
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
    fig.text(0.01, 0.015, data.source[lang], fontsize=8, color=SOURCE_GREY, ha="left", va="bottom")
    return fig


def _bars(ax, data: ChartData, lang: str) -> None:
    import numpy as np

    groups = np.arange(len(data.categories))
    width = 0.8 / max(len(data.series), 1)
    for i, series in enumerate(data.series):
        offsets = groups - 0.4 + width * (i + 0.5)
        ax.bar(offsets, _lang_values(series.y, lang), width, label=series.label, color=PALETTE[i % len(PALETTE)])
    ax.set_xticks(groups, data.categories)
    if len(data.series) > 1:
        ax.legend(frameon=False, ncols=min(len(data.series), 6), loc="upper left")


def _lines(ax, data: ChartData, lang: str) -> None:
    colours = {}
    for series in data.series:
        entity = series.label.split(" (")[0]
        colour = colours.setdefault(entity, PALETTE[len(colours) % len(PALETTE)])
        label = series.labels[0] if lang == "zh" and series.labels else series.label
        values = _lang_values(series.y, lang)
        # Projections: dashed with hollow markers, drawn on top of reported points they may share.
        ax.plot(series.x, values, marker="o", linestyle="--" if series.dashed else "-", color=colour, label=label,
                markerfacecolor="white" if series.dashed else colour, zorder=3 if series.dashed else 2)
        last = next((i for i in range(len(values) - 1, -1, -1) if values[i] == values[i]), None)
        if last is not None:
            ax.annotate(f"{values[last]:,.0f}" if lang == "zh" else f"{values[last]:,.1f}",
                        (series.x[last], values[last]), textcoords="offset points", xytext=(4, 4), fontsize=8,
                        color=colour)
    ax.legend(frameon=False, loc="upper left")
    ax.figure.autofmt_xdate()


def _scatter(ax, data: ChartData, lang: str) -> None:
    for i, series in enumerate(data.series):
        xs, ys = _lang_values(series.x, lang), _lang_values(series.y, lang)
        colour = PALETTE[i % len(PALETTE)]
        ax.scatter(xs, ys, s=50, label=series.label, edgecolors=colour,
                   facecolors="none" if series.dashed else colour)
        for x, y, label in zip(xs, ys, series.labels, strict=True):
            ax.annotate(label, (x, y), textcoords="offset points", xytext=(5, 4), fontsize=9)
    if data.log:
        from matplotlib.ticker import FuncFormatter, NullFormatter

        plain = FuncFormatter(lambda value, _pos: f"{value:,.4g}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(plain)
            axis.set_minor_formatter(NullFormatter())
        ax.margins(0.15)
    if len(data.series) > 1:
        ax.legend(frameon=False, loc="upper left")

def _bars_line(ax, data: ChartData, lang: str) -> None:
    import numpy as np

    groups = np.arange(len(data.categories))
    ax.bar(groups, _lang_values(data.series[0].y, lang), 0.6, color=PALETTE[0],
           label=data.y_label[lang])
    ax.set_xticks(groups, data.categories)
    right = ax.twinx()
    right.plot(groups, _lang_values(data.series2[0].y, lang), color=PALETTE[1], marker="o",
               label=data.y2_label[lang])
    right.set_ylabel(data.y2_label[lang])
    right.spines["right"].set_visible(True)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], frameon=False, loc="upper right")


def _routes(ax, data: ChartData, lang: str) -> None:
    """Origins on the left, destinations on the right, one arrow per company (a schematic, not a map)."""
    series = data.series[0]
    moves = [(origin, *label.split("\t", 1)) for origin, label in zip(series.x, series.labels, strict=True)]
    origins = list(dict.fromkeys(m[0] for m in moves))
    targets = list(dict.fromkeys(m[2] for m in moves))
    y_of = {}
    for names, x in ((origins, 0.0), (targets, 1.0)):
        for i, name in enumerate(names):
            y_of[(x, name)] = 1 - (i + 1) / (len(names) + 1)
            ax.text(x, y_of[(x, name)], name, ha="right" if x == 0 else "left", va="center", fontsize=12)
    for i, (origin, company, target) in enumerate(moves):
        start, end = (0.02, y_of[(0.0, origin)]), (0.98, y_of[(1.0, target)])
        ax.annotate("", xy=end, xytext=start,
                    arrowprops={"arrowstyle": "-|>", "color": PALETTE[i % len(PALETTE)], "lw": 1.6})
        ax.text(0.5, (start[1] + end[1]) / 2 + 0.02, company, ha="center", va="bottom", fontsize=10,
                color=PALETTE[i % len(PALETTE)])
    ax.text(0.0, 1.0, data.x_label[lang], ha="right", fontsize=9, color=SOURCE_GREY)
    ax.text(1.0, 1.0, data.y_label[lang], ha="left", fontsize=9, color=SOURCE_GREY)
    ax.set_xlim(-0.35, 1.35)
    ax.set_ylim(0, 1.05)
    ax.axis("off")
