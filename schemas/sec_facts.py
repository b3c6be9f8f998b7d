"""pandera model for staging.sec_facts: one XBRL fact version per row."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

TABLE = "staging.sec_facts"
KEY = ["cik", "taxonomy", "concept", "unit", "period_start", "period_end", "accession"]
DISPOSITION = "append_new"

KNOWN_TAXONOMIES = ["us-gaap", "ifrs-full", "dei", "srt", "invest", "ecd", "ffd", "country"]


class Model(pa.DataFrameModel):
    cik: Series[int] = pa.Field(gt=0, le=9_999_999_999)
    entity_name: Series[str] = pa.Field(nullable=True)
    taxonomy: Series[str] = pa.Field(str_length={"min_value": 1, "max_value": 64})
    concept: Series[str] = pa.Field(str_matches=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    unit: Series[str] = pa.Field(str_length={"min_value": 1, "max_value": 64})
    period_start: Series[pd.Timestamp] = pa.Field(nullable=True)
    period_end: Series[pd.Timestamp] = pa.Field(
        ge=pd.Timestamp("1990-01-01"), le=pd.Timestamp("2100-01-01")
    )
    value: Series[float] = pa.Field(nullable=False)
    accession: Series[str] = pa.Field(str_matches=r"^\d{10}-\d{2}-\d{6}$")
    fiscal_year: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    fiscal_period: Series[str] = pa.Field(nullable=True)
    form: Series[str] = pa.Field(nullable=True)
    filed: Series[pd.Timestamp] = pa.Field(ge=pd.Timestamp("1993-01-01"))
    frame: Series[str] = pa.Field(nullable=True)

    class Config:
        coerce = True
        strict = False

    @pa.dataframe_check(error="period_start is after period_end")
    def start_not_after_end(cls, df: pd.DataFrame) -> Series[bool]:
        return df["period_start"].isna() | (df["period_start"] <= df["period_end"])

    @pa.dataframe_check(error="value is not a finite number")
    def value_finite(cls, df: pd.DataFrame) -> Series[bool]:
        import numpy as np

        return pd.Series(np.isfinite(df["value"].astype(float)), index=df.index)

    @pa.dataframe_check(error="filed before the period began")
    def filed_after_start(cls, df: pd.DataFrame) -> Series[bool]:
        return df["period_start"].isna() | (df["filed"] >= df["period_start"])
