"""SEC's frames API as a source: the real response parsed, then served by a real HTTP server on
127.0.0.1 — 200 with an ETag, 304 on the next run, 404 for a frame no filer has reached (zero
rows, not an error), a truncated body (the stored snapshot is kept, no row lost) — and a frame's
values reaching the basket mart as filings with their accession."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import SnapshotStore, utc_now
from aipipe.ingest.refresh import http_client
from aipipe.ingest.stage import stage_source
from aipipe.sources.base import acquire
from aipipe.sources.sec.frames import FramesError, frame_source, frames_sources, parse_frame
from aipipe.sources.sec.watchlist import load_watchlist
from aipipe.warehouse.ledger import RunRecord
from aipipe.warehouse.load import load_run
from aipipe.warehouse.sql import loaded_snapshots
from tests.support.fault_server import FaultServer, Reply
from tests.support.warehouse import settings_in

CONCEPT = "RevenueFromContractWithCustomerExcludingAssessedTax"
FRAME = Path(__file__).parent / "data" / "sec" / f"frames_{CONCEPT}_USD_CY2024Q2.json"
PATH = f"/api/xbrl/frames/us-gaap/{CONCEPT}/USD/CY2024Q2.json"


def run(settings, specs):
    record = RunRecord(new_run_id(), "test", utc_now(), settings.offline)
    store = SnapshotStore(settings.data_dir)
    client = http_client(settings)
    loaded = loaded_snapshots(settings.db_path)
    results = [stage_source(s, acquire(s, store, client), settings.data_dir / "runs" / record.run_id,
                            record.run_id, loaded) for s in specs]
    load_run(settings.db_path, record, results)
    return results[0]


def frame_rows(settings):
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        return con.execute("SELECT cik, value, accession FROM staging.sec_frames ORDER BY cik").fetchall()
    finally:
        con.close()


def test_the_real_frame_parses_to_one_row_per_filer():
    document = json.loads(FRAME.read_bytes())
    frame = parse_frame(FRAME.read_bytes())
    assert len(frame) == document["pts"] == 15
    assert set(frame["frame"]) == {"CY2024Q2"} and set(frame["concept"]) == {CONCEPT}
    first = document["data"][0]
    row = frame.iloc[0]
    assert (row["cik"], row["value"], row["accession"], str(row["period_end"])) == (
        first["cik"], first["val"], first["accn"], first["end"])
    with pytest.raises(FramesError, match="not JSON"):
        parse_frame(FRAME.read_bytes()[:500])
    with pytest.raises(FramesError, match="no 'data' list"):
        parse_frame(b'{"taxonomy": "us-gaap"}')


def test_the_watchlist_names_one_source_per_tag_and_quarter(tmp_path):
    watchlist = load_watchlist()
    specs = frames_sources(settings_in(tmp_path), watchlist)
    assert watchlist.frame_periods and specs
    assert {s.url.rsplit("/", 1)[1].removesuffix(".json") for s in specs} == set(watchlist.frame_periods)
    assert all(s.family == "sec" and s.table == "sec_frames" and s.absent_is_empty for s in specs)


def test_served_304_404_and_truncated(tmp_path):
    body = FRAME.read_bytes()
    with FaultServer() as server:
        settings = settings_in(tmp_path).with_overrides(offline=False, http_retries=1, sec_base_url=server.url)
        spec = frame_source(settings, "us-gaap", CONCEPT, "USD", "CY2024Q2")
        server.route(PATH, Reply(200, body, etag='"frame-1"'))
        first = run(settings, [spec])
        assert (first.origin, first.status, first.rows_valid) == ("live", "staged", 15)
        loaded = frame_rows(settings)

        again = run(settings, [spec])  # the server answers 304 to the stored ETag
        assert again.origin == "not_modified" and again.status == "no_change"
        assert server.hits(PATH)[-1].headers.get("if-none-match") == '"frame-1"'

        server.route(PATH, Reply(200, body, truncate_to=len(body) // 2))
        cut = run(settings, [spec])
        assert cut.origin == "local" and cut.status in ("no_change", "staged")
        assert any("live fetch failed" in n for n in cut.notes)
        assert frame_rows(settings) == loaded  # nothing lost

        empty = frame_source(settings, "us-gaap", CONCEPT, "USD", "CY2031Q1")
        server.route("/api/xbrl/frames/us-gaap/" + CONCEPT + "/USD/CY2031Q1.json", Reply(404, b"Not Found"))
        none_yet = run(settings, [empty])
        assert none_yet.status == "staged" and none_yet.rows_valid == 0
        assert any("has no data yet" in n for n in none_yet.notes)
        assert frame_rows(settings) == loaded


def test_a_frame_value_reaches_the_basket_as_a_filing(tmp_path, monkeypatch):
    watchlist = tmp_path / "watchlist.toml"
    watchlist.write_text('[companies]\nMU = 723125\n\n[baskets]\nus_app_software = ["MU"]\n', encoding="utf-8")
    monkeypatch.setenv("AIPIPE_WATCHLIST", str(watchlist))
    with FaultServer() as server:
        settings = settings_in(tmp_path).with_overrides(offline=False, sec_base_url=server.url)
        server.route(PATH, Reply(200, FRAME.read_bytes()))
        run(settings, [frame_source(settings, "us-gaap", CONCEPT, "USD", "CY2024Q2")])
    micron = next(p for p in json.loads(FRAME.read_bytes())["data"] if p["cik"] == 723125)
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        row = con.execute("SELECT revenue_usd, revenue_accession, source_kind, source_tier, period_end "
                          "FROM marts.us_app_software_quarterly WHERE ticker = 'MU' AND calendar_year = 2024 "
                          "AND calendar_quarter = 2").fetchall()
    finally:
        con.close()
    assert row == [(micron["val"], micron["accn"], "sec_frames", "primary", date.fromisoformat(micron["end"]))]
