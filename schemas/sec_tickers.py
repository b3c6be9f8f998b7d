"""pandera model for staging.sec_tickers: SEC's ticker file, one row per ticker (ticker → CIK).

Write disposition `merge` on the ticker: a ticker SEC moves to another company is updated; one
it drops stays with its last CIK (the retrieval history is in raw.snapshots).
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

TABLE = "staging.sec_tickers"
KEY = ["ticker"]
DISPOSITION = "merge"


class Model(pa.DataFrameModel):
    ticker: Series[str] = pa.Field(str_matches=r"^[A-Z0-9][A-Z0-9\-]{0,14}$", unique=True)
    cik: Series[int] = pa.Field(gt=0, le=9_999_999_999)
    title: Series[str] = pa.Field(nullable=True)

    class Config:
        coerce = True
        strict = False  # the loader adds snapshot_sha256 and run_id
