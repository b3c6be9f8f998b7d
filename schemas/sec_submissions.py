"""pandera model for staging.sec_submissions: the header of SEC's submissions JSON, one row per CIK.

`fiscal_year_end` is SEC's MMDD (e.g. "0630"). Write disposition `merge` on the CIK.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

TABLE = "staging.sec_submissions"
KEY = ["cik"]
DISPOSITION = "merge"


class Model(pa.DataFrameModel):
    cik: Series[int] = pa.Field(gt=0, le=9_999_999_999, unique=True)
    entity_name: Series[str] = pa.Field(nullable=True)
    tickers: Series[str] = pa.Field(nullable=True)
    exchanges: Series[str] = pa.Field(nullable=True)
    fiscal_year_end: Series[str] = pa.Field(nullable=True, str_matches=r"^\d{4}$")
    sic: Series[str] = pa.Field(nullable=True)
    sic_description: Series[str] = pa.Field(nullable=True)
    category: Series[str] = pa.Field(nullable=True)
    entity_type: Series[str] = pa.Field(nullable=True)

    class Config:
        coerce = True
        strict = False

    @pa.dataframe_check(error="fiscal_year_end is not a real month and day (MMDD)")
    def fiscal_year_end_is_a_date(cls, df: pd.DataFrame) -> Series[bool]:
        mmdd = df["fiscal_year_end"]
        parsed = pd.to_datetime("2000" + mmdd.fillna("0101"), format="%Y%m%d", errors="coerce")
        return mmdd.isna() | parsed.notna()
