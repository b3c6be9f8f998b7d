"""pandera model for staging.reported_figures: one registry figure × one source page per row."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

TABLE = "staging.reported_figures"
KEY = ["figure_id", "url"]
DISPOSITION = "replace"  # the registry owns this table: removed entries disappear

METRICS = ["annualized_revenue", "arr", "revenue", "capex", "valuation", "investment", "mau", "users",
           "price_per_month", "headcount", "relocation", "net_profit", "growth_yoy", "operating_margin"]


class Model(pa.DataFrameModel):
    figure_id: Series[str] = pa.Field(str_matches=r"^[a-z0-9][a-z0-9_.\-]*$")
    entity: Series[str] = pa.Field(str_length={"min_value": 1})
    metric: Series[str] = pa.Field(isin=METRICS)
    value: Series[float] = pa.Field(nullable=True, ge=0)
    value_high: Series[float] = pa.Field(nullable=True, ge=0)
    unit: Series[str] = pa.Field(isin=["currency", "count", "percent", "location"])
    currency: Series[str] = pa.Field(nullable=True, str_matches=r"^[A-Z]{3}$")
    qualifier: Series[str] = pa.Field(nullable=True, isin=["over", "about", "nearly", "under", "up_to"])
    period_start: Series[pd.Timestamp] = pa.Field(nullable=False)
    period_end: Series[pd.Timestamp] = pa.Field(nullable=False)
    publisher: Series[str] = pa.Field(str_length={"min_value": 1})
    url: Series[str] = pa.Field(str_matches=r"^https?://")
    published_date: Series[pd.Timestamp] = pa.Field(nullable=True)

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

    @pa.dataframe_check(error="value_high is below value")
    def range_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["value_high"].isna() | (df["value_high"] >= df["value"])
