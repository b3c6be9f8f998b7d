"""pandera model for staging.reported_figures: one registry figure × one source page per row."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

TABLE = "staging.reported_figures"
KEY = ["figure_id", "url"]
DISPOSITION = "replace"  # the registry owns this table: removed entries disappear

METRICS = ["annualized_revenue", "arr", "revenue", "capex", "valuation", "investment", "mau", "users",
           "price_per_month", "headcount", "relocation", "net_profit", "growth_yoy", "operating_margin",
           "operating_income", "age", "stake_acquired", "hiring_spend", "staff_relocated",
           "revenue_share_subscriptions", "valuation_to_arr"]


class Model(pa.DataFrameModel):
    figure_id: Series[str] = pa.Field(str_matches=r"^[a-z0-9][a-z0-9_.\-]*$")
    entity: Series[str] = pa.Field(str_length={"min_value": 1})
    metric: Series[str] = pa.Field(isin=METRICS)
    value: Series[float] = pa.Field(nullable=True)  # a loss (net profit, operating income) is negative
    value_high: Series[float] = pa.Field(nullable=True, ge=0)
    change_yoy: Series[float] = pa.Field(nullable=True, ge=-10000, le=10000)  # percent, as the source states it
    unit: Series[str] = pa.Field(isin=["currency", "count", "percent", "location", "ratio"])
    currency: Series[str] = pa.Field(nullable=True, str_matches=r"^[A-Z]{3}$")
    qualifier: Series[str] = pa.Field(nullable=True, isin=["over", "about", "nearly", "under", "up_to"])
    period_start: Series[pd.Timestamp] = pa.Field(nullable=False)
    period_end: Series[pd.Timestamp] = pa.Field(nullable=False)
    publisher: Series[str] = pa.Field(str_length={"min_value": 1})
    url: Series[str] = pa.Field(str_matches=r"^https?://")
    published_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    # How good the source is (a reviewed field): primary = a filing or the company's own statement;
    # press = a named news organisation's own reporting; secondary = a republication, translation,
    # aggregator, mirror or blog, which must name the original it cites.
    tier: Series[str] = pa.Field(isin=["primary", "press", "secondary"])
    original_url: Series[str] = pa.Field(nullable=True, str_matches=r"^https?://")
    via: Series[str] = pa.Field(nullable=True, str_matches=r"^https?://")
    accession: Series[str] = pa.Field(nullable=True, str_matches=r"^\d{10}-\d{2}-\d{6}$")

    class Config:
        coerce = True
        strict = False

    @pa.dataframe_check(error="money needs a currency and a value")
    def money_has_currency(cls, df: pd.DataFrame) -> Series[bool]:
        is_money = df["unit"].eq("currency")
        return ~is_money | (df["currency"].notna() & df["value"].notna())

    @pa.dataframe_check(error="a relocation needs a destination")
    def relocation_has_destination(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df["metric"].eq("relocation") | df["location_to"].notna()

    @pa.dataframe_check(error="a secondary source must name the original it cites (original_publisher)")
    def secondary_names_its_original(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df["tier"].eq("secondary") | df["original_publisher"].fillna("").str.strip().ne("")

    @pa.dataframe_check(error="value_high is below value")
    def range_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["value_high"].isna() | (df["value_high"] >= df["value"])
