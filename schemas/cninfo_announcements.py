"""pandera model for staging.cninfo_announcements: one periodic report of an A-share basket member.

Write disposition `merge` on the announcement id: a listing never removes a report seen before.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

TABLE = "staging.cninfo_announcements"
KEY = ["announcement_id"]
DISPOSITION = "merge"


class Model(pa.DataFrameModel):
    announcement_id: Series[str] = pa.Field(str_matches=r"^\d+$")
    code: Series[str] = pa.Field(str_matches=r"^\d{6}$")
    title: Series[str] = pa.Field(str_length={"min_value": 1})
    report_kind: Series[str] = pa.Field(isin=["annual", "h1", "q1", "q3"])
    report_period: Series[str] = pa.Field(nullable=True, str_matches=r"^20\d{2}(Q1|H1|Q3)?$")
    published_at: Series[pd.Timestamp] = pa.Field(nullable=False)
    pdf_url: Series[str] = pa.Field(str_matches=r"^https://static\.cninfo\.com\.cn/.+")
    detail_url: Series[str] = pa.Field(str_matches=r"^https://www\.cninfo\.com\.cn/")

    class Config:
        unique = KEY
        coerce = True
        strict = False  # the loader adds snapshot_sha256 and run_id
