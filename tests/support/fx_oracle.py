"""The tests' oracle for the currency conversion rules of warehouse/staging/fx_rules.sql: the same
rules written again in Python, on ECB euro reference rates, so a test can compare the two.

Two rules, chosen by what the amount measures:

- **stock** (a value *as of* a date: valuation, cash balance, estimate): the rate on that day, or
  on the last business day before it on which both currencies were quoted, if that is at most
  `max_stale_days` earlier (`ecb_daily_on_or_before`).
- **flow** (a total *over* a period: revenue, capex): the mean of the daily crossed rates over the
  business days in [start, end] on which both currencies were quoted (`ecb_period_average`).

Any pair crosses via EUR: CNY per USD = (CNY per EUR) / (USD per EUR). Same currency is the
identity, the only place a rate of 1.0 is produced. A rate that cannot be found raises
`FxRateMissing`, naming the pair, the date or period and the series coverage; never a silent 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import numpy as np
import pandas as pd

Kind = Literal["flow", "stock"]

METHOD_STOCK = "ecb_daily_on_or_before"
METHOD_FLOW = "ecb_period_average"
METHOD_IDENTITY = "identity"

DEFAULT_MAX_STALE_DAYS = 7
DEFAULT_MAX_GAP_DAYS = 7


class FxRateMissing(LookupError):
    """No usable rate for a currency pair on a date or over a period."""


@dataclass(frozen=True)
class RateUsed:
    """A rate as units of `quote` per 1 `base`, and which ECB days it came from."""

    quote: str
    base: str
    rate: float
    method: str
    rate_date: date | None = None  # stock: the business day whose rate was used
    rate_start: date | None = None  # flow: first business day averaged
    rate_end: date | None = None  # flow: last business day averaged
    n_days: int = 0


@dataclass(frozen=True)
class Converted:
    """An amount converted from `from_ccy` to `to_ccy`, with the provenance of its rate."""

    amount: float
    from_ccy: str
    to_ccy: str
    kind: Kind
    amount_converted: float
    rate: float  # units of to_ccy per 1 from_ccy
    method: str
    rate_date: date | None
    rate_start: date | None
    rate_end: date | None
    n_days: int


class FxTable:
    """Daily reference rates against one base (EUR), indexed for fast on-date and period lookups."""

    def __init__(self, days: np.ndarray, per_base: dict[str, np.ndarray], base: str = "EUR"):
        # days: sorted datetime64[D]; per_base[ccy]: units of ccy per 1 base, NaN if not quoted.
        self.base = base
        self._days = days
        self._per_base = per_base
        self._pairs: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> FxTable:
        """Build from staging.fx_rates rows (rate_date, base, quote, rate)."""
        missing = {"rate_date", "base", "quote", "rate"} - set(frame.columns)
        if missing:
            raise ValueError(f"fx: rate frame lacks columns {sorted(missing)}; pass fx_rates rows")
        bases = frame["base"].unique()
        if len(bases) != 1:
            raise ValueError(f"fx: expected one base currency, found {sorted(bases)}")
        rows = frame.assign(rate_date=pd.to_datetime(frame["rate_date"]))
        rows = rows.drop_duplicates(subset=["rate_date", "quote", "rate"])
        clash = rows[rows.duplicated(subset=["rate_date", "quote"], keep=False)]
        if not clash.empty:
            first = clash.iloc[0]
            raise ValueError(
                f"fx: conflicting rates for {first['quote']} on {first['rate_date']:%Y-%m-%d} "
                f"({len(clash)} rows); merge snapshots on (rate_date, base, quote) first"
            )
        wide = rows.pivot(index="rate_date", columns="quote", values="rate").sort_index()
        days = wide.index.to_numpy().astype("datetime64[D]")
        per_base = {str(ccy): wide[ccy].to_numpy(dtype="float64") for ccy in wide.columns}
        return cls(days, per_base, base=str(bases[0]))

    @property
    def currencies(self) -> list[str]:
        return sorted([self.base, *self._per_base])

    def coverage(self, ccy: str) -> tuple[date, date]:
        """First and last day on which `ccy` was quoted."""
        ccy = self._known(ccy)
        quoted = self._days if ccy == self.base else self._days[~np.isnan(self._per_base[ccy])]
        return _to_date(quoted[0]), _to_date(quoted[-1])

    def rate_on(
        self,
        quote: str,
        base: str,
        day: date | str,
        *,
        max_stale_days: int = DEFAULT_MAX_STALE_DAYS,
    ) -> RateUsed:
        """Units of `quote` per 1 `base` for a stock as of `day` (on that day or just before)."""
        quote, base, target = _code(quote), _code(base), _as_day(day)
        if quote == base:
            return _identity(quote)
        days, rates = self._pair(quote, base)
        i = int(np.searchsorted(days, target, side="right")) - 1
        if i < 0:
            raise FxRateMissing(
                f"fx: no {quote} per {base} rate on or before {_to_date(target)}: the date is "
                f"before the series ({self._coverage_text(quote, base)}); use a date on or after "
                f"{_to_date(days[0])}"
            )
        stale_days = int((target - days[i]) / np.timedelta64(1, "D"))
        if stale_days > max_stale_days:
            raise FxRateMissing(
                f"fx: no {quote} per {base} rate within {max_stale_days} days before "
                f"{_to_date(target)}: the latest is {_to_date(days[i])}, {stale_days} days earlier "
                f"({self._coverage_text(quote, base)}); {self._stale_fix(quote, base)}"
            )
        return RateUsed(
            quote, base, float(rates[i]), METHOD_STOCK, rate_date=_to_date(days[i]), n_days=1
        )

    def average_rate(
        self,
        quote: str,
        base: str,
        start: date | str,
        end: date | str,
        *,
        max_gap_days: int = DEFAULT_MAX_GAP_DAYS,
    ) -> RateUsed:
        """Units of `quote` per 1 `base` for a flow over [start, end]: mean of daily rates."""
        quote, base = _code(quote), _code(base)
        first, last = _as_day(start), _as_day(end)
        if first > last:
            raise ValueError(f"fx: period start {_to_date(first)} is after end {_to_date(last)}")
        if quote == base:
            return _identity(quote)
        days, rates = self._pair(quote, base)
        lo = int(np.searchsorted(days, first, side="left"))
        hi = int(np.searchsorted(days, last, side="right"))
        period = f"{_to_date(first)}..{_to_date(last)}"
        if hi == lo:
            around = ""
            if 0 < lo < len(days):  # inside the coverage: the series has a hole here
                around = (
                    f"; the series pauses from {_to_date(days[lo - 1])} to {_to_date(days[lo])}"
                )
            raise FxRateMissing(
                f"fx: no {quote} per {base} rates in {period} "
                f"({self._coverage_text(quote, base)}{around}); pick a period with quotes"
            )
        self._check_period_coverage(quote, base, days, lo, hi, first, last, max_gap_days)
        return RateUsed(
            quote,
            base,
            float(rates[lo:hi].mean()),
            METHOD_FLOW,
            rate_start=_to_date(days[lo]),
            rate_end=_to_date(days[hi - 1]),
            n_days=hi - lo,
        )

    def convert(
        self,
        amount: float,
        from_ccy: str,
        to_ccy: str,
        *,
        kind: Kind,
        day: date | str | None = None,
        start: date | str | None = None,
        end: date | str | None = None,
    ) -> Converted:
        """Convert `amount` of `from_ccy` into `to_ccy` by the stock or flow rule."""
        if kind == "stock":
            if day is None or start is not None or end is not None:
                raise ValueError("fx: a stock is converted as of one `day` (no start/end)")
            used = self.rate_on(to_ccy, from_ccy, day)
        elif kind == "flow":
            if start is None or end is None or day is not None:
                raise ValueError("fx: a flow is converted over `start` and `end` (no day)")
            used = self.average_rate(to_ccy, from_ccy, start, end)
        else:
            raise ValueError(
                f"fx: kind must be 'stock' (as of a date) or 'flow' (over a period), got {kind!r}"
            )
        return Converted(
            amount=amount,
            from_ccy=used.base,
            to_ccy=used.quote,
            kind=kind,
            amount_converted=amount * used.rate,
            rate=used.rate,
            method=used.method,
            rate_date=used.rate_date,
            rate_start=used.rate_start,
            rate_end=used.rate_end,
            n_days=used.n_days,
        )

    def _known(self, ccy: str) -> str:
        ccy = _code(ccy)
        if ccy != self.base and ccy not in self._per_base:
            raise FxRateMissing(
                f"fx: {ccy} is not in the ECB reference rates (quoted: "
                f"{', '.join(self.currencies)}); check the ISO 4217 code or add a source for it"
            )
        return ccy

    def _quoted(self, ccy: str) -> np.ndarray:
        if ccy == self.base:  # the base is 1 per 1 base on every day the table has
            return np.ones(len(self._days))
        return self._per_base[ccy]

    def _pair(self, quote: str, base: str) -> tuple[np.ndarray, np.ndarray]:
        """Days on which both are quoted, and units of quote per 1 base on each."""
        key = (self._known(quote), self._known(base))
        if key not in self._pairs:
            quote_rates, base_rates = self._quoted(quote), self._quoted(base)
            both = ~np.isnan(quote_rates) & ~np.isnan(base_rates)
            if not both.any():
                raise FxRateMissing(
                    f"fx: {quote} and {base} were never quoted on the same day "
                    f"({self._coverage_text(quote, base)}); no cross rate exists"
                )
            self._pairs[key] = (self._days[both], quote_rates[both] / base_rates[both])
        return self._pairs[key]

    def _coverage_text(self, *ccys: str) -> str:
        parts = []
        for ccy in ccys:
            if ccy == self.base:
                parts.append(f"{ccy} is the base")
                continue
            first, last = self.coverage(ccy)
            parts.append(f"{ccy} quoted {first}..{last}")
        return "ECB series: " + ", ".join(parts)

    def _stale_fix(self, *ccys: str) -> str:
        table_end = _to_date(self._days[-1])
        ended = [ccy for ccy in ccys if ccy != self.base and self.coverage(ccy)[1] < table_end]
        if ended:
            return (
                f"the ECB stopped quoting {', '.join(ended)} (table runs to {table_end}); "
                "use a date within its coverage or another source"
            )
        return f"the table ends {table_end}: refresh the ECB snapshot"

    def _check_period_coverage(
        self,
        quote: str,
        base: str,
        days: np.ndarray,
        lo: int,
        hi: int,
        first: np.datetime64,
        last: np.datetime64,
        max_gap_days: int,
    ) -> None:
        """Refuse an average that does not span the period: series edges and long gaps."""
        pair = f"{quote} per {base}"
        period = f"{_to_date(first)}..{_to_date(last)}"
        coverage = self._coverage_text(quote, base)
        series_start, series_end = days[0], days[-1]
        if series_end < last and np.busday_count(series_end + 1, last + 1) > 0:
            raise FxRateMissing(
                f"fx: {pair} series ends {_to_date(series_end)}, before the period {period} ends "
                f"({coverage}); {self._stale_fix(quote, base)}, or end the period by "
                f"{_to_date(series_end)}"
            )
        if series_start > first and np.busday_count(first, series_start) > 0:
            raise FxRateMissing(
                f"fx: {pair} series starts {_to_date(series_start)}, after the period {period} "
                f"starts ({coverage}); start the period on or after {_to_date(series_start)}"
            )
        # Same measure as the stock rule's staleness: days from one rate (or period edge) to the
        # next, so a weekend is 3 and Christmas at most 4; a longer gap is missing data.
        edges = np.concatenate(([first], days[lo:hi], [last]))
        gaps = np.diff(edges).astype(int)
        widest = int(np.argmax(gaps))
        if gaps[widest] > max_gap_days:
            raise FxRateMissing(
                f"fx: {pair} rates in {period} have a {gaps[widest]}-day gap from "
                f"{_to_date(edges[widest])} to {_to_date(edges[widest + 1])} (limit "
                f"{max_gap_days}; {coverage}); the average "
                "would not represent the period — shorten it or use another source"
            )


def _identity(ccy: str) -> RateUsed:
    return RateUsed(ccy, ccy, 1.0, METHOD_IDENTITY, n_days=0)


def _code(ccy: str) -> str:
    code = ccy.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"fx: {ccy!r} is not a 3-letter ISO 4217 currency code")
    return code


def _as_day(value: date | str) -> np.datetime64:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):  # includes pd.Timestamp
        value = value.date()
    return np.datetime64(value, "D")


def _to_date(day: np.datetime64) -> date:
    return day.astype("datetime64[D]").item()
