"""Run ids and the one-line error text every ledger and summary uses."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


def new_run_id(prefix: str = "") -> str:
    """`YYYYmmddTHHMMSSZ-xxxxxx` (UTC, then 6 random hex digits), after `prefix` if given."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    return f"{prefix}-{stamp}" if prefix else stamp


def first_line(exc: BaseException, limit: int = 300) -> str:
    """The first line of an exception's message (at most `limit` characters), else its type."""
    text = str(exc).strip().splitlines()
    return text[0][:limit] if text else type(exc).__name__
