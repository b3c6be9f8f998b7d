"""pandera model for staging.page_checks: one check of one registry figure against one page snapshot."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

TABLE = "staging.page_checks"
KEY = ["figure_id", "url", "snapshot_sha256"]
DISPOSITION = "append_new"


class Model(pa.DataFrameModel):
    figure_id: Series[str] = pa.Field(str_length={"min_value": 1})
    url: Series[str] = pa.Field(str_matches=r"^https?://")
    status: Series[str] = pa.Field(isin=["confirmed", "changed", "not_found"])
    expected_value: Series[float] = pa.Field(nullable=True)
    found_value: Series[float] = pa.Field(nullable=True)
    message: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        coerce = True
        strict = False
