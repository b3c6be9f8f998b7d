"""Access to the DuckDB warehouse: connections and the single-writer lock, the SQL in the
repository's `warehouse/` folder, the one-transaction load, the run ledger, and as-of views."""
