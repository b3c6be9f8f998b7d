"""Fault injection against a real HTTP server on 127.0.0.1 (tests/support/fault_server.py) and real
refresh processes killed with SIGKILL: after every fault the warehouse opens, no row it held is
lost, and the next run completes. The counts are printed at the end of the session.

Faults: a response slower than the client's timeout, a connection reset, a 429 burst with
Retry-After, 5xx (persistent, and transient), a truncated body, a malformed body, a news page whose
layout changed, a DNS failure (a `.invalid` host); and a refresh killed during its fetch, after
staging (holding the writer lock), and inside its load transaction (pipeline and `aipipe refresh`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pytest

from aipipe.core.http import RETRY_STATUSES
from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import SnapshotStore, utc_now
from aipipe.ingest.refresh import http_client, refresh_direct, refresh_run
from aipipe.ingest.stage import stage_source
from aipipe.settings import Settings
from aipipe.sources.base import acquire
from aipipe.warehouse.ledger import RunRecord
from aipipe.warehouse.load import load_run
from aipipe.warehouse.sql import loaded_snapshots
from tests.support import fault_tally
from tests.support.fault_server import FaultServer, Reply
from tests.support.ops import (
    RefreshProcess,
    as_company,
    companyfacts_versions,
    differences,
    refresh_env,
    rows_lost,
    table_contents,
    write_watchlist,
)

GOOGL, SNOW = 1652044, 1640147
GOOGL_PATH = f"/api/xbrl/companyfacts/CIK{GOOGL:010d}.json"
SNOW_PATH = f"/api/xbrl/companyfacts/CIK{SNOW:010d}.json"
GOOGL_SOURCE, SNOW_SOURCE = f"sec:CIK{GOOGL:010d}", f"sec:CIK{SNOW:010d}"
FINISHED = ("success", "no_change", "partial")


@dataclass
class World:
    settings: Settings
    server: FaultServer
    v1: bytes  # what the warehouse holds after the baseline run
    v2: bytes  # a newer version: three more revenue facts
    snow: bytes
    baseline_rows: int

    def healthy(self, googl: bytes | None = None) -> None:
        self.server.route(GOOGL_PATH, Reply(200, googl or self.v1, etag=f'"g{len(googl or self.v1)}"'))
        self.server.route(SNOW_PATH, Reply(200, self.snow, etag='"s1"'))

    def contents(self) -> dict:
        return table_contents(self.settings.db_path)


@pytest.fixture()
def world(tmp_path, sec_fixtures, monkeypatch):
    monkeypatch.setenv("AIPIPE_WATCHLIST", str(write_watchlist(tmp_path / "watchlist.toml",
                                                               {"GOOGL": GOOGL, "SNOW": SNOW})))
    v1, v2 = companyfacts_versions(sec_fixtures)
    with FaultServer() as server:
        settings = Settings(db_path=tmp_path / "wh" / "aipipe.duckdb", data_dir=tmp_path / "data",
                            reports_dir=tmp_path / "reports", offline=False, contact="fault-tests@example.invalid",
                            sec_base_url=server.url, sec_www_url=server.url, http_timeout_s=0.5, http_retries=2)
        world = World(settings, server, v1, v2, as_company(v1, SNOW, "Snowflake (test copy)"), 0)
        world.healthy()
        _, outcome, _ = refresh_direct(settings, ["sec"])
        assert outcome.status == "success"
        world.baseline_rows = sum(outcome.rows_inserted.values())
        assert world.baseline_rows > 0
        yield world


def by_source(results) -> dict:
    return {r.source: r for r in results}


def recover(world: World, fault: str, before: dict, googl: bytes | None = None) -> None:
    """Serve healthy responses again; the next run must complete and no row of `before` be lost."""
    world.healthy(googl)
    _, outcome, results = refresh_direct(world.settings, ["sec"])
    sources = by_source(results)
    recovered = outcome.status in ("success", "no_change") and \
        all(sources[s].status in ("staged", "no_change") for s in (GOOGL_SOURCE, SNOW_SOURCE))
    lost = rows_lost(before, world.contents(), ignore=("audit.runs",))
    fault_tally.record(fault, recovered=recovered, rows_lost=lost)
    assert recovered, [(r.source, r.status, r.message, r.notes) for r in results]
    assert lost == 0


# --- HTTP faults: each run falls back or retries; nothing already loaded changes -------------------

FALLBACK_FAULTS = {
    # fault name: (replies for GOOGL's URL, words the source's notes must contain)
    "slow response past the timeout": ([Reply(200, b"late", delay_s=1.5)], "timed out"),
    "connection reset": ([Reply(reset=True)], "Connection reset by peer"),
    "5xx persistent": ([Reply(503), Reply(500), Reply(502)], "HTTP 502"),
    "truncated body": ([Reply(200, b"x" * 4096, truncate_to=1000)], "closed before the whole body"),
}


@pytest.mark.parametrize("fault", list(FALLBACK_FAULTS))
def test_fetch_fault_falls_back_to_the_stored_snapshot(world, fault):
    replies, words = FALLBACK_FAULTS[fault]
    before = world.contents()
    world.server.route(GOOGL_PATH, *replies)
    started = time.monotonic()
    run, outcome, results = refresh_direct(world.settings, ["sec"])
    googl, snow = by_source(results)[GOOGL_SOURCE], by_source(results)[SNOW_SOURCE]
    assert googl.origin == "local" and googl.status == "no_change", googl
    assert any(words in note for note in googl.notes), googl.notes
    assert len(world.server.hits(GOOGL_PATH)) >= 1 + world.settings.http_retries  # retried, then gave up
    assert snow.origin == "not_modified" and snow.status == "no_change"
    assert outcome.status == "no_change"
    assert time.monotonic() - started < 15
    assert differences(before, world.contents()).keys() <= {"audit.runs", "audit.source_loads"}
    recover(world, fault, before)


def test_429_burst_honours_retry_after_then_loads(world):
    before = world.contents()
    world.server.route(GOOGL_PATH, Reply(429, b"slow down", {"Retry-After": "1"}),
                       Reply(429, b"slow down", {"Retry-After": "0"}), Reply(200, world.v2, etag='"g2"'))
    _, outcome, results = refresh_direct(world.settings, ["sec"])
    googl = by_source(results)[GOOGL_SOURCE]
    hits = [h for h in world.server.hits(GOOGL_PATH)][-3:]
    assert hits[1].at - hits[0].at >= 0.9  # waited the Retry-After second
    assert googl.origin == "live" and googl.status == "staged" and "3 attempt(s)" in " ".join(googl.notes)
    assert outcome.rows_inserted[GOOGL_SOURCE] == 3 and outcome.status == "success"
    recover(world, "429 burst", before, googl=world.v2)


def test_transient_5xx_is_retried_and_loads(world):
    assert {500, 502, 503} <= RETRY_STATUSES
    before = world.contents()
    world.server.route(GOOGL_PATH, Reply(503, b"busy", {"Retry-After": "0"}), Reply(200, world.v2, etag='"g2"'))
    _, outcome, results = refresh_direct(world.settings, ["sec"])
    assert by_source(results)[GOOGL_SOURCE].status == "staged"
    assert outcome.rows_inserted[GOOGL_SOURCE] == 3
    recover(world, "5xx then success", before, googl=world.v2)


def test_malformed_body_is_an_error_named_for_its_source_and_others_load(world):
    before = world.contents()
    world.server.route(GOOGL_PATH, Reply(200, b'{"cik": 1652044, "facts": {"us-gaap": {"Revenues": ', etag='"bad"'))
    world.server.route(SNOW_PATH, Reply(200, as_company(world.v2, SNOW, "Snowflake (test copy)"), etag='"s2"'))
    run, outcome, results = refresh_direct(world.settings, ["sec"])
    googl, snow = by_source(results)[GOOGL_SOURCE], by_source(results)[SNOW_SOURCE]
    assert googl.status == "error" and GOOGL_SOURCE in googl.message and "Malformed JSON" in googl.message
    assert snow.status == "staged" and outcome.rows_inserted[SNOW_SOURCE] == 3
    assert outcome.status == "partial"
    assert rows_lost(before, world.contents()) == 0
    recover(world, "malformed body", before)


def test_dns_failure_falls_back_at_once(world):
    before = world.contents()
    offline_dns = replace(world.settings, sec_base_url="http://sec-fault-test.invalid")
    started = time.monotonic()
    _, outcome, results = refresh_direct(offline_dns, ["sec"])
    googl = by_source(results)[GOOGL_SOURCE]
    assert googl.origin == "local" and googl.status == "no_change"
    assert any(n.startswith("network unreachable") for n in googl.notes), googl.notes
    assert time.monotonic() - started < 10  # no retries on a failed name lookup
    assert outcome.status == "no_change"
    recover(world, "DNS failure", before)


def test_news_page_layout_change_is_flagged_and_keeps_the_earlier_check(world):
    """A page that stated a figure changes layout: the new check says not_found, the earlier
    `confirmed` check stays, and nothing already loaded is lost."""
    from aipipe.sources.figures import registry_content, registry_frame
    from aipipe.sources.news.checks import news_sources

    registry = registry_frame(registry_content())
    figure = registry[registry["figure_id"] == "openai-annualized_revenue-2023-12"].head(1).copy()
    assert len(figure) == 1, "the registry figure this test uses is gone; pick another"
    figure["url"] = world.server.url + "/news/openai-revenue.html"
    figure["via"] = None  # the page is fetched at its own address
    spec = news_sources(world.settings, registry=figure)[0]
    story = (b"<html><head><title>OpenAI to reach $2 billion revenue</title></head><body><article>"
             b"<h1>OpenAI to reach $2 billion revenue</h1><p>OpenAI's annualized revenue reached $2 billion "
             b"in December 2023, according to the Financial Times, as ChatGPT subscriptions grew.</p>"
             b"<p>The company has not commented on the figures.</p></article></body></html>")
    app_shell = (b"<html><head><title>Loading</title></head><body><div id='app'></div>"
                 b"<script>window.__STATE__ = {};</script></body></html>")
    world.server.route("/news/openai-revenue.html", Reply(200, story, {"Content-Type": "text/html"}))
    first = _run_specs(world.settings, [spec])[0]
    assert first.status == "staged", first
    before = world.contents()
    world.server.route("/news/openai-revenue.html", Reply(200, app_shell, {"Content-Type": "text/html"}))
    changed = _run_specs(world.settings, [spec])[0]
    assert changed.status == "staged", changed
    con = duckdb.connect(str(world.settings.db_path), read_only=True)
    try:
        checks = con.execute("SELECT status, message FROM staging.page_checks ORDER BY checked_at").fetchall()
    finally:
        con.close()
    assert [s for s, _ in checks] == ["confirmed", "not_found"], checks
    assert checks[1][1]
    lost = rows_lost(before, world.contents(), ignore=("audit.runs",))
    world.server.route("/news/openai-revenue.html", Reply(200, story, {"Content-Type": "text/html"}))
    again = _run_specs(world.settings, [spec])[0]
    recovered = again.status in ("staged", "no_change")
    fault_tally.record("news page layout change", recovered=recovered, rows_lost=lost)
    assert recovered and lost == 0


def _run_specs(settings: Settings, specs):
    """One run over `specs` through the same functions as a refresh (ledger, acquire, stage, load)."""
    run = RunRecord(new_run_id(), "test", utc_now(), settings.offline)
    with refresh_run(settings, run):
        loaded = loaded_snapshots(settings.db_path)
        store = SnapshotStore(settings.data_dir)
        results = [stage_source(spec, acquire(spec, store, http_client(settings)),
                                settings.data_dir / "runs" / run.run_id, run.run_id, loaded) for spec in specs]
        load_run(settings.db_path, run, results)
    return results


def test_304_rerun_parses_nothing_and_writes_no_fact_rows(world):
    """The cheap re-run through the live client: conditional GETs answered 304, nothing parsed."""
    before = world.contents()
    _, outcome, results = refresh_direct(world.settings, ["sec"])
    for source, path in ((GOOGL_SOURCE, GOOGL_PATH), (SNOW_SOURCE, SNOW_PATH)):
        result = by_source(results)[source]
        assert result.origin == "not_modified" and result.status == "no_change"
        assert result.rows_in == 0 and result.valid_path is None and "nothing parsed" in result.message
        assert world.server.hits(path)[-1].headers.get("if-none-match")
    assert outcome.status == "no_change" and not any(outcome.rows_inserted.values())
    assert differences(before, world.contents()).keys() <= {"audit.runs", "audit.source_loads"}


# --- killed refreshes ------------------------------------------------------------------------------

def _killed_refresh(world: World, fault: str, tmp_path: Path, *, pause_at: str | None, cli: bool = False,
                    api_url: str | None = None) -> None:
    before = world.contents()
    if pause_at:
        world.healthy(world.v2)
    else:  # killed while its request is in flight: the server holds the answer back
        world.server.route(GOOGL_PATH, Reply(200, world.v2, delay_s=60))
    extra = {"AIPIPE_WATCHLIST": str(tmp_path / "watchlist.toml"), "AIPIPE_TEST_PAUSE_S": "60"}
    if pause_at:
        extra["AIPIPE_TEST_PAUSE_AT"] = pause_at
    if api_url:
        extra["PREFECT_API_URL"] = api_url
    requests_before = len(world.server.hits(GOOGL_PATH))
    child = RefreshProcess(refresh_env(world.settings, **extra), cli=cli)
    if pause_at:
        child.wait_for(f"paused at {pause_at}", timeout_s=90)
    else:
        deadline = time.monotonic() + 60
        while len(world.server.hits(GOOGL_PATH)) == requests_before:  # wait for its request to arrive
            assert time.monotonic() < deadline and child.process.poll() is None, child.lines
            time.sleep(0.05)
    child.kill()
    # The warehouse opens; everything it held is intact; only the ledger shows the dead run.
    after_kill = world.contents()
    assert differences(before, after_kill) == {"audit.runs": (0, 1)}, differences(before, after_kill)
    dead = [row for row in after_kill["audit.runs"] if row not in before["audit.runs"]]
    con = duckdb.connect(str(world.settings.db_path), read_only=True)
    try:
        columns = [c[0] for c in con.execute("DESCRIBE audit.runs").fetchall()]
    finally:
        con.close()
    dead_run = dict(zip(columns, dead[0], strict=True))
    assert dead_run["status"] == "running" and dead_run["pid"] == child.process.pid
    # The next run completes, loads what the dead one could not, and marks it abandoned.
    world.healthy(world.v2)
    _, outcome, results = refresh_direct(world.settings, ["sec"])
    recovered = outcome.status == "success" and outcome.rows_inserted[GOOGL_SOURCE] == 3
    final = world.contents()
    lost = rows_lost(before, final, ignore=("audit.runs",))
    fault_tally.record(fault, recovered=recovered, rows_lost=lost)
    assert recovered, [(r.source, r.status, r.message) for r in results]
    assert lost == 0
    statuses = {row[columns.index("run_id")]: row[columns.index("status")] for row in final["audit.runs"]}
    assert statuses[dead_run["run_id"]] == "abandoned"


def test_refresh_killed_during_fetch(world, tmp_path):
    _killed_refresh(world, "SIGKILL during fetch", tmp_path, pause_at=None)


def test_refresh_killed_after_staging_holding_the_lock(world, tmp_path):
    _killed_refresh(world, "SIGKILL after staging", tmp_path, pause_at="stage")


def test_refresh_killed_inside_the_load_transaction(world, tmp_path):
    _killed_refresh(world, "SIGKILL inside the load transaction", tmp_path, pause_at="load")


def test_aipipe_refresh_command_killed_inside_the_load_transaction(world, tmp_path, prefect_api_url):
    """The real command (Prefect flow against the session's API), killed mid-transaction."""
    _killed_refresh(world, "SIGKILL of `aipipe refresh` inside the load", tmp_path, pause_at="load", cli=True,
                    api_url=prefect_api_url)
