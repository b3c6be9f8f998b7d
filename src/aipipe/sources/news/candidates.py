"""Candidate figures from any news page or text: what `aipipe extract PATH|URL` prints.

For each money, percent or (recognisable) count figure in the text, a candidate says which known
entity it is probably about, which metric nearby words suggest (ARR, annualized/run-rate/年化,
valuation/估值, revenue/营收, MAU/月活, capex/资本支出 …), the value in base units, the
currency and qualifier, an as-of period if one is stated in the same sentence, and the sentence.
It is a helper for a person adding figures to the registry, not a judge: entity and metric are
guesses from the nearest keyword, and None when nothing fits.

HTML is read with `sources.news_html.extract_page` (JSON-LD, trafilatura, cleaned fallback), so
scripts and navigation never produce candidates. Output is plain data (`Candidate.to_dict`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from aipipe.normalize.numbers import Amount, find_amounts, format_amount
from aipipe.normalize.text import sentence_spans
from aipipe.sources.news.page import clean_text, extract_page

__all__ = ["KNOWN_ENTITIES", "METRIC_KEYWORDS", "Candidate", "extract_candidates", "format_candidates"]

# Canonical name → aliases. ASCII aliases match as whole words and case-sensitively ("Glean",
# not "glean"); Chinese aliases match anywhere.
KNOWN_ENTITIES: dict[str, tuple[str, ...]] = {
    "OpenAI": ("OpenAI",),
    "ChatGPT": ("ChatGPT",),
    "Anthropic": ("Anthropic",),
    "Meta": ("Meta Platforms", "Meta", "Facebook"),
    "Microsoft": ("Microsoft", "微软"),
    "Alphabet": ("Alphabet", "Google", "谷歌"),
    "Amazon": ("Amazon", "AWS", "亚马逊"),
    "Nvidia": ("Nvidia", "NVIDIA", "英伟达"),
    "xAI": ("xAI",),
    "Mistral AI": ("Mistral",),
    "DeepSeek": ("DeepSeek", "深度求索"),
    "Moonshot AI": ("Moonshot", "月之暗面"),
    "Zhipu AI": ("Zhipu", "智谱"),
    "MiniMax": ("MiniMax",),
    "ByteDance": ("ByteDance", "字节跳动", "字节"),
    "Alibaba": ("Alibaba", "阿里巴巴", "阿里"),
    "Tencent": ("Tencent", "腾讯"),
    "Baidu": ("Baidu", "百度"),
    "Kuaishou": ("Kuaishou", "快手"),
    "Kling AI": ("Kling", "可灵"),
    "Cursor": ("Cursor", "Anysphere"),
    "Lovable": ("Lovable",),
    "Tolan": ("Tolan",),
    "OpusClip": ("OpusClip", "Opus Clip"),
    "Glean": ("Glean",),
    "Mercor": ("Mercor",),
    "Crescendo": ("Crescendo",),
    "Harvey": ("Harvey",),
    "Clay": ("Clay",),
    "Abridge": ("Abridge",),
    "Manus": ("Manus",),
    "HeyGen": ("HeyGen", "Heygen"),
    "Lovart": ("Lovart",),
    "Scale AI": ("Scale AI",),
    "Perplexity": ("Perplexity",),
    "Salesforce": ("Salesforce",),
    "Adobe": ("Adobe",),
    "ServiceNow": ("ServiceNow",),
    "Palantir": ("Palantir",),
}


# Metric keywords by the unit of the figure they may describe, most specific first. `_W(x)` is
# x as a whole ASCII word: `\b` does not separate "ARR" from a following Chinese character.
def _W(word: str) -> str:  # noqa: N802 - reads as a marker in the tables below
    return rf"(?<![A-Za-z]){word}(?![A-Za-z])"


METRIC_KEYWORDS: dict[str, list[tuple[str, str]]] = {
    "currency": [
        (r"annuali[sz]ed revenue|annuali[sz]ed|run[- ]rate|年化收入|年化营收|年化", "annualized_revenue"),
        (rf"{_W('ARR')}|annual recurring revenue|年度经常性收入", "arr"),
        (r"valuation|valued at|估值", "valuation"),
        (rf"{_W('capex')}|capital expenditures?|capital spending|资本支出|资本开支", "capex"),
        (r"net (?:income|profit)|净利润|净利", "net_profit"),
        (r"operating (?:income|profit)|经营利润|营业利润", "operating_income"),
        (rf"{_W('raised')}|{_W('raising')}|funding|{_W('Series [A-H]')}|融资", "funding"),
        (rf"revenue|{_W('sales')}|营收|收入", "revenue"),
        (rf"acquir\w*|{_W('stake')}|invest\w*|收购|斥资|投资", "investment"),
        (rf"{_W('price[ds]?')}|{_W('costs?')}|定价|售价", "price"),
    ],
    "percent": [
        (r"overseas|international|海外", "revenue_share_overseas"),
        (r"(?:资本支出|资本开支|capex)\S{0,4}占比|capex[- ]to[- ]revenue", "capex_to_revenue"),
        (r"operating margin|经营利润率|营业利润率", "operating_margin"),
        (r"gross margin|毛利率", "gross_margin"),
        (rf"{_W('stake')}|股份|股权", "stake"),
        (
            rf"year[- ]over[- ]year|{_W('yoy')}|{_W('grew')}|growth|increase[ds]?|{_W('rose')}"
            r"|同比|增长|增幅|增速|增加",
            "growth_yoy",
        ),
        (rf"{_W('share')}|占比", "share"),
    ],
    "count": [
        (rf"monthly active users|{_W('MAUs?')}|月活", "mau"),
        (rf"weekly active users|{_W('WAUs?')}|周活", "wau"),
        (rf"daily active users|{_W('DAUs?')}|日活", "dau"),
        (r"employees|staff|headcount|员工|团队", "headcount"),
        (r"users|customers|subscribers|用户|客户", "users"),
    ],
}
_COUNTER_METRICS = {
    "users": "users",
    "customers": "users",
    "subscribers": "users",
    "employees": "headcount",
    "staff": "headcount",
    "people": "headcount",
    "人": "headcount",
    "名": "headcount",
    "家": "companies",
    "companies": "companies",
}
_PROJECTION = re.compile(
    r"\b(?:expect\w*|forecast\w*|project(?:s|ed|ion)|target\w*|guidance|by 20\d\d)\b"
    r"|预计|预期|有望|目标|指引",
    re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True)
class Candidate:
    """One figure worth a look. `as_of` is 'YYYY', 'YYYY-MM', 'YYYYQn' or 'YYYYHn'."""

    entity: str | None
    metric: str | None
    value: float
    value_high: float | None
    currency: str | None
    unit: str
    qualifier: str | None
    as_of: str | None
    is_projection: bool
    raw: str
    sentence: str
    published: str | None  # the page's publication date, when the input was a page

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def extract_candidates(text_or_html: str, *, is_html: bool | None = None) -> list[Candidate]:
    """Candidate figures in a page or a text (HTML is detected unless `is_html` says)."""
    if is_html is None:
        is_html = _looks_like_html(text_or_html)
    published = None
    if is_html:
        page = extract_page(text_or_html)
        text, published = page.body_text, page.date_published
    else:
        text = clean_text(text_or_html)
    published_year = int(published[:4]) if published else None
    candidates: list[Candidate] = []
    for start, end in sentence_spans(text):
        sentence = text[start:end].strip()
        for amount in find_amounts(sentence):
            candidate = _candidate(amount, sentence, published, published_year)
            if candidate is not None:
                candidates.append(candidate)
    return candidates


def format_candidates(cands: Sequence[Candidate], as_json: bool) -> str:
    """JSON (a list of plain objects) or one readable line per candidate."""
    if as_json:
        return json.dumps([c.to_dict() for c in cands], ensure_ascii=False, indent=2)
    if not cands:
        return "no figures found"
    lines = []
    for c in cands:
        shown = format_amount(Amount(c.value, c.value_high, c.currency, c.unit, c.qualifier, c.raw, (0, 0)), "en")
        sentence = c.sentence if len(c.sentence) <= 160 else c.sentence[:157] + "..."
        lines.append(
            "  ".join(
                [
                    f"{c.entity or '?':<14}",
                    f"{c.metric or '?':<22}",
                    f"{shown:<28}",
                    f"{(c.currency or '-'):<4}",
                    f"as of {c.as_of or '?':<8}",
                    "projection" if c.is_projection else "          ",
                    f"| {c.raw} | {sentence}",
                ]
            )
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------


def _looks_like_html(text: str) -> bool:
    head = text[:4000].lstrip().lower()
    return head.startswith(("<!doctype", "<html")) or bool(
        re.search(r"<(?:html|head|body|article|div|p|script|meta)\b[^>]*>", head)
    )


def _candidate(amount: Amount, sentence: str, published: str | None, published_year: int | None) -> Candidate | None:
    metric = _metric(amount, sentence)
    if amount.unit == "count" and metric is None:
        return None  # a bare count ("12 countries") is not worth a registry line
    clause = _clause(sentence, amount.span[0])
    return Candidate(
        entity=_entity(sentence, amount),
        metric=metric,
        value=amount.value,
        value_high=amount.value_high,
        currency=amount.currency,
        unit=amount.unit,
        qualifier=amount.qualifier,
        as_of=_as_of(sentence, amount, published_year),
        is_projection=bool(_PROJECTION.search(sentence[clause[0] : clause[1]])),
        raw=amount.raw,
        sentence=sentence,
        published=published,
    )


def _clause(sentence: str, position: int) -> tuple[int, int]:
    bounds = [0] + [m.end() for m in re.finditer(r"[，,；;：:]", sentence)] + [len(sentence)]
    index = max(i for i, b in enumerate(bounds[:-1]) if b <= position)
    return bounds[index], bounds[index + 1]


def _rank(sentence: str, amount: Amount, start: int, end: int) -> tuple[bool, int]:
    """Nearer is better; the figure's own clause beats the rest of the sentence."""
    clause = _clause(sentence, amount.span[0])
    same_clause = clause[0] <= start < clause[1]
    gap = max(0, amount.span[0] - end, start - amount.span[1])
    return (not same_clause, gap)


def _entity(sentence: str, amount: Amount) -> str | None:
    best: tuple[tuple[bool, int], str] | None = None
    for name, aliases in KNOWN_ENTITIES.items():
        for alias in aliases:
            pattern = re.escape(alias)
            if alias.isascii():
                pattern = rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])"
            for match in re.finditer(pattern, sentence):
                # an entity named before the figure is the usual subject; after, a tie-breaker
                rank = _rank(sentence, amount, *match.span())
                rank = (rank[0], rank[1] + (0 if match.end() <= amount.span[0] else 1000))
                if best is None or rank < best[0]:
                    best = (rank, name)
    return best[1] if best else None


def _metric(amount: Amount, sentence: str) -> str | None:
    if amount.unit == "currency" and amount.per == "month":
        return "price_per_month"
    if amount.counter and amount.counter.lower() in _COUNTER_METRICS and amount.unit == "count":
        counted = _COUNTER_METRICS[amount.counter.lower()]
        if counted != "users":
            return counted
    best: tuple[tuple[bool, int, int], int, str] | None = None
    for priority, (pattern, metric) in enumerate(METRIC_KEYWORDS[amount.unit]):
        for match in re.finditer(pattern, sentence, re.IGNORECASE):
            if match.start() < amount.span[1] and amount.span[0] < match.end():
                continue  # "1亿美元" inside its own keyword span cannot describe itself
            same_clause, gap = _rank(sentence, amount, *match.span())
            # the figure's own clause first; there, the more specific keyword ("月活" over "用户")
            key = ((same_clause, priority, gap), priority, metric)
            if best is None or key[0] < best[0]:
                best = key
    if best is not None:
        return best[2]
    if amount.counter and amount.counter.lower() in _COUNTER_METRICS:
        return _COUNTER_METRICS[amount.counter.lower()]
    return None


def _as_of(sentence: str, amount: Amount, published_year: int | None) -> str | None:
    """The nearest date expression in the sentence, normalised."""
    taken: list[tuple[int, int]] = [amount.span]
    found: list[tuple[tuple[bool, int], str]] = []
    for pattern, resolve in _date_rules(published_year):  # earlier rules win overlaps
        for match in re.finditer(pattern, sentence, re.IGNORECASE):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append(match.span())
            value = resolve(match)
            rank = _rank(sentence, amount, *match.span())
            # a date in a later clause describes something else ("… after $5.5bn in Dec 2024")
            if value and (not rank[0] or match.end() <= amount.span[0]):
                found.append((rank, value))
    return min(found)[1] if found else None


def _date_rules(year: int | None) -> list[tuple[str, Callable[[re.Match[str]], str | None]]]:
    def this_year(suffix: str = "") -> str | None:
        return f"{year}{suffix}" if year else None

    def last_year(_: re.Match[str]) -> str | None:
        return str(year - 1) if year else None

    return [
        # comparison bases, not the figure's date: consumed so "去年" below does not match
        (r"去年同期|同比|year[- ]ago|a year earlier|year[- ]over[- ]year", lambda m: None),
        (r"(\d{4})\s?年\s?(\d{1,2})\s?月", lambda m: f"{m[1]}-{int(m[2]):02d}"),
        (r"(\d{4})\s?年(?:年)?[底末]", lambda m: f"{m[1]}-12"),
        (r"(\d{4})\s?年\s?Q([1-4])", lambda m: f"{m[1]}Q{m[2]}"),
        (r"(\d{4})\s?年第([一二三四])季度", lambda m: f"{m[1]}Q{_CN_QUARTER[m[2]]}"),
        (r"(\d{4})\s?年(上|下)半年", lambda m: f"{m[1]}H{1 if m[2] == '上' else 2}"),
        (r"第([一二三四])季度", lambda m: this_year(f"Q{_CN_QUARTER[m[1]]}")),
        (r"今年(\d{1,2})月", lambda m: this_year(f"-{int(m[1]):02d}")),
        (r"(?<![\d年])(\d{1,2})月底", lambda m: this_year(f"-{int(m[1]):02d}")),
        (r"今年|this year", lambda m: this_year()),
        (r"去年|last year", last_year),
        (r"(?<!\d)(\d{4})\s?年", lambda m: m[1]),
        (
            rf"\b({_MONTH_NAMES})\.?,? (\d{{4}})\b",
            lambda m: f"{m[2]}-{_MONTHS[m[1].lower()]:02d}",
        ),
        (r"\b(?:Q([1-4])|([1-4])Q)\s?(?:of\s)?(?:FY)?(\d{4})\b", lambda m: f"{m[3]}Q{m[1] or m[2]}"),
        (
            r"\b(first|second|third|fourth) quarter(?: of)? (\d{4})\b",
            lambda m: f"{m[2]}Q{['first', 'second', 'third', 'fourth'].index(m[1].lower()) + 1}",
        ),
        (r"\b(?:H([12])|first half of|second half of)\s?(\d{4})\b", _half),
        (r"\b(?:end of|year-end)\s(\d{4})\b", lambda m: f"{m[1]}-12"),
        (r"(?<![\d-])((?:19|20)\d\d)-(0[1-9]|1[0-2])(?![\d-])", lambda m: f"{m[1]}-{m[2]}"),
        (r"\b(?:in|by|for|since|during|of|FY|fiscal)\s?((?:19|20)\d\d)\b", lambda m: m[1]),
    ]


def _half(match: re.Match[str]) -> str:
    text = match.group(0).lower()
    half = match.group(1) or ("1" if text.startswith("first") else "2")
    return f"{match.group(2)}H{half}"
