"""cninfo's disclosure listing as a source: a real recorded response parsed; the polite POST
to a real local HTTP server (the form cninfo expects, snapshotted, garbage kept out); the
periodic report a member's figures rest on shown in marts.ashare_ai_applications."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs

import duckdb
import pytest

from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import SnapshotStore, utc_now
from aipipe.ingest.refresh import http_client
from aipipe.ingest.stage import stage_source
from aipipe.sources.base import acquire
from aipipe.sources.cninfo import CninfoError, Member, listing_source, load_basket, parse_listing
from aipipe.sources.figures import registry_content, registry_frame, registry_source
from aipipe.warehouse.ledger import RunRecord
from aipipe.warehouse.load import load_run
from aipipe.warehouse.sql import loaded_snapshots
from tests.support.fault_server import FaultServer, Reply
from tests.support.warehouse import settings_in

REAL = Path(__file__).parent / "data" / "cninfo" / "hisAnnouncement_query_600600_excerpt.json"
QUERY = "/new/hisAnnouncement/query"


def run(settings, specs):
    record = RunRecord(new_run_id(), "test", utc_now(), settings.offline)
    store, client, loaded = SnapshotStore(settings.data_dir), http_client(settings), loaded_snapshots(settings.db_path)
    results = [stage_source(s, acquire(s, store, client), settings.data_dir / "runs" / record.run_id,
                            record.run_id, loaded) for s in specs]
    load_run(settings.db_path, record, results)
    return results


def announcements(settings):
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        return con.execute("SELECT announcement_id, report_kind, report_period, published_at, pdf_url "
                           "FROM staging.cninfo_announcements ORDER BY announcement_id").fetchall()
    finally:
        con.close()


def test_the_recorded_response_gives_its_periodic_report():
    frame = parse_listing(REAL.read_bytes())
    # Two announcements: a shareholder notice (not a periodic report) and the 2020 half-year report.
    assert len(json.loads(REAL.read_bytes())["announcements"]) == 2 and len(frame) == 1
    row = frame.iloc[0]
    assert (row["announcement_id"], row["report_kind"], row["report_period"]) == ("1208345383", "h1", "2020H1")
    assert row["published_at"] == datetime(2020, 8, 31)  # 1598803200000 ms is midnight in Beijing
    assert row["pdf_url"] == "https://static.cninfo.com.cn/finalpage/2020-08-31/1208345383.PDF"
    assert "announcementId=1208345383" in row["detail_url"] and "announcementTime=2020-08-31" in row["detail_url"]
    with pytest.raises(CninfoError, match="no 'announcements'"):
        parse_listing(b'{"data": []}')
    with pytest.raises(CninfoError, match="not JSON"):
        parse_listing(b"<html>busy</html>")


def test_the_listing_is_asked_for_politely_and_garbage_keeps_what_was_loaded(tmp_path):
    basket = load_basket()
    with FaultServer() as server:
        settings = settings_in(tmp_path).with_overrides(offline=False, http_retries=0,
                                                        cninfo_base_url=server.url)
        spec = listing_source(settings, Member("600600", "青岛啤酒", "sh", "gssh0600600"), basket)
        server.route(QUERY, Reply(200, REAL.read_bytes(), {"Content-Type": "application/json"}))
        (first,) = run(settings, [spec])
        assert (first.origin, first.status, first.rows_valid) == ("live", "staged", 1)
        (request,) = server.hits(QUERY)
        form = {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}
        assert request.method == "POST" and request.headers["user-agent"].startswith("aipipe/")
        assert form["stock"] == "600600,gssh0600600" and (form["column"], form["plate"]) == ("sse", "sh")
        assert (form["category"], form["seDate"]) == (basket.categories, basket.window)
        loaded = announcements(settings)

        server.route(QUERY, Reply(200, b"<html>\xe7\xb3\xbb\xe7\xbb\x9f\xe7\xb9\x81\xe5\xbf\x99</html>"))
        (garbage,) = run(settings, [spec])
        assert garbage.status == "error" and "not JSON" in garbage.message
        assert announcements(settings) == loaded


def test_a_members_figures_name_the_report_they_rest_on(tmp_path, monkeypatch):
    # A listing in the recorded response's shape for 金山办公 (constructed: the three titles and
    # ids are made up for the test), and the registry's figures for the member.
    listing = json.loads(REAL.read_bytes())
    item = listing["announcements"][1]
    listing["announcements"] = [
        {**item, "secCode": "688111", "secName": "金山办公", "orgId": "9900035303", "announcementId": str(n),
         "announcementTitle": title, "announcementTime": 1744992000000 + n, "adjunctUrl": f"finalpage/x/{n}.PDF"}
        for n, title in ((1, "2024年年度报告"), (2, "2024年年度报告摘要"), (3, "2025年第一季度报告"))]
    with FaultServer() as server:
        settings = settings_in(tmp_path).with_overrides(offline=False, cninfo_base_url=server.url)
        server.route(QUERY, Reply(200, json.dumps(listing, ensure_ascii=False).encode()))
        basket = load_basket()
        member = next(m for m in basket.members if m.code == "688111")
        run(settings, [listing_source(settings, member, basket), registry_source()])
    assert [(a[0], a[2]) for a in announcements(settings)] == [("1", "2024"), ("3", "2025Q1")]
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        rows = dict(con.execute("SELECT period, filing_url FROM marts.ashare_ai_applications "
                                "WHERE code = '688111'").fetchall())
    finally:
        con.close()
    assert rows == {"2024": "https://static.cninfo.com.cn/finalpage/x/1.PDF",
                    "2025Q1": "https://static.cninfo.com.cn/finalpage/x/3.PDF"}


def test_every_a_share_figure_belongs_to_a_named_member():
    basket = load_basket()
    codes = {m.code for m in basket.members}
    assert len(codes) == len(basket.members) >= 10 and basket.definition and basket.cited_note
    figures = registry_frame(registry_content())
    a_share = figures[figures["ticker"].fillna("").str.fullmatch(r"\d{6}")]
    assert len(a_share) and set(a_share["ticker"]) <= codes
    assert set(a_share["currency"]) == {"CNY"} and set(a_share["metric"]) == {"revenue", "net_profit"}
