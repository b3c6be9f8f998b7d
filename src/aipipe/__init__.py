"""aipipe: tracks the money in AI from public sources into a DuckDB warehouse."""
