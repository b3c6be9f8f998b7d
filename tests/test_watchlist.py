"""The watchlist: tickers with pinned CIKs or resolved through SEC's ticker file, checks reported;
end to end with the ticker file served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import dataclasses

import duckdb
import orjson
import pytest

from aipipe.ingest.refresh import refresh_direct
from aipipe.sources.sec.tickers import parse_tickers
from aipipe.sources.sec.watchlist import WatchlistError, load_watchlist, resolve_watchlist
from tests.support.fault_server import FaultServer, Reply
from tests.support.warehouse import settings_in

# A ticker file in SEC's shape (https://www.sec.gov/files/company_tickers.json); the CIKs are the
# companies' real ones (as in watchlist.toml). Made by hand for the test: SEC's file is not in
# ../shared.
TICKER_FILE = orjson.dumps({
    "0": {"cik_str": 789019, "ticker": "MSFT", "title": "MICROSOFT CORP"},
    "1": {"cik_str": 1652044, "ticker": "GOOGL", "title": "Alphabet Inc."},
    "2": {"cik_str": 1652044, "ticker": "GOOG", "title": "Alphabet Inc."},
    "3": {"cik_str": 1640147, "ticker": "SNOW", "title": "Snowflake Inc."},
    "4": {"cik_str": 1067983, "ticker": "BRK-B", "title": "BERKSHIRE HATHAWAY INC"},
})


def write_watchlist(tmp_path, text: str):
    path = tmp_path / "watchlist.toml"
    path.write_text(text)
    return path


def test_the_shipped_watchlist_pins_every_basket_member():
    watchlist = load_watchlist()
    assert watchlist.members("hyperscalers") == ["META", "MSFT", "GOOGL", "AMZN"]
    assert set(watchlist.members("us_app_software")) >= {"CRM", "ADBE", "NOW", "PLTR", "INTU", "WDAY", "SNOW", "DDOG"}
    assert watchlist.pending == []
    assert {c.ticker for c in watchlist.refresh_companies()} == set(watchlist.configured)


def test_zero_and_basket_only_tickers_are_pending(tmp_path):
    watchlist = load_watchlist(write_watchlist(tmp_path, """
[companies]
MSFT = 789019
GOOGL = 0
[baskets]
big = ["MSFT", "GOOGL", "brk.b"]
"""))
    assert watchlist.pending == ["GOOGL", "BRK-B"]
    assert [c.ticker for c in watchlist.basket("big")] == ["MSFT"]


def test_resolution_checks_and_merges(tmp_path):
    watchlist = load_watchlist(write_watchlist(tmp_path, """
[companies]
MSFT = 123
GOOGL = 0
SNOW = 1640147
[baskets]
a = ["MSFT", "GOOGL", "GOOG", "SNOW", "NOPE", "BRK.B"]
"""))
    tickers = dict(zip(*[parse_tickers(TICKER_FILE)[c] for c in ("ticker", "cik")], strict=True))
    resolved = resolve_watchlist(watchlist, tickers)
    by_ticker = {c.ticker: c for c in resolved.checks}
    assert by_ticker["MSFT"].status == "mismatch" and by_ticker["MSFT"].ticker_file_cik == 789019
    assert "MSFT = " in by_ticker["MSFT"].message and "789019" in by_ticker["MSFT"].message
    assert resolved.companies["MSFT"].cik == 123  # the pinned CIK is kept, and reported
    assert resolved.companies["GOOGL"].cik == 1652044 and resolved.companies["GOOGL"].cik_source == "ticker_file"
    assert "GOOG" not in resolved.companies and by_ticker["GOOG"].status == "resolved"  # same company as GOOGL
    assert resolved.companies["BRK-B"].cik == 1067983
    assert by_ticker["SNOW"].status == "ok"
    assert by_ticker["NOPE"].status == "unresolved" and "NOPE = CIK" in by_ticker["NOPE"].message
    assert len(resolved.problems()) == 2
    # Without a ticker file nothing is invented: pending tickers stay unresolved.
    offline = resolve_watchlist(watchlist, None)
    assert set(offline.companies) == {"MSFT", "SNOW"}
    assert {c.ticker for c in offline.checks if c.status == "unresolved"} == {"GOOGL", "GOOG", "NOPE", "BRK-B"}


def test_bad_config_is_named(tmp_path):
    with pytest.raises(WatchlistError, match="GOOG and GOOGL are both CIK 1652044"):
        load_watchlist(write_watchlist(tmp_path, "[companies]\nGOOG = 1652044\nGOOGL = 1652044\n"))
    with pytest.raises(WatchlistError, match="whole number"):
        load_watchlist(write_watchlist(tmp_path, '[companies]\nGOOG = "x"\n'))


def test_refresh_resolves_tickers_through_the_ticker_file(tmp_path, monkeypatch, capsys, sec_fixtures):
    monkeypatch.setenv("AIPIPE_WATCHLIST", str(write_watchlist(tmp_path, """
[companies]
MSFT = 123
GOOGL = 0
[baskets]
us_app_software = ["GOOGL", "MSFT", "SNOW", "NOPE"]
""")))
    with FaultServer() as server:
        server.route("/files/company_tickers.json", Reply(200, TICKER_FILE, etag='"t1"'))
        server.route("/api/xbrl/companyfacts/CIK0001652044.json",
                     Reply(200, (sec_fixtures / "companyfacts" / "CIK0001652044.trimmed.json").read_bytes()))
        settings = dataclasses.replace(settings_in(tmp_path, sec_base_url=server.url, sec_www_url=server.url),
                                       offline=False, http_retries=0)
        run, outcome, results = refresh_direct(settings, families=["sec"])
        ticker_hits = server.hits("/files/company_tickers.json")
    by_source = {r.source: r for r in results}
    # SNOW and GOOGL are not pinned: the plan fetched the ticker file to find their CIKs...
    assert by_source["sec:CIK0001652044"].status == "staged"
    assert by_source["sec:CIK0001640147"].origin == "seed"  # 404 here, so SNOW's seed rows
    # ...and the refresh then asked again conditionally: 304, nothing new written.
    assert len(ticker_hits) == 2 and ticker_hits[1].headers.get("if-none-match") == '"t1"'
    assert by_source["sec:company_tickers"].origin == "not_modified"
    err = capsys.readouterr().err
    assert "MSFT: watchlist pins CIK 123 but" in err and "NOPE: no CIK" in err
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        checks = dict(con.execute("SELECT ticker, status FROM staging.watchlist_check").fetchall())
        assert checks == {"GOOGL": "resolved", "MSFT": "mismatch", "SNOW": "resolved", "NOPE": "unresolved"}
        companies = dict(con.execute("SELECT ticker, cik FROM staging.companies").fetchall())
        assert companies == {"GOOGL": 1652044, "MSFT": 123, "SNOW": 1640147}
        assert con.execute("SELECT DISTINCT ticker FROM marts.company_financials WHERE cik = 1652044").fetchall() \
            == [("GOOGL",)]
        missing = con.execute("SELECT members_missing FROM marts.us_app_software_quarterly "
                              "WHERE row_type = 'total' AND calendar_year = 2025 AND calendar_quarter = 1").fetchall()
        assert missing == [(["MSFT", "NOPE"],)]
    finally:
        con.close()
