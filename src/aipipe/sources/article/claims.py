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

import re
from dataclasses import dataclass, field

from aipipe.normalize.numbers import Amount, find_amounts, parse_amount
from aipipe.sources.article.blocks import Block, blocks
from aipipe.sources.article.lexicon import (
    COUNTER_METRICS,
    DURATION_COUNTERS,
    ENTITIES,
    METRIC_KEYWORDS,
    MONEY_METRICS,
    PLACES,
    PROJECTION_WORDS,
    RELOCATIONS,
    RESTATEMENT,
    SOURCES,
)
from aipipe.sources.article.model import ArticleMeta, ArticleParse, Claim, SkippedFigure, article_meta
from aipipe.sources.article.periods import UNDATED, Period, period_rules

__all__ = ["parse_article", "read_article"]


def parse_article(text: str, source_url: str) -> list[Claim]:
    """Every figure the article states, as claims (see the module docstring)."""
    return read_article(text, source_url).claims


def read_article(text: str, source_url: str) -> ArticleParse:
    """Claims, plus the article's metadata and the figures deliberately not made claims."""
    meta = article_meta(text)
    builder = _ClaimBuilder(meta, source_url)
    for block in blocks(text):
        builder.add_block(block)
    return ArticleParse(meta, builder.claims, builder.skipped)


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
class BlockState:
    topic: str | None = None
    attribution: str | None = None
    period: Period | None = None
    metric_by_unit: dict[str, str] = field(default_factory=dict)
    last_money_metric: str | None = None


class _ClaimBuilder:
    def __init__(self, meta: ArticleMeta, source_url: str) -> None:
        self.meta = meta
        self.source_url = source_url
        self.period_rules = period_rules(meta.published)
        self.claims: list[Claim] = []
        self.skipped: list[SkippedFigure] = []
        self.ordinal: dict[str, int] = {}

    # -- blocks --------------------------------------------------------------------------------

    def add_block(self, block: Block) -> None:
        if block.kind == "table":
            self._add_table(block)
            return
        state = BlockState()
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

    def _add_table(self, block: Block) -> None:
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
                self._emit(block.section, entity=entity, metric=metric, amount=amount, period=UNDATED,
                           projection=False, growth_of=None, attribution=None, context=line)

    # -- sentences -----------------------------------------------------------------------------

    def _add_sentence(self, section: str, sentence: str, state: BlockState) -> bool:
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
            self._emit(section, entity=entity, metric=metric, amount=amount, period=period, projection=projection,
                       growth_of=state.last_money_metric if metric == "growth_yoy" else None,
                       attribution=attribution, context=sentence)
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

    def _metric(self, amount: Amount, sentence: str, clause: tuple[int, int], state: BlockState) -> str | None:
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
        state: BlockState,
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

    def _periods(self, sentence: str) -> list[tuple[int, Period]]:
        """(end position, period) of every time expression in the sentence."""
        found: list[tuple[int, int, Period]] = []
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
        periods: list[tuple[int, Period]],
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
        period: Period,
        projection: bool,
        growth_of: str | None,
        attribution: str | None,
        context: str,
    ) -> None:
        currency, inferred, unit = amount.currency, False, amount.unit
        if metric in MONEY_METRICS and currency is None:
            # Chinese prose states RMB amounts without a currency word ("收入都1400亿了").
            currency, inferred, unit = "CNY", True, "currency"
        self._append(section, entity, metric, unit, period, projection, amount.raw, context, value=amount.value,
                     value_high=amount.value_high, currency=currency, currency_inferred=inferred,
                     qualifier=amount.qualifier, growth_of=growth_of, attributed_to=attribution)

    def _emit_location(
        self,
        section: str,
        *,
        entity: str,
        raw: str,
        origin: str | None,
        destination: str,
        period: Period,
        projection: bool,
        context: str,
    ) -> None:
        self._append(section, entity, "relocation", "location", period, projection, raw, context,
                     location_from=origin, location_to=destination)

    def _append(self, section: str, entity: str, metric: str, unit: str, period: Period, projection: bool,
                raw: str, context: str, **figure: object) -> None:
        """One claim row: the fields every claim has, plus the figure's own (`Claim`'s defaults)."""
        self.claims.append(Claim(
            claim_id=self._next_id(section, entity, metric), section=section, entity=entity, metric=metric,
            unit=unit, period_claimed=period.claimed + (" (projection)" if projection else ""),
            period_start=period.start, period_end=period.end, is_projection=projection, raw=raw,
            context=context, source_url=self.source_url, article_date=self.meta.published, **figure,
        ))


def _first_name(table: list[tuple[str, str]], text: str) -> str | None:
    for pattern, name in table:
        if re.search(pattern, text):
            return name
    return None


def _nearest_before(periods: list[tuple[int, Period]], position: int) -> Period | None:
    before = [period for end, period in periods if end <= position]
    return before[-1] if before else None
