"""Every figure the seed article states, as claim rows to check against public sources.

The article is Markdown-ish Chinese text: a `# title`, a "YYYY-MM-DD HH:MM 发布于 PLACE" line,
`## 0N | …` sections, paragraphs, `- ` lists and one Markdown table. Claims are derived, never
typed in: each sentence is scanned with `normalize.numbers.find_amounts`, and small tables of
patterns below say which entity, metric, period and source each figure belongs to:

- entity: the entity named before the figure in its clause; else one attached by 的 right after
  it ("年收入突破1亿美元的可灵AI"); else the subject of an earlier figure-free clause of the same
  sentence ("Cursor（…），定价20美元/月"); else the block's first-named entity.
- metric: keywords in the figure's clause, gated by unit (a percent can be a growth rate or a
  share, never a valuation); a figure with no keyword inherits the previous figure's metric of
  the same unit within the block ("2024年6月突破100亿美元" after "年化收入约55亿美元").
- period: the nearest time expression before the figure in its sentence; in lists (and after
  figure-free framing sentences such as "过去一年，…") it carries to what follows. Relative
  expressions (今年6月, 年底, 最新, 过去一年) resolve against the article's own publication date.
- projection: the clause says so (预计, 有望, 将达 …) or the period ends after publication.
- source: who the article cites (据中金公司估算, 华龙证券数据, 《纽约时报》, QuestMobile, 投行).

A figure that produces no claim is not dropped silently: it is listed in `ArticleParse.skipped`
with the reason (a duration used as the period, an illustrative restatement, no metric).
Claim ids are `<section>-<ordinal>-<entity slug>-<metric>`; they are stable for a given text.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import pandas as pd

from aipipe.normalize.numbers import Amount, find_amounts, parse_amount

__all__ = [
    "CLAIM_COLUMNS",
    "METRICS",
    "ArticleMeta",
    "ArticleParse",
    "Claim",
    "SkippedFigure",
    "article_meta",
    "claims_frame",
    "parse_article",
    "read_article",
]

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

CLAIM_COLUMNS = [
    "claim_id",
    "section",
    "entity",
    "metric",
    "value",
    "value_high",
    "unit",
    "currency",
    "currency_inferred",
    "qualifier",
    "period_claimed",
    "period_start",
    "period_end",
    "is_projection",
    "growth_of",
    "location_from",
    "location_to",
    "attributed_to",
    "raw",
    "context",
    "source_url",
    "article_date",
]


@dataclass(frozen=True)
class ArticleMeta:
    title: str
    published: date
    published_at: str  # as written, e.g. "2025-08-07 19:03"
    place: str | None


@dataclass(frozen=True)
class Claim:
    """One figure the article states. `value` is in base units (percent as 35.0); location
    claims (relocations) have no value and name `location_from`/`location_to` instead."""

    claim_id: str
    section: str
    entity: str
    metric: str
    value: float | None
    value_high: float | None
    unit: str
    currency: str | None
    currency_inferred: bool
    qualifier: str | None
    period_claimed: str
    period_start: date | None
    period_end: date | None
    is_projection: bool
    growth_of: str | None
    location_from: str | None
    location_to: str | None
    attributed_to: str | None
    raw: str
    context: str
    source_url: str
    article_date: date


@dataclass(frozen=True)
class SkippedFigure:
    section: str
    raw: str
    context: str
    reason: str


@dataclass
class ArticleParse:
    meta: ArticleMeta
    claims: list[Claim]
    skipped: list[SkippedFigure]


# ---------------------------------------------------------------------------------------------
# Public API


def parse_article(text: str, source_url: str) -> list[Claim]:
    """Every figure the article states, as claims (see the module docstring)."""
    return read_article(text, source_url).claims


def read_article(text: str, source_url: str) -> ArticleParse:
    """Claims, plus the article's metadata and the figures deliberately not made claims."""
    meta = article_meta(text)
    builder = _ClaimBuilder(meta, source_url)
    for block in _blocks(text):
        builder.add_block(block)
    return ArticleParse(meta, builder.claims, builder.skipped)


def claims_frame(claims: list[Claim]) -> pd.DataFrame:
    """Claims as a DataFrame with CLAIM_COLUMNS (dates as `datetime.date`, for DuckDB DATE)."""
    frame = pd.DataFrame([asdict(claim) for claim in claims], columns=CLAIM_COLUMNS)
    frame["value"] = frame["value"].astype("float64")
    frame["value_high"] = frame["value_high"].astype("float64")
    frame["is_projection"] = frame["is_projection"].astype(bool)
    frame["currency_inferred"] = frame["currency_inferred"].astype(bool)
    return frame


_PUBLISHED_LINE = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})(?:\s+(?P<time>\d{1,2}:\d{2}))?\s*发布于\s*(?P<place>\S+)?",
    re.MULTILINE,
)


def article_meta(text: str) -> ArticleMeta:
    """Title and publication date, read from the article's own header lines."""
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "")
    published = _PUBLISHED_LINE.search(text)
    if not title or published is None:
        raise ValueError(
            "article: no '# title' line or no 'YYYY-MM-DD HH:MM 发布于 PLACE' line; "
            "the publication date is needed to resolve 今年/年底/最新"
        )
    written = published.group("day") + (f" {published.group('time')}" if published.group("time") else "")
    return ArticleMeta(
        title=title,
        published=date.fromisoformat(published.group("day")),
        published_at=written,
        place=published.group("place"),
    )


# ---------------------------------------------------------------------------------------------
# Blocks: paragraphs, lists (with their lead-in line) and tables, by section


@dataclass
class _Block:
    section: str
    kind: str  # 'paragraph' | 'list' | 'table'
    lines: list[str] = field(default_factory=list)
    lead_in: str | None = None


def _blocks(text: str) -> Iterator[_Block]:
    section = "00"  # the title and lede, before "## 01"
    current: _Block | None = None
    previous: _Block | None = None
    for line in text.splitlines():
        stripped = line.strip()
        heading = re.match(r"##\s*(\d{2})\b", stripped)
        kind = _line_kind(stripped)
        if heading or kind is None or (current is not None and current.kind != kind):
            if current is not None:
                yield current
                previous = current
            current = None
        if heading:
            section, previous = heading.group(1), None
            continue
        if kind is None:
            if stripped in ("---", "***") or stripped.startswith("#"):
                previous = None
            continue
        if current is None:
            current = _Block(section, kind)
            if kind == "list" and previous is not None and previous.kind == "paragraph":
                if previous.lines[-1].endswith(("：", ":")):
                    current.lead_in = previous.lines[-1]
        current.lines.append(stripped.removeprefix("- ").removeprefix("# ").strip())
    if current is not None:
        yield current


def _line_kind(line: str) -> str | None:
    if line.startswith("# "):
        return "paragraph"  # the title is read like a sentence
    if not line or line in ("---", "***") or line.startswith(("#", "【")):
        return None  # blank, rules, sub-headings, editor's picture notes
    if _PUBLISHED_LINE.match(line):
        return None  # metadata, see article_meta
    if line.startswith("- "):
        return "list"
    if line.startswith("|"):
        return "table"
    return "paragraph"


# ---------------------------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class _Period:
    claimed: str
    start: date | None
    end: date | None


def _month(year: int, month: int, label: str | None = None) -> _Period:
    last = calendar.monthrange(year, month)[1]
    return _Period(label or f"{year}-{month:02d}", date(year, month, 1), date(year, month, last))


def _period_rules(published: date) -> list[tuple[str, Callable[[re.Match[str]], _Period]]]:
    """Time expressions, most specific first, each with how it resolves."""
    year = published.year

    def quarter(y: int, q: int) -> _Period:
        start = date(y, 3 * q - 2, 1)
        return _Period(f"{y}Q{q}", start, _month(y, 3 * q).end)

    def half(y: int, which: str) -> _Period:
        if which == "上":
            return _Period(f"{y}H1", date(y, 1, 1), date(y, 6, 30))
        return _Period(f"{y}H2", date(y, 7, 1), date(y, 12, 31))

    cn_quarter = {"一": 1, "二": 2, "三": 3, "四": 4}
    return [
        (
            r"(?P<y1>\d{4})\s?[-–—~至到]\s?(?P<y2>\d{4})年",
            lambda m: _Period(
                f"{m['y1']}–{m['y2']} (each year)",
                date(int(m["y1"]), 1, 1),
                date(int(m["y2"]), 12, 31),
            ),
        ),
        (r"(?P<y>\d{4})年年?[底末]", lambda m: _month(int(m["y"]), 12)),
        (r"(?P<y>\d{4})年(?P<m>\d{1,2})月", lambda m: _month(int(m["y"]), int(m["m"]))),
        (r"(?P<y>\d{4})年(?P<h>上|下)半年", lambda m: half(int(m["y"]), m["h"])),
        (r"(?P<y>\d{4})年\s?Q(?P<q>[1-4])", lambda m: quarter(int(m["y"]), int(m["q"]))),
        (
            r"(?P<y>\d{4})年第(?P<q>[一二三四])季度",
            lambda m: quarter(int(m["y"]), cn_quarter[m["q"]]),
        ),
        (
            r"(?P<y>\d{4})年",
            lambda m: _Period(m["y"], date(int(m["y"]), 1, 1), date(int(m["y"]), 12, 31)),
        ),
        (r"今年(?P<m>\d{1,2})月", lambda m: _month(year, int(m["m"]))),
        (r"今年(?P<h>上|下)半年", lambda m: half(year, m["h"])),
        (r"今年", lambda m: _Period(str(year), date(year, 1, 1), date(year, 12, 31))),
        (r"去年", lambda m: _Period(str(year - 1), date(year - 1, 1, 1), date(year - 1, 12, 31))),
        (r"年[底末]", lambda m: _month(year, 12)),
        (r"最新|目前|截至目前", lambda m: _Period(f"{published:%Y-%m} (latest)", None, published)),
        (
            r"过去一年",
            lambda m: _Period(
                f"past year (to {published.isoformat()})",
                _one_year_before(published) + timedelta(days=1),
                published,
            ),
        ),
        (r"(?P<n>\d+)个月", lambda m: _Period(f"{m['n']} months after launch", None, None)),
        (r"上线数月", lambda m: _Period("a few months after launch", None, None)),
    ]


def _one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


UNDATED = _Period("undated", None, None)


# ---------------------------------------------------------------------------------------------
# Claim building


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    name: str


_TABLE_RULE = re.compile(r"\|?[\s:|-]+\|?")


def _keyword_matches(table: list[tuple[str, str]], text: str) -> list[_Match]:
    """Non-overlapping keyword matches, earlier table rows winning ties."""
    found: list[_Match] = []
    for pattern, name in table:
        for match in re.finditer(pattern, text):
            if not any(match.start() < m.end and m.start < match.end() for m in found):
                found.append(_Match(match.start(), match.end(), name))
    return sorted(found, key=lambda m: m.start)


def _clauses(sentence: str) -> list[tuple[int, int]]:
    bounds = [0] + [m.end() for m in re.finditer(r"[，：:]|(?<!\d),(?!\d)", sentence)]
    return list(zip(bounds, bounds[1:] + [len(sentence)], strict=True))


def _sentences(line: str) -> list[str]:
    return [m.group().strip() for m in re.finditer(r"[^。！？；!?;]+[。！？；!?;]*", line)]


def _slug(text: str) -> str:
    """'US application software (Salesforce, …)' → 'us-application-software'."""
    return re.sub(r"[^a-z0-9]+", "-", text.split("(")[0].lower()).strip("-")[:40].strip("-")


@dataclass
class _BlockState:
    topic: str | None = None
    attribution: str | None = None
    period: _Period | None = None
    metric_by_unit: dict[str, str] = field(default_factory=dict)
    last_money_metric: str | None = None


class _ClaimBuilder:
    def __init__(self, meta: ArticleMeta, source_url: str) -> None:
        self.meta = meta
        self.source_url = source_url
        self.period_rules = _period_rules(meta.published)
        self.claims: list[Claim] = []
        self.skipped: list[SkippedFigure] = []
        self.ordinal: dict[str, int] = {}

    # -- blocks --------------------------------------------------------------------------------

    def add_block(self, block: _Block) -> None:
        if block.kind == "table":
            self._add_table(block)
            return
        state = _BlockState()
        lines = ([block.lead_in] if block.lead_in else []) + block.lines
        first = _keyword_matches(ENTITIES, "".join(lines))
        state.topic = first[0].name if first else None
        if block.lead_in:
            state.attribution = _first_name(SOURCES, block.lead_in)
        for line in block.lines:
            for sentence in _sentences(line):
                made = self._add_sentence(block.section, sentence, state)
                if made and block.kind == "paragraph":
                    state.period = None  # a paragraph's claim sentence does not frame the next

    def _add_table(self, block: _Block) -> None:
        """A Markdown table: one claim per numeric cell; the header names the metric, the first
        column the entity, and the context is the whole row."""
        lines = [line for line in block.lines if not _TABLE_RULE.fullmatch(line)]
        rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
        metrics = [_first_name(METRIC_KEYWORDS["currency"], name) for name in rows[0]]
        for line, row in zip(lines[1:], rows[1:], strict=True):
            entity = _first_name(ENTITIES, row[0]) or row[0]
            for cell, metric in zip(row, metrics, strict=False):
                amount = parse_amount(cell) if metric else None
                if amount is None or metric is None:
                    continue
                self._emit(
                    block.section,
                    entity=entity,
                    metric=metric,
                    amount=amount,
                    period=UNDATED,
                    projection=False,
                    growth_of=None,
                    attribution=None,
                    context=line,
                )

    # -- sentences -----------------------------------------------------------------------------

    def _add_sentence(self, section: str, sentence: str, state: _BlockState) -> bool:
        amounts = find_amounts(sentence)
        entities = _keyword_matches(ENTITIES, sentence)
        periods = self._periods(sentence)
        clauses = _clauses(sentence)
        attribution = _first_name(SOURCES, sentence) or state.attribution
        made = self._add_relocations(section, sentence, entities, clauses, periods)
        for amount in amounts:
            clause = next(c for c in clauses if c[0] <= amount.span[0] < c[1])
            clause_text = sentence[clause[0] : clause[1]]
            reason = self._skip_reason(amount, clause_text)
            if reason:
                self.skipped.append(SkippedFigure(section, amount.raw, sentence, reason))
                continue
            metric = self._metric(amount, sentence, clause, state)
            if metric is None:
                self.skipped.append(SkippedFigure(section, amount.raw, sentence, "no metric keyword recognised"))
                continue
            entity = self._entity(amount, sentence, entities, clauses, amounts, state)
            if entity is None:
                self.skipped.append(SkippedFigure(section, amount.raw, sentence, "no entity"))
                continue
            period = _nearest_before(periods, amount.span[0]) or state.period or UNDATED
            projection = bool(re.search(PROJECTION_WORDS, clause_text)) or (
                period.end is not None and period.end > self.meta.published
            )
            self._emit(
                section,
                entity=entity,
                metric=metric,
                amount=amount,
                period=period,
                projection=projection,
                growth_of=state.last_money_metric if metric == "growth_yoy" else None,
                attribution=attribution,
                context=sentence,
            )
            unit = "currency" if metric in MONEY_METRICS else amount.unit
            state.metric_by_unit[unit] = metric
            if metric in MONEY_METRICS:
                state.last_money_metric = metric
            made = True
        if periods:
            state.period = periods[-1][1]
        return made

    def _skip_reason(self, amount: Amount, clause_text: str) -> str | None:
        if amount.counter in DURATION_COUNTERS:
            return "duration, used as the period of the next figure"
        if RESTATEMENT.match(clause_text):
            return "illustrative restatement of the preceding figure (即…)"
        return None

    def _metric(self, amount: Amount, sentence: str, clause: tuple[int, int], state: _BlockState) -> str | None:
        if amount.counter in COUNTER_METRICS:
            return COUNTER_METRICS[amount.counter]
        if amount.unit == "currency" and amount.per == "month":
            return "price_per_month"
        before = sentence[clause[0] : amount.span[0]]
        whole = sentence[clause[0] : clause[1]]
        # A count with no currency may still be money (标题: "一年收入都1400亿了").
        units = ["count", "currency"] if amount.unit == "count" and not amount.counter else []
        for unit in units or [amount.unit]:
            for text in (before, whole):
                metric = _first_name(METRIC_KEYWORDS[unit], text)
                if metric:
                    return metric
        return state.metric_by_unit.get("currency" if amount.unit == "currency" else amount.unit)

    def _entity(
        self,
        amount: Amount,
        sentence: str,
        entities: list[_Match],
        clauses: list[tuple[int, int]],
        amounts: list[Amount],
        state: _BlockState,
    ) -> str | None:
        clause = next(c for c in clauses if c[0] <= amount.span[0] < c[1])
        before = [e for e in entities if clause[0] <= e.start and e.end <= amount.span[0]]
        if before:
            return before[-1].name
        attached = re.match(r"\s*的\s*", sentence[amount.span[1] :])
        if attached:
            position = amount.span[1] + attached.end()
            after = [e for e in entities if e.start == position]
            if after:
                return after[0].name
        for start, end in reversed([c for c in clauses if c[1] <= clause[0]]):
            if any(start <= a.span[0] < end for a in amounts):
                continue
            named = [e for e in entities if start <= e.start and e.end <= end]
            if named:
                return named[0].name
        return state.topic

    def _periods(self, sentence: str) -> list[tuple[int, _Period]]:
        """(end position, period) of every time expression in the sentence."""
        found: list[tuple[int, int, _Period]] = []
        for pattern, resolve in self.period_rules:
            for match in re.finditer(pattern, sentence):
                if any(match.start() < end and start < match.end() for start, end, _ in found):
                    continue
                found.append((match.start(), match.end(), resolve(match)))
        return [(end, period) for _, end, period in sorted(found, key=lambda f: f[0])]

    def _add_relocations(
        self,
        section: str,
        sentence: str,
        entities: list[_Match],
        clauses: list[tuple[int, int]],
        periods: list[tuple[int, _Period]],
    ) -> bool:
        """总部由深圳迁至洛杉矶 / 落户旧金山: one claim per move, when one company is named."""
        made = False
        for pattern in RELOCATIONS:
            for match in re.finditer(pattern, sentence):
                clause = next(c for c in clauses if c[0] <= match.start() < c[1])
                named = [e for e in entities if clause[0] <= e.start and e.end <= match.start()]
                if len({e.name for e in named}) != 1:
                    reason = "relocation of several companies at once; not attributable"
                    self.skipped.append(SkippedFigure(section, match.group(), sentence, reason))
                    continue
                origin = match.groupdict().get("origin")
                period = _nearest_before(periods, match.start()) or UNDATED
                self._emit_location(
                    section,
                    entity=named[0].name,
                    raw=match.group(),
                    origin=PLACES[origin] if origin else None,
                    destination=PLACES[match.group("dest")],
                    period=period,
                    projection=period.end is not None and period.end > self.meta.published,
                    context=sentence,
                )
                made = True
        return made

    # -- rows ----------------------------------------------------------------------------------

    def _next_id(self, section: str, entity: str, metric: str) -> str:
        self.ordinal[section] = self.ordinal.get(section, 0) + 1
        return f"{section}-{self.ordinal[section]:02d}-{_slug(entity)}-{_slug(metric)}"

    def _emit(
        self,
        section: str,
        *,
        entity: str,
        metric: str,
        amount: Amount,
        period: _Period,
        projection: bool,
        growth_of: str | None,
        attribution: str | None,
        context: str,
    ) -> None:
        currency, inferred, unit = amount.currency, False, amount.unit
        if metric in MONEY_METRICS and currency is None:
            # Chinese prose states RMB amounts without a currency word ("收入都1400亿了").
            currency, inferred, unit = "CNY", True, "currency"
        claimed = period.claimed + (" (projection)" if projection else "")
        self.claims.append(
            Claim(
                claim_id=self._next_id(section, entity, metric),
                section=section,
                entity=entity,
                metric=metric,
                value=amount.value,
                value_high=amount.value_high,
                unit=unit,
                currency=currency,
                currency_inferred=inferred,
                qualifier=amount.qualifier,
                period_claimed=claimed,
                period_start=period.start,
                period_end=period.end,
                is_projection=projection,
                growth_of=growth_of,
                location_from=None,
                location_to=None,
                attributed_to=attribution,
                raw=amount.raw,
                context=context,
                source_url=self.source_url,
                article_date=self.meta.published,
            )
        )

    def _emit_location(
        self,
        section: str,
        *,
        entity: str,
        raw: str,
        origin: str | None,
        destination: str,
        period: _Period,
        projection: bool,
        context: str,
    ) -> None:
        self.claims.append(
            Claim(
                claim_id=self._next_id(section, entity, "relocation"),
                section=section,
                entity=entity,
                metric="relocation",
                value=None,
                value_high=None,
                unit="location",
                currency=None,
                currency_inferred=False,
                qualifier=None,
                period_claimed=period.claimed + (" (projection)" if projection else ""),
                period_start=period.start,
                period_end=period.end,
                is_projection=projection,
                growth_of=None,
                location_from=origin,
                location_to=destination,
                attributed_to=None,
                raw=raw,
                context=context,
                source_url=self.source_url,
                article_date=self.meta.published,
            )
        )


def _first_name(table: list[tuple[str, str]], text: str) -> str | None:
    for pattern, name in table:
        if re.search(pattern, text):
            return name
    return None


def _nearest_before(periods: list[tuple[int, _Period]], position: int) -> _Period | None:
    before = [period for end, period in periods if end <= position]
    return before[-1] if before else None
