"""Counts for the fault-injection suite, printed at the end of the test session (conftest hook)."""

from __future__ import annotations

TALLY: dict[str, int] = {"faults": 0, "recovered": 0, "rows_lost": 0}
FAULTS: list[str] = []


def record(fault: str, *, recovered: bool, rows_lost: int) -> None:
    """One fault was injected; say whether the next run completed and how many rows went missing."""
    TALLY["faults"] += 1
    TALLY["recovered"] += int(recovered)
    TALLY["rows_lost"] += rows_lost
    FAULTS.append(f"{fault}: {'recovered' if recovered else 'NOT recovered'}, rows lost {rows_lost}")


def summary() -> str | None:
    if not TALLY["faults"]:
        return None
    return (f"fault injection: {TALLY['faults']} faults tried, {TALLY['recovered']} runs recovered, "
            f"rows lost: {TALLY['rows_lost']}")
