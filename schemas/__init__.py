"""pandera models, one module per staging table.

Each module defines `Model` (a pandera DataFrameModel), `TABLE` (the staging table it guards),
`KEY` (the columns that make a row unique) and `DISPOSITION`, the named write rule the loader
applies: `append_new` (insert rows whose key is not yet present; never update: history is kept),
`merge` (insert new keys, update changed values), or `replace` (the table has one owner source,
whose latest snapshot replaces the table's contents).
"""

from __future__ import annotations

import importlib
from types import ModuleType

# staging table name -> module in this package
MODULES = {
    "sec_facts": "schemas.sec_facts",
    "fx_rates": "schemas.fx_rates",
    "reported_figures": "schemas.reported_figures",
    "page_checks": "schemas.page_checks",
    "article_claims": "schemas.article_claims",
    "sec_tickers": "schemas.sec_tickers",
    "sec_submissions": "schemas.sec_submissions",
    "sec_frames": "schemas.sec_frames",
    "cninfo_announcements": "schemas.cninfo_announcements",
    "epoch_revenue": "schemas.epoch_revenue",
}


def for_table(table: str) -> ModuleType:
    """The schema module guarding `staging.<table>`."""
    try:
        return importlib.import_module(MODULES[table])
    except KeyError:
        raise KeyError(f"no pandera schema registered for staging.{table}; add it to schemas.MODULES") from None
