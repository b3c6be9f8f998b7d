"""Reports: validation report, article tables, charts, living edition."""
