"""The article's vocabulary: which words name an entity, a metric (per unit), a cited source, a
place or a relocation, and which mark a projection or a restatement. Patterns are regular
expressions, most specific first; the first match in a clause wins."""

from __future__ import annotations

import re

US_APP_SOFTWARE = "US application software (Salesforce, Adobe, ServiceNow, Palantir …)"

# Entity keywords, most specific first. A group name that lists members (美国AI应用公司（如
# Salesforce、…）) is one match, so its members are not taken as separate entities.
ENTITIES: list[tuple[str, str]] = [
    (r"美国AI应用公司(?:（[^）]*）)?", US_APP_SOFTWARE),
    (r"国内AI应用板块", "China A-share AI applications"),
    (r"国内AI原生App", "QuestMobile AI native apps"),
    (r"国内AI整体", "China AI industry"),
    (r"四大巨头", "Big-4 US tech"),
    (r"两家合计", "OpenAI + Anthropic"),
    (r"SaaS公司", "US SaaS startups"),
    (r"Scale AI", "Scale AI"),
    (r"Alexandr Wang", "Alexandr Wang"),
    (r"ChatGPT", "ChatGPT"),
    (r"OpenAI", "OpenAI"),
    (r"Anthropic", "Anthropic"),
    (r"Meta", "Meta"),
    (r"微软|Microsoft", "Microsoft"),
    (r"谷歌|Google", "Alphabet"),
    (r"亚马逊|Amazon", "Amazon"),
    (r"字节跳动|字节", "ByteDance"),
    (r"阿里", "Alibaba"),
    (r"百度", "Baidu"),
    (r"Cursor", "Cursor"),
    (r"Lovable", "Lovable"),
    (r"Tolan", "Tolan"),
    (r"OpusClip", "OpusClip"),
    (r"Glean", "Glean"),
    (r"Mercor", "Mercor"),
    (r"Crescendo", "Crescendo"),
    (r"Harvey", "Harvey"),
    (r"Clay", "Clay"),
    (r"Abridge", "Abridge"),
    (r"可灵AI|可灵|Kling", "Kling AI"),
    (r"Manus", "Manus"),
    (r"HeyGen|Heygen", "HeyGen"),
    (r"Lovart", "Lovart"),
]

# Metric keywords per unit, in priority order (first pattern found in the clause wins).
METRIC_KEYWORDS: dict[str, list[tuple[str, str]]] = {
    "currency": [
        (r"年化收入|年化营收|annualized|run[- ]rate", "annualized_revenue"),
        (r"ARR", "arr"),
        (r"估值|valuation", "valuation"),
        (r"资本支出|资本开支|capex", "capex"),
        (r"净利润|净利", "net_profit"),
        (r"定价|月费", "price_per_month"),
        (r"营收|收入|revenue", "revenue"),
        (r"人才", "hiring_spend"),
        (r"斥资|收购|投资", "investment"),
    ],
    "percent": [
        (r"海外", "revenue_share_overseas"),
        (r"(?:资本支出|资本开支).*占比", "capex_to_revenue"),
        (r"股份|股权", "stake_acquired"),
        (r"利润率", "operating_margin"),
        (r"同比|增幅|增长|年增|暴增", "growth_yoy"),
    ],
    "count": [
        (r"月活", "mau"),
        (r"用户", "users"),
        (r"随迁", "staff_relocated"),
        (r"团队|员工", "headcount"),
        (r"每年新增", "new_companies_per_year"),
    ],
}
COUNTER_METRICS = {"岁": "age"}
MONEY_METRICS = {m for _, m in METRIC_KEYWORDS["currency"]}
METRICS = sorted(
    {m for table in METRIC_KEYWORDS.values() for _, m in table} | set(COUNTER_METRICS.values()) | {"relocation"}
)

# Who the article cites for a figure.
SOURCES: list[tuple[str, str]] = [
    (r"中金公司", "CICC"),
    (r"华龙证券", "Hualong Securities"),
    (r"纽约时报", "The New York Times"),
    (r"QuestMobile", "QuestMobile"),
    (r"投行", "investment banks (unnamed)"),
]

PLACES = {
    "新加坡": "Singapore",
    "深圳": "Shenzhen",
    "洛杉矶": "Los Angeles",
    "旧金山": "San Francisco",
    "硅谷": "Silicon Valley",
    "美国": "United States",
    "北京": "Beijing",
    "上海": "Shanghai",
    "杭州": "Hangzhou",
    "东京": "Tokyo",
    "伦敦": "London",
    "纽约": "New York",
}
_PLACE = "|".join(sorted(PLACES, key=len, reverse=True))
RELOCATIONS = [
    rf"总部(?:由(?P<origin>{_PLACE}))?(?:迁至|迁往|搬至|搬到)(?P<dest>{_PLACE})",
    rf"(?:直接)?落户(?P<dest>{_PLACE})",
]

PROJECTION_WORDS = r"预计|有望|将达|将突破|将超过|将攀升|预测|预期|forecast|expect|project"
# 即 "that is" opens a restatement; 即使/即便 "even if" do not.
RESTATEMENT = re.compile(r"^\s*(?:即(?![使便将刻])|也就是)")
DURATION_COUNTERS = {"个月", "天", "周", "小时", "分钟", "个小时"}
