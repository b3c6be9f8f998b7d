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


@pytest.fixture(scope="session", autouse=True)
def shared_font_cache(tmp_path_factory):
    """One cache of cut font subsets for the whole session (as one machine keeps one): each
    distinct set of characters is still cut once, for real; the reports that repeat it reuse it."""
    os.environ["AIPIPE_FONT_CACHE"] = str(tmp_path_factory.mktemp("font-cache"))
    yield
    os.environ.pop("AIPIPE_FONT_CACHE", None)


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


# --- reports (tests/test_report.py, test_charts.py, test_edition.py) ---------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """dump_dom(path) -> the DOM headless Chromium renders for a local HTML file (no network)."""
    import shutil
    import subprocess

    binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if binary is None:
        pytest.fail("headless Chromium is needed for the report rendering tests: `make browser` "
                    "(or `apt-get install -y chromium`) installs it")

    def dump_dom(path: Path) -> str:
        profile = tmp_path_factory.mktemp("chromium-profile")
        done = subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                               Path(path).resolve().as_uri()], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    return dump_dom


@pytest.fixture(scope="session")
def reported_run(tmp_path_factory, sec_fixtures, seed_article):
    """An offline refresh of every source family with one bad SEC row whose offending value is a
    <script>, and an article whose title carries a <script>; then the run's reports.
    Returns (settings, run_id, RunReport)."""
    import orjson

    from aipipe.ingest.refresh import refresh_direct
    from aipipe.report.run_report import build_run_report
    from tests.support.warehouse import settings_in, store_companyfacts

    tmp = tmp_path_factory.mktemp("reported")
    article = tmp / "article.txt"
    text = seed_article.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("# "))
    article.write_text(text.replace(title, title + " <script>alert('title')</script>", 1), encoding="utf-8")
    settings = settings_in(tmp, article_source=str(article))
    doc = orjson.loads((sec_fixtures / "companyfacts" / "CIK0001652044.trimmed.json").read_bytes())
    revenues = doc["facts"]["us-gaap"]["Revenues"]["units"]["USD"]
    revenues[0] = {**revenues[0], "accn": "<script>alert('accn')</script>"}
    store_companyfacts(settings, 1652044, orjson.dumps(doc))
    run, outcome, _ = refresh_direct(settings)
    return settings, run.run_id, build_run_report(settings, run.run_id)


@pytest.fixture(scope="session")
def prefect_api_url(prefect_harness) -> str:
    """The session's temporary Prefect API, for child processes (`aipipe refresh` via PREFECT_API_URL)."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def pytest_terminal_summary(terminalreporter):
    """The fault-injection suite's counts (tests/test_faults.py), whatever the capture mode."""
    from tests.support.fault_tally import FAULTS, summary

    line = summary()
    if line:
        terminalreporter.write_sep("-", "fault injection")
        for fault in FAULTS:
            terminalreporter.write_line(f"  {fault}")
        terminalreporter.write_line(line)
