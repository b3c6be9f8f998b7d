"""Shared test fixtures: where the real SEC/ECB files and the seed article live.

The real files sit in `../shared/` beside the repository (read from there, never copied in).
`AIPIPE_SHARED` overrides the location.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Prefect must never touch a user's profile or the network during tests: a private home, no
# telemetry, quiet logs. Set before anything imports prefect.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="aipipe-prefect-"))
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "CRITICAL")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AIPIPE_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"shared fixtures not found at {SHARED}; set AIPIPE_SHARED")
    return SHARED


@pytest.fixture(scope="session")
def sec_fixtures(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "sec"


@pytest.fixture(scope="session")
def fx_fixtures(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "fx"


@pytest.fixture(scope="session")
def seed_article(shared_dir: Path) -> Path:
    files = sorted((shared_dir / "seeds").glob("*.txt"))
    if not files:
        pytest.fail(f"no seed article in {shared_dir / 'seeds'}")
    return files[0]


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for the whole session (start-up costs ~10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
