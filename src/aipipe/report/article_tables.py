"""The article's tables: one entry per table — its mart view, columns (Chinese and English headers,
formats) and the query that names its sources and as-of dates. A new mart plugs in with one entry.

Views that other work builds may not exist yet, or may name a column differently: each column
lists aliases, columns the view lacks are left out (and named in the report), and a view that is
missing altogether is skipped with a note, never a crash.

A footnote query returns rows of (source, url, as_of[, tier]): what the figures come from, a link
when there is one, the date they describe or were published, and how good the source is
(primary, press, secondary). `{view}` stands for the view.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    en: str
    fmt: str = "text"  # see aipipe.report.formats.cell; 'money' takes its currency from currency_column
    aliases: tuple[str, ...] = ()
    currency_column: tuple[str, ...] = ()  # candidates, first present wins
    unit_column: tuple[str, ...] = ()  # fmt 'measure': the row's unit (currency | percent | count …)
    values: dict[str, tuple[str, str]] = field(default_factory=dict)  # raw value -> (zh, en) label

    @property
    def candidates(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class ArticleTable:
    name: str  # file stem under reports/…/tables/
    view: str
    section: str  # the article's section, "01".."06"
    title_zh: str
    title_en: str
    columns: tuple[Column, ...]
    where: str = ""
    order_by: str = ""
    footnote_sql: str | None = None
    note_zh: str = ""
    note_en: str = ""

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en


METRIC_LABELS = {
    "annualized_revenue": ("年化收入", "annualized revenue"),
    "arr": ("ARR", "ARR"),
    "revenue": ("收入", "revenue"),
    "capex": ("资本支出", "capex"),
    "net_profit": ("归母净利润", "net profit"),
    "growth_yoy": ("同比增长", "growth YoY"),
    "operating_income": ("经营利润", "operating income"),
    "operating_margin": ("经营利润率", "operating margin"),
    "valuation": ("估值", "valuation"),
    "users": ("用户数", "users"),
    "mau": ("月活", "MAU"),
}
COUNTRY_LABELS = {"US": ("美国", "US"), "China": ("中国", "China"), "CN": ("中国", "China")}
ENTITY = Column("entity", "公司", "Company", aliases=("company", "company_name", "name"))
PUBLISHER = Column("publisher", "来源", "Source",
                   aliases=("source_publisher", "source", "sourced_from", "source_label"))
URL = Column("url", "链接", "Link", fmt="url", aliases=("source_url", "sourced_url"))
AS_OF = Column("as_of", "截至", "As of", aliases=("period_end", "as_of_date", "published_date", "sourced_period"))
# marts.claim_check status -> (zh, en) label.
STATUS_LABELS = {
    "confirmed": ("属实", "confirmed"), "weakly_sourced": ("仅二手来源", "weakly sourced"),
    "value_differs": ("数字不符", "value differs"), "date_differs": ("时间不符", "date differs"),
    "unsourced": ("无来源", "unsourced"),
}
# Source tier -> (zh, en) label, shown beside each link.
TIER_LABELS = {"primary": ("一手", "primary"), "press": ("媒体", "press"), "secondary": ("二手", "secondary")}
# Rows of the curated marts cite a publisher, a URL, a date and the source's tier; the footnote lists them.
CITED_FOOTNOTE = ("SELECT DISTINCT publisher AS source, url, CAST(as_of AS VARCHAR) AS as_of, source_tier FROM {view} "
                  "WHERE publisher IS NOT NULL ORDER BY 3 DESC NULLS LAST, 1")
# Marts that set the article's figure beside a sourced one (sourced_from, source_url, sourced_period).
SOURCED_FOOTNOTE = ("SELECT DISTINCT sourced_from, source_url, CAST(sourced_period AS VARCHAR), source_tier "
                    "FROM {view} WHERE sourced_from IS NOT NULL ORDER BY 3 DESC NULLS LAST, 1")
SEC_FOOTNOTE = ("SELECT 'SEC EDGAR XBRL companyfacts (10-K/10-Q)' AS source, "
                "'https://www.sec.gov/edgar/search/' AS url, CAST(max({date}) AS VARCHAR) AS as_of, "
                "'primary' AS tier FROM {view}")

# The article's figure beside the sourced one, as in marts.claim_check and the marts built like it.
CLAIM_VS_SOURCE = (
    Column("article_value", "文中数字", "Article says", "measure", aliases=("value",),
           currency_column=("article_currency", "currency"), unit_column=("unit",)),
    Column("period_claimed", "文中时间", "Article's date"),
    Column("status", "核对结果", "Check", values=STATUS_LABELS),
    Column("sourced_value", "来源数字", "Sourced figure", "measure", aliases=("source_value", "found_value"),
           currency_column=("sourced_currency", "article_currency", "currency"), unit_column=("unit",)),
    Column("sourced_period", "来源时间", "Sourced date", aliases=("source_period", "sourced_as_of")),
    Column("relative_difference", "相对差异", "Difference", "pct", aliases=("rel_diff", "relative_diff")),
    Column("sourced_from", "来源", "Source", aliases=("source_label", "publisher")),
    Column("source_url", "来源链接", "Source link", "url", aliases=("sourced_url", "url")),
)

TABLES: tuple[ArticleTable, ...] = (
    ArticleTable(
        "big_tech_capex", "marts.big_tech_capex", "01",
        "美国科技巨头资本支出与收入", "US big-tech capital expenditure and revenue",
        (
            Column("ticker", "公司", "Company", values={"TOTAL": ("合计", "Total")}),
            Column("fiscal_year", "财年", "Fiscal year", "year"),
            Column("calendar_year", "日历年", "Calendar year", "year"),
            Column("period_end", "财年截止", "Period end", "date"),
            Column("revenue_usd", "收入", "Revenue", "usd"),
            Column("capex_usd", "资本支出", "Capex", "usd"),
            Column("capex_to_revenue", "资本支出/收入", "Capex / revenue", "pct"),
            Column("capex_accession", "SEC 文件号", "SEC accession"),
            Column("members", "包含", "Includes"),
        ),
        order_by="row_type, calendar_year, ticker",
        footnote_sql=SEC_FOOTNOTE.format(date="capex_filed", view="{view}"),
        note_zh="资本支出为现金流量表中的购置物业和设备支出（含非 AI 部分）；合计行按日历年汇总各财年。",
        note_en="Capex is cash paid for property and equipment (not only AI); total rows sum fiscal years "
                "by the calendar year they mostly fall in.",
    ),
    ArticleTable(
        "ai_capex_us_vs_china", "marts.ai_capex_us_vs_china", "01",
        "中美 AI 资本开支对比", "AI capital expenditure: US vs China",
        (
            Column("year", "年份", "Year", "year", aliases=("calendar_year",)),
            Column("country", "国家", "Country", aliases=("region",), values=COUNTRY_LABELS),
            Column("series", "口径", "Series"),
            Column("basis", "依据", "Basis"),
            Column("capex_usd", "资本开支", "Capex", "usd", aliases=("value_usd",)),
            Column("capex_cny", "资本开支", "Capex", "cny", aliases=("value_cny",)),
            Column("fx_method", "汇率", "FX"),
            PUBLISHER, URL,
        ),
        order_by="year, country",
        footnote_sql=("SELECT DISTINCT source, url, CAST(year AS VARCHAR), source_tier FROM {view} "
                      "WHERE source IS NOT NULL ORDER BY 3 DESC, 1"),
    ),
    ArticleTable(
        "frontier_lab_revenue", "marts.frontier_lab_revenue", "02",
        "OpenAI 与 Anthropic 年化收入", "OpenAI and Anthropic annualized revenue",
        (
            ENTITY,
            Column("as_of", "时间", "Date", aliases=("period_end", "as_of_date", "period")),
            Column("basis", "口径", "Basis", values={"reported": ("已报道", "reported"),
                                                      "projection": ("预测", "projection")}),
            Column("metric", "指标", "Metric", values=METRIC_LABELS),
            Column("run_rate_usd", "年化收入", "Annualized revenue", "usd", aliases=("value_usd", "value")),
            Column("growth_yoy", "同比增长", "Growth YoY", "pct"),
            PUBLISHER, URL,
        ),
        order_by="entity, as_of, basis",
        footnote_sql=CITED_FOOTNOTE,
    ),
    ArticleTable(
        "ai_app_arr", "marts.ai_app_arr", "02",
        "美国 AI 应用：ARR 与收入", "US AI applications: ARR and revenue",
        (
            Column("app", "产品", "Product", aliases=("entity", "company")),
            Column("metric", "指标", "Metric", values=METRIC_LABELS),
            *CLAIM_VS_SOURCE,
            Column("basis", "依据", "Basis"),
        ),
        footnote_sql=SOURCED_FOOTNOTE,
    ),
    ArticleTable(
        "b2b_valuation_arr", "marts.b2b_valuation_arr", "02",
        "美国 AI B 端公司估值与 ARR", "US B2B AI companies: valuation and ARR",
        (
            Column("company", "公司名", "Company", aliases=("entity", "name")),
            Column("domain", "领域", "Field", aliases=("category", "sector")),
            Column("article_valuation_usd", "文中估值", "Article valuation", "usd"),
            Column("sourced_valuation_usd", "来源估值", "Sourced valuation", "usd", aliases=("valuation_usd",)),
            Column("valuation_as_of", "估值时间", "Valuation as of"),
            Column("valuation_status", "估值核对", "Valuation check", values=STATUS_LABELS),
            Column("article_arr_usd", "文中 ARR", "Article ARR", "usd"),
            Column("sourced_arr_usd", "来源 ARR", "Sourced ARR", "usd", aliases=("arr_usd",)),
            Column("arr_as_of", "ARR 时间", "ARR as of"),
            Column("arr_status", "ARR 核对", "ARR check", values=STATUS_LABELS),
            Column("valuation_url", "估值来源", "Valuation source", "url"),
            Column("arr_url", "ARR 来源", "ARR source", "url"),
        ),
        footnote_sql=("SELECT valuation_source, valuation_url, valuation_as_of, valuation_tier FROM {view} "
                      "WHERE valuation_source IS NOT NULL UNION "
                      "SELECT arr_source, arr_url, arr_as_of, arr_tier FROM {view} WHERE arr_source IS NOT NULL "
                      "ORDER BY 3 DESC, 1"),
        note_zh="“文中”为原文数字，“来源”为有出处的数字；无出处者留空。",
        note_en="'article' is the article's figure; 'sourced' a figure with a citation; blank where none was found.",
    ),
    ArticleTable(
        "china_us_app_financials", "marts.china_us_app_financials", "03",
        "中美 AI 应用公司营收与利润", "AI application companies: revenue and profit, China vs US",
        (
            Column("side", "地区", "Side", aliases=("region", "country"), values=COUNTRY_LABELS),
            Column("entity", "主体", "Group"),
            Column("period", "期间", "Period"),
            Column("metric", "指标", "Metric", values=METRIC_LABELS),
            Column("basis", "依据", "Basis"),
            Column("value_cny", "金额", "Amount", "cny"),
            Column("value_usd", "金额", "Amount", "usd"),
            Column("value_percent", "比率", "Rate", "pct_points"),
            Column("fx_method", "汇率", "FX"),
            Column("members_missing", "缺少成员", "Members missing"),
            PUBLISHER,
        ),
        footnote_sql=("SELECT DISTINCT source, NULL, CAST(max(period_end) AS VARCHAR), "
                      "staging.tier_name(max(staging.tier_rank(source_tier))) FROM {view} "
                      "WHERE source IS NOT NULL GROUP BY source ORDER BY 3 DESC, 1"),
    ),
    ArticleTable(
        "us_app_software_quarterly", "marts.us_app_software_quarterly", "03",
        "美国应用软件公司季度营收与经营利润",
        "US application-software companies: quarterly revenue and operating income",
        (
            Column("ticker", "公司", "Company", values={"TOTAL": ("合计", "Total")}),
            Column("calendar_year", "年份", "Year", "year", aliases=("year",)),
            Column("calendar_quarter", "季度", "Quarter", aliases=("quarter",)),
            Column("period_end", "期末", "Period end", "date"),
            Column("revenue_usd", "营收", "Revenue", "usd"),
            Column("operating_income_usd", "经营利润", "Operating income", "usd"),
            Column("revenue_yoy_growth", "营收同比", "Revenue YoY", "pct", aliases=("revenue_yoy", "revenue_growth")),
            Column("operating_margin", "经营利润率", "Operating margin", "pct"),
            Column("members_missing", "缺少成员", "Members missing"),
            Column("revenue_accession", "SEC 文件号", "SEC accession", aliases=("accession",)),
        ),
        order_by="calendar_year, calendar_quarter, row_type DESC, ticker",
        footnote_sql=("SELECT 'SEC EDGAR XBRL (10-Q/10-K, frames)', 'https://www.sec.gov/edgar/search/', "
                      "CAST(max(revenue_filed) AS VARCHAR), 'primary' FROM {view} "
                      "WHERE row_type = 'member' AND source_kind <> 'statement' UNION ALL "
                      "SELECT DISTINCT ticker || ' earnings release', source_url, CAST(period_end AS VARCHAR), "
                      "source_tier FROM {view} WHERE row_type = 'member' AND source_kind = 'statement' "
                      "ORDER BY 3 DESC NULLS LAST, 1"),
    ),
    ArticleTable(
        "app_mau", "marts.app_mau", "03",
        "AI 应用月活用户", "AI apps: monthly active users",
        (
            Column("app_group", "应用", "App", aliases=("entity", "app", "company")),
            Column("as_of", "时间", "Month", aliases=("period", "as_of_date")),
            Column("mau", "月活", "MAU", "count", aliases=("value", "users")),
            Column("basis", "依据", "Basis"),
            PUBLISHER, URL,
        ),
        footnote_sql=SOURCED_FOOTNOTE.replace("sourced_from", "source").replace("sourced_period", "as_of"),
    ),
    ArticleTable(
        "relocations", "marts.relocations", "03",
        "国内 AI 公司外迁", "Chinese AI companies moving abroad",
        (
            Column("company", "公司", "Company", aliases=("entity", "name")),
            Column("moved_from", "迁出地", "From", aliases=("location_from", "origin")),
            Column("moved_to", "迁入地", "To", aliases=("location_to", "destination")),
            Column("article_date_claimed", "文中时间", "Article's date"),
            Column("status", "核对", "Check", values=STATUS_LABELS),
            Column("sourced_date", "来源时间", "Sourced date", "date"),
            Column("team_size", "团队人数", "Team size", "int"),
            Column("staff_moved", "随迁人数", "Staff moved", "int"),
            Column("sourced_from", "来源", "Source"),
            Column("source_url", "链接", "Link", "url"),
        ),
        footnote_sql=SOURCED_FOOTNOTE.replace("sourced_period", "sourced_date"),
    ),
    ArticleTable(
        "claim_check", "marts.claim_check", "all",
        "文中数字核对", "The article's figures, checked",
        (
            Column("claim_id", "编号", "Claim"),
            Column("section", "章节", "Section"),
            ENTITY,
            Column("metric", "指标", "Metric", values=METRIC_LABELS),
            *CLAIM_VS_SOURCE,
        ),
        order_by="claim_id",
        footnote_sql=SOURCED_FOOTNOTE,
    ),
)


def by_name(name: str) -> ArticleTable:
    for table in TABLES:
        if table.name == name:
            return table
    raise KeyError(f"no article table {name!r}; known: {', '.join(t.name for t in TABLES)}")
