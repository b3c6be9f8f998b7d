"""aipipe: tracks the money in AI from public sources into a DuckDB warehouse."""

__version__ = "0.1.0"
