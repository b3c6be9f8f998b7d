"""pandera model for staging.sec_frames: one filer's value in one SEC frame (concept × unit × period).

Write disposition `merge` on (taxonomy, concept, unit, frame, cik): a later response for the same
frame replaces a filer's value (SEC serves the latest filing's figure); filers are never removed.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

TABLE = "staging.sec_frames"
KEY = ["taxonomy", "concept", "unit", "frame", "cik"]
DISPOSITION = "merge"


class Model(pa.DataFrameModel):
    taxonomy: Series[str] = pa.Field(isin=["us-gaap", "ifrs-full", "dei", "srt"])
    concept: Series[str] = pa.Field(str_matches=r"^[A-Za-z][A-Za-z0-9]*$")
    unit: Series[str] = pa.Field(str_length={"min_value": 1})
    frame: Series[str] = pa.Field(str_matches=r"^CY\d{4}(Q[1-4])?I?$")
    cik: Series[int] = pa.Field(gt=0, le=9_999_999_999)
    period_end: Series[pd.Timestamp] = pa.Field(nullable=False)
    period_start: Series[pd.Timestamp] = pa.Field(nullable=True)
    value: Series[float] = pa.Field(nullable=False)
    accession: Series[str] = pa.Field(str_matches=r"^\d{10}-\d{2}-\d{6}$")

    class Config:
        unique = KEY
        coerce = True
        strict = False  # the loader adds snapshot_sha256 and run_id

    @pa.dataframe_check(error="a period ends before it starts")
    def period_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["period_start"].isna() | (df["period_start"] <= df["period_end"])
