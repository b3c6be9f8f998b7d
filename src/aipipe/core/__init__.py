"""Shared helpers with no domain knowledge: the polite HTTP client, the snapshot store, run ids
and the fault-injection hooks. Every other room may import from here; this room imports none."""
