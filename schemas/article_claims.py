"""pandera model for staging.article_claims: one figure the article states per row."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

TABLE = "staging.article_claims"
KEY = ["claim_id"]
DISPOSITION = "replace"  # the latest snapshot of the article owns the table


class Model(pa.DataFrameModel):
    claim_id: Series[str] = pa.Field(unique=True, str_matches=r"^\d{2}-\d{2}-[a-z0-9\-]+$")
    section: Series[str] = pa.Field(str_matches=r"^\d{2}$")
    entity: Series[str] = pa.Field(str_length={"min_value": 1})
    metric: Series[str] = pa.Field(str_matches=r"^[a-z_]+$")
    value: Series[float] = pa.Field(nullable=True)
    value_high: Series[float] = pa.Field(nullable=True)
    unit: Series[str] = pa.Field(isin=["currency", "count", "percent", "location"])
    currency: Series[str] = pa.Field(nullable=True, str_matches=r"^[A-Z]{3}$")
    period_start: Series[pd.Timestamp] = pa.Field(nullable=True)
    period_end: Series[pd.Timestamp] = pa.Field(nullable=True)
    context: Series[str] = pa.Field(str_length={"min_value": 1})
    article_date: Series[pd.Timestamp] = pa.Field(nullable=False)

    class Config:
        coerce = True
        strict = False

    @pa.dataframe_check(error="a figure needs a value, a location claim a destination")
    def has_value(cls, df: pd.DataFrame) -> Series[bool]:
        return df["value"].notna() | (df["unit"].eq("location") & df["location_to"].notna())

    @pa.dataframe_check(error="the context must contain the figure as written")
    def context_holds_raw(cls, df: pd.DataFrame) -> Series[bool]:
        return pd.Series([str(raw) in str(ctx) for raw, ctx in zip(df["raw"], df["context"], strict=True)],
                         index=df.index)
