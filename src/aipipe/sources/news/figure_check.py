"""Check a reported figure against a page's text: is the expected value stated near the phrase
("annualized revenue", "年化收入") — in the same sentence, or within ~200 characters?

`check_figure` says `confirmed`, `changed` (figures of the right kind are there but none equals
it) or `not_found`; `figures_near` lists the figures near a phrase, closest first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from aipipe.normalize.numbers import Amount, find_amounts, format_amount
from aipipe.normalize.text import clean_text, sentence_index, sentence_starts


@dataclass(frozen=True)
class FigureCheck:
    """Whether a page still states a figure near a phrase.

    status: 'confirmed' (a figure near the phrase equals the expected value within tolerance),
    'changed' (figures of the right kind are near the phrase but none equals it: `found` is the
    closest one) or 'not_found' (the phrase, or any figure of the right kind near it, is absent).
    """

    status: str
    phrase: str
    expected_value: float
    expected_high: float | None
    currency: str | None
    unit: str | None
    found: Amount | None
    context: str | None
    message: str

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["found"] = self.found.to_dict() if self.found else None
        return data





def figures_near(text: str, phrase: str | Sequence[str], window: int = 200) -> list[Amount]:
    """Figures in the same sentence as, or within `window` characters of, any occurrence of
    `phrase` (case- and whitespace-insensitive), closest first."""
    return [amount for _, amount in _near(text, _phrase_hits(text, phrase), window)]


def check_figure(
    page_text: str,
    phrase: str | Sequence[str],
    expected: float | Amount,
    currency: str | None = None,
    tolerance: float = 0.005,
    *,
    unit: str | None = None,
    window: int = 200,
) -> FigureCheck:
    """Does the page state `expected` near `phrase`?

    `expected` is a base-unit value (1.2e10) or an Amount (its range, currency and unit are
    used). `currency` ('USD', 'CNY') or `unit` ('currency', 'count', 'percent') restrict which
    figures count as the same kind; with neither, any figure does. `tolerance` is relative
    (0.005 = 0.5%). A range on either side matches when the other value falls inside it.
    """
    low, high, currency, unit = _expected(expected, currency, unit)
    label = phrase if isinstance(phrase, str) else " / ".join(phrase)
    kind = currency or unit or "numeric"

    def result(status: str, found: Amount | None, context: str | None, message: str) -> FigureCheck:
        return FigureCheck(status, label, low, high, currency, unit, found, context, message)

    wanted = _describe(low, high, currency, unit)
    hits = _phrase_hits(page_text, phrase)
    if not hits:
        return result("not_found", None, None, f"phrase {label!r} does not occur on the page")
    nearby = _near(page_text, hits, window)
    compatible = [a for _, a in nearby if _same_kind(a, currency, unit)]
    matching = [a for a in compatible if _matches(a, low, high, tolerance)]
    if matching:
        found = matching[0]
        return result(
            "confirmed",
            found,
            _context(page_text, found),
            f"page states {found.raw!r} near {label!r}, matching the expected {wanted}",
        )
    if compatible:
        found = compatible[0]
        return result(
            "changed",
            found,
            _context(page_text, found),
            f"page now states {found.raw!r} ({_describe_amount(found)}) near {label!r}; expected {wanted}",
        )
    others = ", ".join(repr(a.raw) for _, a in nearby[:3])
    detail = f" (other figures nearby: {others})" if others else ""
    return result(
        "not_found",
        None,
        None,
        f"phrase {label!r} found but no {kind} figure in its sentence or within {window} characters{detail}",
    )


def _expected(
    expected: float | Amount, currency: str | None, unit: str | None
) -> tuple[float, float | None, str | None, str | None]:
    if isinstance(expected, Amount):
        return (
            expected.value,
            expected.value_high,
            currency or expected.currency,
            unit or expected.unit,
        )
    if currency is not None and unit is None:
        unit = "currency"
    return float(expected), None, currency, unit


def _phrase_hits(text: str, phrase: str | Sequence[str]) -> list[tuple[int, int]]:
    phrases = [phrase] if isinstance(phrase, str) else list(phrase)
    hits: list[tuple[int, int]] = []
    for one in phrases:
        words = one.split()
        if not words:
            continue
        pattern = r"\s+".join(re.escape(word) for word in words)
        hits += [m.span() for m in re.finditer(pattern, text, re.IGNORECASE)]
    return sorted(hits)


def _near(text: str, hits: list[tuple[int, int]], window: int) -> list[tuple[tuple, Amount]]:
    """(rank, amount) for amounts near any hit, best rank first: same sentence, then distance."""
    if not hits:
        return []
    starts = sentence_starts(text)
    ranked: list[tuple[tuple, Amount]] = []
    for amount in find_amounts(text):
        best = None
        for hit in hits:
            same = sentence_index(starts, hit[0]) == sentence_index(starts, amount.span[0])
            gap = max(0, amount.span[0] - hit[1], hit[0] - amount.span[1])
            if same or gap <= window:
                rank = (not same, gap)
                best = rank if best is None else min(best, rank)
        if best is not None:
            ranked.append((best, amount))
    ranked.sort(key=lambda pair: (pair[0], pair[1].span))
    return ranked


def _context(text: str, amount: Amount, limit: int = 300) -> str:
    starts = sentence_starts(text)
    index = sentence_index(starts, amount.span[0])
    start = starts[index]
    end = starts[index + 1] if index + 1 < len(starts) else len(text)
    if end - start > limit:
        start = max(start, amount.span[0] - limit // 2)
        end = min(end, start + limit)
    return clean_text(text[start:end])


def _same_kind(amount: Amount, currency: str | None, unit: str | None) -> bool:
    if unit is not None and amount.unit != unit:
        return False
    return currency is None or amount.currency == currency


def _close(found: float, expected: float, tolerance: float) -> bool:
    return abs(found - expected) <= tolerance * abs(expected) if expected else found == 0


def _matches(amount: Amount, low: float, high: float | None, tolerance: float) -> bool:
    if high is None and amount.value_high is None:
        return _close(amount.value, low, tolerance)
    if high is None:  # the page gives a range, we expect one value
        return amount.value * (1 - tolerance) <= low <= amount.value_high * (1 + tolerance)
    if amount.value_high is None:  # we expect a range, the page gives one value
        return low * (1 - tolerance) <= amount.value <= high * (1 + tolerance)
    return _close(amount.value, low, tolerance) and _close(amount.value_high, high, tolerance)


def _describe(low: float, high: float | None, currency: str | None, unit: str | None) -> str:
    shown_unit = unit or ("currency" if currency else "count")
    return _describe_amount(Amount(low, high, currency, shown_unit, None, "", (0, 0)))


def _describe_amount(amount: Amount) -> str:
    return format_amount(amount, "en")
