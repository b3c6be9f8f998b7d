"""pandera model for staging.epoch_revenue: one revenue report of one company in Epoch AI's data.

Write disposition `merge` on (company, report_id): Epoch revises a report in place; a report it
drops stays with its last values (the retrieval history is in raw.snapshots).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

TABLE = "staging.epoch_revenue"
KEY = ["company", "report_id"]
DISPOSITION = "merge"


class Model(pa.DataFrameModel):
    report_id: Series[str] = pa.Field(str_length={"min_value": 1})
    company: Series[str] = pa.Field(str_length={"min_value": 1})
    report_period_date: Series[pd.Timestamp] = pa.Field(nullable=False)
    annualized_revenue_usd: Series[float] = pa.Field(nullable=True, ge=0)
    confidence: Series[str] = pa.Field(nullable=True, isin=["Confident", "Likely", "Speculative", "Uncertain"])
    source_1: Series[str] = pa.Field(nullable=True, str_matches=r"^https?://")
    report_date: Series[pd.Timestamp] = pa.Field(nullable=True)

    class Config:
        unique = KEY
        coerce = True
        strict = False  # the loader adds snapshot_sha256 and run_id
