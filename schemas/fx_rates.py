"""Pandera model for staging.fx_rates: one ECB reference rate per day and currency pair.

Rates are units of `quote` per 1 `base` (the ECB publishes EUR-based rates). A missing quote is
an absent row, so `rate` is never null, zero or infinite; a same-currency row would be a silent
1.0 and is rejected.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine
from pandera.typing import Series

TABLE = "staging.fx_rates"
KEY = ["rate_date", "base", "quote"]
DISPOSITION = "merge"

_ISO_CODE = r"^[A-Z]{3}$"


class Model(pa.DataFrameModel):
    """Rows of staging.fx_rates as produced by `aipipe.sources.fx` parsers."""

    rate_date: Series[pandas_engine.Date] = pa.Field(nullable=False)
    base: Series[str] = pa.Field(str_matches=_ISO_CODE)
    quote: Series[str] = pa.Field(str_matches=_ISO_CODE)
    rate: Series[float] = pa.Field(gt=0)
    source: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        unique = KEY
        coerce = True
        strict = False  # the loader adds snapshot_sha256 and run_id

    @pa.check("rate", name="rate_is_finite")
    def _rate_is_finite(cls, rate: Series[float]) -> Series[bool]:
        return pd.Series(np.isfinite(rate.to_numpy()), index=rate.index)

    @pa.dataframe_check(name="quote_differs_from_base")
    def _quote_differs_from_base(cls, frame: pd.DataFrame) -> Series[bool]:
        return frame["quote"] != frame["base"]
