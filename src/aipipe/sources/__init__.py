"""Public sources: one module per source; each fetches live, snapshots, and parses."""
